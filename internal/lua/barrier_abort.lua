-- barrier_abort: break a Barrier (Abort): its waiters and every later Wait get
-- ErrBrokenBarrier until Reset.
-- libs: clock_lib wake_lib barrier_lib
-- KEYS as in barrier_lib. No ARGV.
-- Reply: 1 when it broke the barrier, 0 when the barrier was broken already.
-- A script so that the waiters counted in the round are exactly those woken.
local gen, n, broken = state()
if broken then return 0 end
breakRound(gen, n)
return 1
