-- sem_acquire_quick: an attempt on a Semaphore or BoundedSemaphore that names only the
-- first four of the engine's KEYS, for the uncontended case; sem_acquire decides every
-- other.
-- libs: clock_lib fence_lib sem_take_lib
-- KEYS[1..4] and ARGV as in sem_acquire (the holders, the state, the fencing counter,
-- the line: see line_lib).
-- Reply: as sem_acquire's when nobody is in line, no lease has run out and the permits
-- are free ({1, fencing token, epoch of the handle's holding}), and for an attempt that
-- does not wait when they are not free ({0, ms until the earliest lease runs out, -1: no
-- holder}); {-1} for the rest, which only sem_acquire can decide (waiters in line, a
-- lease that ran out, a wait, a second run of an attempt that took), changing nothing.
-- Apart from sem_acquire for the reason lock_acquire_quick is.
local id, n, lease, wid = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[4]) == 0 then
  -- Nobody holds, waits or is counted (and nothing noted: no second run of a take), as
  -- after the last release of an uncontended semaphore: its size is free.
  if n <= SIZE then
    local f, e = take(id, n, lease, wid, {held = 0, used = 0, extra = false, epoch = 0, notes = ''})
    return {1, f, e}
  end
  if ARGV[9] ~= '1' then return {0, -1} end
  return {-1}
end
if redis.call('EXISTS', KEYS[4]) == 1 or
    #redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now(), 'LIMIT', 0, 1) > 0 then
  return {-1}
end
local s = state(id)
if taken(id, wid, s.notes) then return {-1} end
local cap, free = room(s)
if free < cap and redis.call('EXISTS', KEYS[1]) == 0 then
  -- Permits counted used with no holder left (see orphaned): checked only then, so
  -- that the uncontended attempt makes no call more.
  orphaned()
  s = state(id)
  cap, free = room(s)
end
if free >= n then
  local f, e = take(id, n, lease, wid, s)
  return {1, f, e}
end
if ARGV[9] ~= '1' then return {0, earliest()} end
return {-1}
