-- queue_claim: finish a blocking Reserve, whose item BLMOVE has just
-- parked in a list of its own; sent in the same pipeline as the BLMOVE,
-- so it runs right after it on the server.
-- KEYS[1] the parking list, KEYS[2] the reservation's list, KEYS[3]
-- reservations (sorted set), KEYS[4] the queue's list, KEYS[5] waiting
-- puts, KEYS[6] space notification list, KEYS[7] (set queues only) the set
-- of queued items
-- ARGV[1] reservation id, ARGV[2] visibility timeout (ms)
-- Reply: {1, item}; {0} when nothing was parked (the wait timed out, or
-- the parking expired and was recovered); or {0, ids...} with up to 10
-- ids of reservations whose deadline has passed: then the parked item went
-- back to the head, for the caller to recover those first.
-- A script so that the item leaves the parking list, leaves a set queue's
-- set (it was still a member while parked) and gets its deadline in one
-- step: it is always either queued, parked under a registration, or
-- reserved, and a set member exactly while it is queued or parked.
local t = now()
local ids = expired(KEYS[3], t)
if #ids > 0 then return unpark(KEYS[1], KEYS[4], KEYS[3], ARGV[1], ids) end
local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'LEFT')
if not v then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {0}
end
if KEYS[7] then redis.call('SREM', KEYS[7], v) end
redis.call('ZADD', KEYS[3], t + tonumber(ARGV[2]), ARGV[1])
wakePuts(KEYS[5], KEYS[6], 1)
return {1, v}
