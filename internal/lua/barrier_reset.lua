-- barrier_reset: return a Barrier to its empty state (Reset); the waiters of the round in
-- progress get ErrBrokenBarrier.
-- libs: clock_lib wake_lib barrier_lib
-- KEYS as in barrier_lib. No ARGV.
-- Reply: the number of waiters the reset broke.
-- A script so that the waiters woken are exactly those of the round it ends, and the
-- next round begins empty.
-- flags: guarded
if redis.call('EXISTS', B) == 0 then
  redis.call('DEL', WAITING)
  return 0
end
local gen, n, broken = state()
local had = 0
if not broken and n > 0 then
  had = n
  breakRound(gen, n)
end
redis.call('DEL', WAITING)
redis.call('HSET', B, 'gen', num(gen + 1), 'n', 0)
redis.call('HDEL', B, 'broken')
keep(0)
return had
