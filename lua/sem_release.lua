-- sem_release: return permits of a Semaphore or BoundedSemaphore, and wake waiters.
-- KEYS[1] holders (sorted set: handle id -> lease expiry in ms, server time)
-- KEYS[2] state (hash: handle id -> permits held, '#used', '#extra'), KEYS[3] the wake list
-- ARGV[1] the handle's id, ARGV[2] permits to return from the handle's lease, ARGV[3]
-- permits to add beyond those (a Semaphore's over-release), ARGV[4] the initial size,
-- ARGV[5] ms a wake-up may wait for a taker
-- Reply: the permits the handle still holds, or a NOTHELD error when its lease was lost
-- (then nothing changes).
-- A script so that the lease check, the return and the wake-ups are one step: a waiter
-- that failed to take a permit just before finds its wake-up when it blocks.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
repeat
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(dead) do
    local c = tonumber(redis.call('HGET', KEYS[2], id) or '0')
    redis.call('HDEL', KEYS[2], id)
    if redis.call('HINCRBY', KEYS[2], '#used', -c) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
    redis.call('ZREM', KEYS[1], id)
  end
until #dead < 1000
local k = tonumber(ARGV[2])
local over = tonumber(ARGV[3])
local left = 0
if k > 0 then
  local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  if cur < k then
    return redis.error_reply('NOTHELD the permits of this handle were lost (lease expired)')
  end
  left = cur - k
  if left == 0 then
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[1], ARGV[1])
  else
    redis.call('HSET', KEYS[2], ARGV[1], left)
  end
  if redis.call('HINCRBY', KEYS[2], '#used', -k) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
end
if over > 0 then redis.call('HINCRBY', KEYS[2], '#extra', over) end
local used = tonumber(redis.call('HGET', KEYS[2], '#used') or '0')
local free = tonumber(ARGV[4]) + tonumber(redis.call('HGET', KEYS[2], '#extra') or '0') - used
local wake = math.min(k + over, free, 1000)
if wake > 0 then
  for i = 1, wake do redis.call('RPUSH', KEYS[3], '1') end
  redis.call('LTRIM', KEYS[3], 0, free - 1)
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
return left
