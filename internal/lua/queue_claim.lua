-- queue_claim: finish a blocking take (a Get or a Reserve that waited), whose first item
-- BLMOVE has just parked in a list of its own; sent in the same pipeline as the BLMOVE,
-- so it runs right after it on the server.
-- libs: clock_lib queue_lib
-- KEYS[1] the parking list, KEYS[2] the take's list, KEYS[3] registrations (sorted
-- set), KEYS[4] the queue's list, KEYS[5] waiting puts, KEYS[6] space notification
-- list, KEYS[7] unfinished-task count, KEYS[8] (set queues only) the set of queued items;
-- then keys.Absent's (flags: guarded)
-- ARGV[1] the take's id, ARGV[2] ms until its deadline, ARGV[3] how many items to take
-- in all (the parked one, then more from the head of the queue), ARGV[4] chunk size
-- Reply (all strings, as queue_take's): {'1', items...}; {'0'} when nothing was parked
-- (the wait timed out, or the parking was recovered) or when the only expired
-- registration was this take's own (its parked item went back to the head); or {'0',
-- ids...} with up to 10 ids of other
-- registrations whose deadline has passed: then the parked item went back to the head,
-- for the caller to recover those first.
-- A script so that the item moves from the parking list to the take's list, leaves a
-- set queue's set (it was still a member while parked) and gets the take's deadline in
-- one step: an item is always queued, parked under a registration, or taken under one,
-- and a set member exactly while it is queued or parked.
-- (The parked items move before the queue's list and set are touched: see wrongTypes.)
-- flags: guarded
local set = #KEYS > 8 and KEYS[8] or nil -- (set queues only; KEYS[#KEYS] is keys.Absent's)
local refused = wrongTypes({KEYS[4], set}, {'list', 'set'})
if refused then return refused end
local t = now()
-- A second run of the same wait's pipeline (sent twice) gives what the first run
-- claimed, still in the take's list, under the take's deadline again (this run's
-- registration moved it), and puts back what this run's wait parked.
local held = redis.call('LRANGE', KEYS[2], '0', '-1')
if #held > 0 then
  putBack(KEYS[1], KEYS[4])
  redis.call('ZADD', KEYS[3], t + tonumber(ARGV[2]), ARGV[1])
  table.insert(held, 1, '1')
  return held
end
local ids = expired(KEYS[3], nowText())
if #ids > 0 then return unpark(KEYS[1], KEYS[4], KEYS[3], ARGV[1], ids) end
-- What was parked, the earliest first: one item, or two when the pipeline ran twice
-- and the first run's claim did not (NOSCRIPT); beyond n they go back to the head.
local n = tonumber(ARGV[3])
local items = {}
while #items < n do
  local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'RIGHT')
  if not v then break end
  items[#items + 1] = v
end
if #items == n then putBack(KEYS[1], KEYS[4]) end -- (else nothing is left parked)
if #items == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'0'}
end
local chunk = tonumber(ARGV[4])
local more = n - #items
-- The expiry the take gets (see keepExpiry and queueExpiry). What the wait parked came
-- from a list a put made anew (a wait waits on a missing list): while tasks are
-- unfinished it has, or is about to have, the count's expiry; when the queue began anew,
-- neither has one, and the registrations must then lose one an older list gave them, or
-- they would go before this take's list, whose item would never come back.
local ttl = queueExpiry(KEYS[4], KEYS[7], set)
if ttl == -2 then ttl = -1 end
if more > 0 then
  for _, x in ipairs(takeInto(KEYS[4], KEYS[2], more, chunk)) do items[#items + 1] = x end
end
redis.call('ZADD', KEYS[3], t + tonumber(ARGV[2]), ARGV[1])
keepExpiry(ttl, KEYS[2], KEYS[3])
if set then leaveSet(set, items, chunk) end
wakePuts(KEYS[5], KEYS[6], math.min(#items, chunk))
table.insert(items, 1, '1')
return items
