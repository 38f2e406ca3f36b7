-- queue_reserve: reserve the head item of a queue for one consumer,
-- without waiting.
-- KEYS[1] the list, KEYS[2] reservations (sorted set: id -> deadline in
-- ms, server time), KEYS[3] this reservation's list, KEYS[4] waiting puts,
-- KEYS[5] space notification list, KEYS[6] (set queues only) the set of
-- queued items
-- ARGV[1] reservation id, ARGV[2] visibility timeout (ms), ARGV[3] chunk
-- size
-- Reply: {1, item}, or {0} when the queue is empty, or {0, ids...} with
-- up to 10 ids of reservations whose deadline has passed, for the caller
-- to recover (then nothing is reserved, so that the recovered items, put
-- back at the head, come first).
-- A script so that moving the item into the reservation's list, leaving a
-- set queue's set and recording the deadline are one step: an item is
-- always either queued or in a reservation that will expire, even if the
-- consumer dies the next instant.
local t = now()
local ids = expired(KEYS[2], t)
if #ids > 0 then
  table.insert(ids, 1, 0)
  return ids
end
local v = redis.call('LMOVE', KEYS[1], KEYS[3], 'LEFT', 'LEFT')
if not v then return {0} end
if KEYS[6] then redis.call('SREM', KEYS[6], v) end
redis.call('ZADD', KEYS[2], t + tonumber(ARGV[2]), ARGV[1])
wakePuts(KEYS[4], KEYS[5], 1)
return {1, v}
