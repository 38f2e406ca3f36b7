-- sem_value: the free permits of a Semaphore or BoundedSemaphore (Python's _value).
-- KEYS[1] holders (sorted set: handle id -> lease expiry in ms), KEYS[2] state (hash)
-- ARGV[1] the initial size
-- Reply: the size, plus permits added by over-release, minus those held on live leases.
-- A script so that leases that ran out but were not dropped yet count as free, by the
-- server's clock, without writing.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = tonumber(redis.call('HGET', KEYS[2], '#used') or '0')
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, id in ipairs(dead) do
  used = used - tonumber(redis.call('HGET', KEYS[2], id) or '0')
end
return tonumber(ARGV[1]) + tonumber(redis.call('HGET', KEYS[2], '#extra') or '0') - used
