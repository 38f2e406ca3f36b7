-- lock_give_back: put back a wake-up taken by a waiter that then stopped waiting.
-- KEYS[1] the lock (hash), KEYS[2] the wake list
-- ARGV[1] ms the wake-up may wait for a taker
-- Reply: 1 when the wake-up was put back, 0 when the lock is held (the next release
-- wakes a waiter anyway).
-- A script so that the wake-up is returned only while the lock is still free.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('LPUSH', KEYS[2], '1')
redis.call('LTRIM', KEYS[2], 0, 0)
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
