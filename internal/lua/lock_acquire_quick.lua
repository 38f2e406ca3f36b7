-- lock_acquire_quick: an attempt on a Lock or RLock that names only the first four of the
-- engine's KEYS, for the uncontended case; lock_acquire decides every other.
-- libs: clock_lib fence_lib lock_take_lib
-- KEYS[1..4] and ARGV as in lock_acquire (the holding, the state, the fencing counter,
-- the line: see line_lib).
-- Reply: as lock_acquire's when the lock is free and nobody is in line ({1, fencing
-- token, 1}) and for an attempt that does not wait on a lock another handle holds ({0,
-- ms until the holding may run out, -1: no expiry}); {-1} for the rest, which only
-- lock_acquire can decide (a free lock with waiters in line, a grant, an RLock's
-- re-entry, a wait), changing nothing.
-- Apart from lock_acquire because every engine script names all 22 of the engine's
-- keys (the grant streams among them), and parsing them costs more than this whole
-- step: ~3 µs of server time an uncontended pair, ~7% of its throughput (hotbench's
-- probe of 2026-12-05, BENCHMARKS.md).
local owner, wid = ARGV[5], ARGV[8]
if redis.call('EXISTS', KEYS[1], KEYS[4]) == 0 then
  return {1, take(owner, ARGV[6], wid), 1}
end
if ARGV[9] ~= '1' then
  local h = redis.call('HMGET', KEYS[1], 'owner', 'wid')
  if h[1] and h[2] ~= wid and not (h[1] == owner and ARGV[7] == '1') then
    return {0, redis.call('PTTL', KEYS[1])}
  end
end
return {-1}
