-- sem_release: return permits of a Semaphore or BoundedSemaphore, and hand free permits
-- to the waiters in line.
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's id,
-- ARGV[6] permits to return from the handle's lease, ARGV[7] permits to add beyond those
-- (a Semaphore's over-release)
-- Reply: the permits the handle still holds, or a NOTHELD error when its lease was lost,
-- or an OVERFLOW error when the over-release would take the capacity to 2^52 (then
-- nothing changes).
-- A script so that the lease check, the return and the hand-off are one step: nobody
-- can take the permits between the release and the waiters first in line.
expire()
local left, code = release(ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]))
if code == 'NOTHELD' then
  return redis.error_reply('NOTHELD the permits of this handle were lost (lease expired)')
elseif code then
  return redis.error_reply('OVERFLOW the permits added by over-release would reach 2^52')
end
return left
