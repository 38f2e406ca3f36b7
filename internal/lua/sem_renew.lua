-- sem_renew: extend a handle's lease on its Semaphore or BoundedSemaphore permits (the
-- watchdog), confirming grants it has read.
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's id,
-- ARGV[6] the new lease in ms from now, ARGV[7] and on: wait ids of this handle whose
-- grants it has read
-- Reply: 1 when renewed, 0 when the handle's permits are gone (lease lost).
-- A script so that an expired lease is never revived: once its time has passed the
-- permits may have been counted free by another acquirer, so it is dropped instead.
local id, lease = ARGV[5], tonumber(ARGV[6])
for i = 7, #ARGV do redis.call('HDEL', KEYS[6], ARGV[i]) end
local exp = redis.call('ZSCORE', KEYS[1], id)
if not exp then return 0 end
if tonumber(exp) <= now() then
  unhold(id)
  forget({[id] = true})
  return 0
end
redis.call('ZADD', KEYS[1], now() + lease, id)
outlive(lease)
return 1
