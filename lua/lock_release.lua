-- lock_release: release one hold of a Lock or RLock, waking one waiter when it becomes free.
-- KEYS[1] the lock (hash: owner, count, fence), KEYS[2] the wake list
-- ARGV[1] the handle's owner id, ARGV[2] ms the wake-up may wait for a taker
-- Reply: the holds left (0: the lock is free now), or a NOTHELD error when the caller
-- does not hold it (never did, released already, or lost its lease).
-- A script so that only the owner can release, and so that the wake-up is pushed in the
-- same step that frees the lock: a waiter that failed to take the lock just before
-- finds the wake-up when it blocks, so no wake-up is lost.
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return redis.error_reply('NOTHELD the lock is not held by this handle')
end
local n = redis.call('HINCRBY', KEYS[1], 'count', -1)
if n > 0 then return n end
redis.call('DEL', KEYS[1])
-- One wake-up is enough: only one waiter can take the lock.
redis.call('RPUSH', KEYS[2], '1')
redis.call('LTRIM', KEYS[2], 0, 0)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 0
