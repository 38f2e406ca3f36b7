-- sem_value: the free permits of a Semaphore or BoundedSemaphore (Python's _value).
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- flags: readonly
-- KEYS and ARGV[1..4] as in line_lib.
-- Reply: the size, plus permits added by over-release, minus those held on live leases.
-- A script so that leases that ran out but were not dropped yet count as free, by the
-- server's clock, without writing.
local cap, free = room()
if redis.call('EXISTS', KEYS[1]) == 0 then return cap end -- (no holder: counts left are stale, see orphaned)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now())
for _, id in ipairs(dead) do
  free = free + tonumber(redis.call('HGET', KEYS[2], id) or '0')
end
return free
