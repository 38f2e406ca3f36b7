-- sem_release_quick: the return of permits of a Semaphore or BoundedSemaphore that names
-- only the first four of the engine's KEYS, for the uncontended case; sem_release
-- decides every other.
-- libs: clock_lib fence_lib sem_take_lib
-- KEYS[1..4] and ARGV as in sem_release (the holders, the state, the fencing counter,
-- the line: see line_lib).
-- Reply: the permits the handle still holds, when nobody is in line, its lease runs, it
-- returns no more than it holds and adds none (ARGV[7] "0"); -1 for the rest, which only
-- sem_release can decide (a hand-off to waiters, a lost lease, an over-release),
-- changing nothing.
-- Apart from sem_release for the reason lock_acquire_quick is.
local id, k = ARGV[5], tonumber(ARGV[6])
if ARGV[7] ~= '0' or redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
if tonumber(redis.call('ZSCORE', KEYS[1], id) or '0') <= now() then return -1 end
local h = redis.call('HMGET', KEYS[2], id, '#used')
local cur = tonumber(h[1] or '0')
if cur < k then return -1 end
unhold(id, k, cur, tonumber(h[2] or '0'))
return cur - k
