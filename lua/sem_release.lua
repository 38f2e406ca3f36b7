-- sem_release: return permits of a Semaphore or BoundedSemaphore, and hand free permits
-- to the waiters in line.
-- KEYS and ARGV[1..3] as in sem_lib. ARGV[4] the handle's id, ARGV[5] permits to return
-- from the handle's lease, ARGV[6] permits to add beyond those (a Semaphore's
-- over-release)
-- Reply: the permits the handle still holds, or a NOTHELD error when its lease was lost
-- (then nothing changes).
-- A script so that the lease check, the return and the hand-off are one step: nobody
-- can take the permits between the release and the waiters first in line.
expire()
local id, k, over = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local left = 0
if k > 0 then
  local cur = tonumber(redis.call('HGET', KEYS[2], id) or '0')
  if cur < k then
    return redis.error_reply('NOTHELD the permits of this handle were lost (lease expired)')
  end
  left = cur - k
  unhold(id, k, cur)
end
if over > 0 then redis.call('HINCRBY', KEYS[2], '#extra', over) end
grant(false)
return left
