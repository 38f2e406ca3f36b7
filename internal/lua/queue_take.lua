-- queue_take: take up to n items from the head of a queue, without waiting, into a list
-- of this take's own, where they stay until the taker acknowledges them (a Get does so
-- as soon as it has the reply; a Reserve with Ack) or its deadline passes.
-- libs: clock_lib queue_lib
-- KEYS[1] the queue's list, KEYS[2] registrations (sorted set: take id -> deadline in ms,
-- server time), KEYS[3] this take's list, KEYS[4] waiting puts, KEYS[5] space
-- notification list, KEYS[6] unfinished-task count, KEYS[7] (set queues only) the set
-- of queued items
-- ARGV[1] the take's id, ARGV[2] ms until its deadline, ARGV[3] n, ARGV[4] chunk size
-- Reply: {1, items...} head first (those of the take's list when it holds some
-- already: see below); {0} when the queue is empty; or {0, ids...} with up
-- to 10 ids of registrations whose deadline has passed, for the caller to recover
-- first (nothing is taken then, so that recovered items, put back at the head, come
-- first).
-- A script so that an item is always somewhere a registration finds it: taking it,
-- registering the take with a deadline, leaving a set queue's set and waking a put
-- blocked on a full queue are one step. If the reply is lost (a cut connection, a
-- killed taker), the item is not: the next take after the deadline puts it back.
-- A second run of the same take (its command reached the server twice) takes nothing
-- more: it gives what the first run took, still in the take's list, whose
-- acknowledgement would otherwise delete the first run's items with its own.
local held = redis.call('LRANGE', KEYS[3], 0, -1)
if #held > 0 then
  table.insert(held, 1, 1)
  return held
end
local t = now()
local ids = expired(KEYS[2], t)
if #ids > 0 then
  table.insert(ids, 1, 0)
  return ids
end
if KEYS[7] then -- (its items leave the set after they are taken: see wrongTypes)
  local refused = wrongTypes({KEYS[7]}, {'set'})
  if refused then return refused end
end
local chunk = tonumber(ARGV[4])
local ttl = queueExpiry(KEYS[1], KEYS[6], KEYS[7])
local items = takeInto(KEYS[1], KEYS[3], tonumber(ARGV[3]), chunk)
if #items == 0 then return {0} end
redis.call('ZADD', KEYS[2], t + tonumber(ARGV[2]), ARGV[1])
keepExpiry(ttl, KEYS[3], KEYS[2])
if KEYS[7] then leaveSet(KEYS[7], items, chunk) end
wakePuts(KEYS[4], KEYS[5], math.min(#items, chunk))
table.insert(items, 1, 1)
return items
