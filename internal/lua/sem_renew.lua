-- sem_renew: extend a handle's lease on its Semaphore or BoundedSemaphore permits (the
-- watchdog), confirming grants it has read.
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's id,
-- ARGV[6] the new lease in ms from now, ARGV[7] the permits the handle counts (-1:
-- unknown), ARGV[8] "1" to drop the permits the semaphore counts for it beyond those
-- (see below), ARGV[9] and on: wait ids of this handle whose grants it has read
-- Reply: 1 when renewed, 0 when the handle's permits are gone (lease lost), 2 when
-- renewed but the semaphore counts more permits for the handle than ARGV[7] and its
-- grants not yet confirmed, 3 when renewed but it counts fewer than ARGV[7], and ARGV[8]
-- did not ask to drop them (2) or the rest (3: then 0).
-- A script so that an expired lease is never revived: once its time has passed the
-- permits may have been counted free by another acquirer, so it is dropped instead.
-- Permits beyond the handle's count were revived (a restart from a snapshot, a failover
-- to a replica that missed a release) and nobody would ever release them, while the
-- handle's renewals kept them: the watchdog asks (2), then drops them, handing them to
-- the line, while no other call of the handle runs.
local id, lease, count = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7] or '-1')
for i = 9, #ARGV do redis.call('HDEL', KEYS[6], ARGV[i]) end
local exp = redis.call('ZSCORE', KEYS[1], id)
if not exp then return 0 end
if tonumber(exp) <= now() then
  unhold(id)
  forget({[id] = true})
  return 0
end
redis.call('ZADD', KEYS[1], now() + lease, id)
outlive(lease)
if count < 1 then return 1 end
local cur = tonumber(redis.call('HGET', KEYS[2], id) or '0')
if cur < count then
  -- Fewer than the handle holds: the others were lost (a restart from a snapshot
  -- taken before they were taken), and may be held by others now. The watchdog asks
  -- (3), then ends the holding as lost and the rest goes to the line.
  if ARGV[8] ~= '1' then return 3 end
  unhold(id)
  forget({[id] = true})
  grant(false)
  return 0
end
local _, granted = unconfirmed({[id] = true})
local over = cur - count - granted
if over <= 0 or over >= cur then return 1 end
if ARGV[8] ~= '1' then return 2 end
unhold(id, over, cur)
-- (And the handle's notes: none is for an attempt of the handle still running, which
-- the watchdog waited for; but a wait whose grant's record ran out before it read it
-- would take that grant back by its note, after its permits went to the line.)
redis.call('HDEL', KEYS[2], id .. '#a')
grant(false)
return 1
