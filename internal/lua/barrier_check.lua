-- barrier_check: a Barrier's waiter renews its lease and learns whether its round ended,
-- when no announcement came for a while.
-- libs: clock_lib wake_lib barrier_lib
-- KEYS as in barrier_lib. ARGV[1] the wait id, ARGV[2] its round, ARGV[3] its lease (ms).
-- Reply: {0, ms until the first waiter's lease runs out} while the round goes on (the
-- lease renewed); {1} when the round completed; {-1} when it broke.
-- A script so that a waiter whose lease ran out (a dead process) is found and breaks
-- the round in the same step that renews the live ones: the round never completes
-- with a dead party, nor waits for one past its lease.
-- flags: guarded
local wid, g, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local gen, n, broken, done, from = state()
if gen ~= g or broken then return {ended(g, gen, done, from)} end
if reap(gen, n) then return {-1} end
if not redis.call('ZSCORE', WAITING, wid) then -- dropped unnoticed: the round cannot complete
  breakRound(gen, n)
  return {-1}
end
leaseMember(WAITING, wid, lease)
keep(lease)
return {0, nextExpiry(WAITING)}
