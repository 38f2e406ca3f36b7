-- queue_recover: put back the items of a take (or reservation) whose deadline passed,
-- or of one whose taker gave up.
-- libs: clock_lib queue_lib
-- KEYS[1] the queue's list, KEYS[2] registrations (sorted set), KEYS[3] the take's
-- parking list, KEYS[4] the take's list, KEYS[5] unfinished-task count; set queues
-- only: KEYS[6] the set of queued items, KEYS[7] join notification list; then
-- keys.Absent's (flags: guarded)
-- ARGV[1] the take's id, ARGV[2] '0' to put back only once the deadline passed, '1'
-- when the taker gives its items up (put them back now), '2' to put them back now but
-- keep the registration until its deadline (the take's outcome is unknown: it may yet
-- run, or its blocking command park an item, which the parking list, a string until
-- then, refuses)
-- Reply: the number of items put back (0 when the take was acknowledged, recovered
-- already, or is not due).
-- A script so that the deadline check, the move back to the head of the queue, the set
-- update and the end of the registration are one step: an item is recovered once, and
-- never after its taker acknowledged it.
--
-- A parked item (moved by a blocking command, not yet claimed) is still a set member,
-- so it simply goes back. A taken item left the set: it goes back to the list and the
-- set unless an equal item was queued since, in which case it is dropped, the queued
-- one standing for it, and its task counts as done (as a repeated put is not a task).
-- flags: guarded
local set = #KEYS > 6 and KEYS[6] or nil -- (set queues only; KEYS[#KEYS] is keys.Absent's)
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s then return 0 end
local due = tonumber(s) <= now()
if not due and ARGV[2] == '0' then return 0 end
-- (Items leave the take's list before they reach the queue's list and set: see
-- wrongTypes. Refused, they stay in the take's list, registered, for a later recovery.)
local refused = wrongTypes({KEYS[1], set}, {'list', 'set'})
if refused then return refused end
-- Items go back with the queue's expiry (see Queue.Expire), read as a take reads it
-- (queueExpiry): the list's, or while it has none or is gone, the count's, so that they
-- go with the count that counts them; not the take's, which a Persist inside a
-- Transaction does not reach, and which outlives a queue that began anew (every task
-- done) since. A list that is there without it gets it now, as from a take.
local ttl = queueExpiry(KEYS[1], KEYS[5], set)
local n = 0
if redis.call('TYPE', KEYS[3]).ok == 'list' then
  -- (The parking list's head is its latest item: see putBack.)
  while redis.call('LMOVE', KEYS[3], KEYS[1], 'LEFT', 'LEFT') do n = n + 1 end
end
if set then
  local dropped = 0
  while true do
    local v = redis.call('RPOP', KEYS[4])
    if not v then break end
    local back = requeue(KEYS[1], set, v)
    n, dropped = n + back, dropped + 1 - back
  end
  tasksDone(KEYS[5], KEYS[7], dropped)
else
  while redis.call('LMOVE', KEYS[4], KEYS[1], 'RIGHT', 'LEFT') do n = n + 1 end
end
if n > 0 and ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl, 'NX')
  if set then redis.call('PEXPIRE', set, ttl, 'NX') end
end
if due or ARGV[2] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif ARGV[2] == '2' then
  -- The take's blocking command may still wait on the server (the close
  -- of its connection not seen yet) and park an item after this. Until
  -- the deadline, past which it cannot be waiting, the parking list is a
  -- string: a blocked move that cannot push fails, and Redis puts the
  -- item back at the head of the queue.
  redis.call('SET', KEYS[3], 'gone', 'PXAT', s)
end
return n
