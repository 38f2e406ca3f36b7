-- sem_acquire: take n permits of a Semaphore or BoundedSemaphore if that many are free.
-- KEYS[1] holders (sorted set: handle id -> lease expiry in ms, server time)
-- KEYS[2] state (hash: handle id -> permits held, '#used' -> total held, '#extra' -> permits
--         added by over-release), KEYS[3] the fencing counter, KEYS[4] the wake list
-- ARGV[1] the handle's id, ARGV[2] n, ARGV[3] the semaphore's initial size, ARGV[4] lease in ms
-- Reply: {1, fencing token} when taken; {0, ms until the earliest lease runs out
-- (-1: no holder)} when not.
-- A script so that dropping expired leases, counting free permits, taking them and
-- drawing a fencing token are one atomic step; it reads the server's clock so that
-- every client agrees on when a lease runs out.
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
local used = tonumber(redis.call('HGET', KEYS[2], '#used') or '0')
local cap = tonumber(ARGV[3]) + tonumber(redis.call('HGET', KEYS[2], '#extra') or '0')
local n = tonumber(ARGV[2])
if used + n > cap then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return {0, -1} end
  return {0, math.max(0, tonumber(first[2]) - now)}
end
redis.call('HINCRBY', KEYS[2], ARGV[1], n)
redis.call('HINCRBY', KEYS[2], '#used', n)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
local f = redis.call('INCR', KEYS[3])
-- Keep no more wake-ups than free permits; if permits are left, make sure the next
-- waiter is woken to try for them (a wake-up taken by a waiter that wants more than
-- is free is not passed on, so a large request is not overtaken by the waiters behind it).
local free = cap - used - n
if free <= 0 then
  redis.call('DEL', KEYS[4])
else
  if redis.call('LLEN', KEYS[4]) == 0 then
    redis.call('RPUSH', KEYS[4], '1')
    redis.call('PEXPIRE', KEYS[4], ARGV[4])
  end
  redis.call('LTRIM', KEYS[4], 0, free - 1)
end
return {1, f}
