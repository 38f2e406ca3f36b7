-- sem_give_back: put back a wake-up taken by a waiter that then stopped waiting.
-- KEYS[1] holders (sorted set), KEYS[2] state (hash), KEYS[3] the wake list
-- ARGV[1] the initial size, ARGV[2] ms the wake-up may wait for a taker
-- Reply: 1 when put back, 0 when no permit is free (the next release wakes a waiter).
-- A script so that wake-ups never outnumber free permits.
local used = tonumber(redis.call('HGET', KEYS[2], '#used') or '0')
local free = tonumber(ARGV[1]) + tonumber(redis.call('HGET', KEYS[2], '#extra') or '0') - used
if free <= 0 or redis.call('LLEN', KEYS[3]) >= free then return 0 end
redis.call('LPUSH', KEYS[3], '1')
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
