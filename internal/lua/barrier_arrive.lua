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
-- flags: guarded
local wid, lease, parties = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', B) == 0 then redis.call('DEL', WAITING) end -- waiters of a barrier gone
local gen, n, broken = state()
local seen = redis.call('HMGET', B, 'w', 'i')
if seen[1] == wid then
  -- This arrival's second run (its command reached the server twice, as a go-redis
  -- client resends one after a network error), with no arrival since: the first
  -- run's reply again, nothing counted twice. (After an arrival that completed the
  -- round, or one in the next round, the second run is not told apart: it counts in
  -- the next round.)
  local i = tonumber(seen[2]) or 0
  if i + 1 >= parties then return {1, i} end -- it completed its round
  if broken or not redis.call('ZSCORE', WAITING, wid) then return {-1} end
  leaseMember(WAITING, wid, lease)
  keep(lease)
  return {0, i, gen, lastEntry(WAKE), nextExpiry(WAITING)}
end
if broken or reap(gen, n) then return {-1} end
if redis.call('ZSCORE', WAITING, wid) then
  -- A second run after other arrivals: its index is unknown, and a party counted
  -- twice would complete the round one short. The round breaks instead.
  breakRound(gen, n)
  return {-1}
end
if n + 1 >= parties then
  set('gen', num(gen + 1), 'n', 0, 'done', num(gen), 'w', wid, 'i', n)
  redis.call('DEL', WAITING)
  if n > 0 then wake(WAKE, 'g', num(gen), 'r', 'done') end
  keep(lease)
  return {1, n}
end
local last = lastEntry(WAKE)
set('gen', num(gen), 'n', n + 1, 'w', wid, 'i', n)
leaseMember(WAITING, wid, lease)
keep(lease)
return {0, n, gen, last, nextExpiry(WAITING)}
