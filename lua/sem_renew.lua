-- sem_renew: extend a handle's lease on its Semaphore or BoundedSemaphore permits (the watchdog).
-- KEYS[1] holders (sorted set: handle id -> lease expiry in ms), KEYS[2] state (hash)
-- ARGV[1] the handle's id, ARGV[2] the new lease in ms from now
-- Reply: 1 when renewed, 0 when the handle's permits are gone (lease lost).
-- A script so that an expired lease is never revived: once its time has passed the
-- permits may have been counted free by another acquirer, so it is dropped instead.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not exp then return 0 end
if tonumber(exp) <= now then
  local c = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  redis.call('HDEL', KEYS[2], ARGV[1])
  if redis.call('HINCRBY', KEYS[2], '#used', -c) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
