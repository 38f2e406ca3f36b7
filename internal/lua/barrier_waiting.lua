-- barrier_waiting: how many parties wait at a Barrier (Python's n_waiting).
-- libs: clock_lib wake_lib barrier_lib
-- flags: readonly
-- KEYS as in barrier_lib. No ARGV.
-- Reply: the waiters of the current round whose lease still runs; 0 when broken.
-- A script so that waiters whose lease ran out, not dropped yet, are not counted, by
-- the server's clock, without writing.
local v = redis.call('HMGET', B, 'broken')
if v[1] == '1' then return 0 end
return redis.call('ZCOUNT', WAITING, now(), '+inf')
