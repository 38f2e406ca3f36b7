-- barrier_arrive: a party arrives at a Barrier (Wait).
-- libs: clock_lib wake_lib barrier_lib
-- KEYS as in barrier_lib. ARGV[1] the wait id, ARGV[2] its lease (ms), ARGV[3] the
-- number of parties.
-- Reply: {-1} when the barrier is broken (now or already); {1, index} when this
-- arrival completes the round (the waiters are woken, the next round begins);
-- {0, index, round, the wake stream's last entry id, ms until the first waiter's lease
-- runs out} when the caller must wait: leased in the waiters' set, woken by the round's
-- end announced after that entry.
-- A script so that counting the arrival, ending the round and noticing dead waiters
-- are one step: no two parties get the same index, and no round completes with a dead
-- party counted.
local wid, lease, parties = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', B) == 0 then redis.call('DEL', WAITING) end -- waiters of a barrier gone
local gen, n, broken = state()
if broken or reap(gen, n) then return {-1} end
if n + 1 >= parties then
  redis.call('HSET', B, 'gen', num(gen + 1), 'n', 0, 'done', num(gen))
  redis.call('DEL', WAITING)
  if n > 0 then wake(WAKE, 'g', num(gen), 'r', 'done') end
  keep(lease)
  return {1, n}
end
local last = lastEntry(WAKE)
redis.call('HSET', B, 'gen', num(gen), 'n', n + 1)
leaseMember(WAITING, wid, lease)
keep(lease)
return {0, n, gen, last, nextExpiry(WAITING)}
