-- sem_renew: extend a handle's lease on its Semaphore or BoundedSemaphore permits (the
-- watchdog), confirming grants it has read.
-- KEYS[1] holders (sorted set: handle id -> lease expiry in ms), KEYS[2] state (hash),
-- KEYS[3] unconfirmed grants (hash: wait id -> "n owner token")
-- ARGV[1] the handle's id, ARGV[2] the new lease in ms from now, ARGV[3] and on: wait ids
-- of this handle whose grants it has read
-- Reply: 1 when renewed, 0 when the handle's permits are gone (lease lost).
-- A script so that an expired lease is never revived: once its time has passed the
-- permits may have been counted free by another acquirer, so it is dropped instead.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 3, #ARGV do redis.call('HDEL', KEYS[3], ARGV[i]) end
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not exp then return 0 end
if tonumber(exp) <= now then
  local c = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  redis.call('HDEL', KEYS[2], ARGV[1], ARGV[1] .. '@')
  if redis.call('HINCRBY', KEYS[2], '#used', -c) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
  redis.call('ZREM', KEYS[1], ARGV[1])
  local g = redis.call('HGETALL', KEYS[3])
  for i = 1, #g, 2 do
    if string.match(g[i + 1], '^%d+ (%S+)') == ARGV[1] then redis.call('HDEL', KEYS[3], g[i]) end
  end
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
