-- lock_acquire: take a Lock or RLock if it is free (or, re-entrantly, held by the caller).
-- KEYS[1] the lock (hash: owner, count, fence), KEYS[2] the fencing counter, KEYS[3] the wake list
-- ARGV[1] the handle's owner id, ARGV[2] lease in ms, ARGV[3] "1" for re-entrant (RLock)
-- Reply: {1, fencing token, hold count} when acquired; {0, ms left on the holder's lease
-- (-1: no expiry)} when not.
-- A script so that testing the owner, taking the lock, drawing a fencing token and
-- clearing stale wake-ups are one atomic step.
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then
  if owner == ARGV[1] and ARGV[3] == '1' then
    local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, tonumber(redis.call('HGET', KEYS[1], 'fence')), n}
  end
  return {0, redis.call('PTTL', KEYS[1])}
end
local f = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'count', 1, 'fence', f)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
-- The lock is taken: a wake-up left in the list would only wake a waiter for nothing.
redis.call('DEL', KEYS[3])
return {1, f, 1}
