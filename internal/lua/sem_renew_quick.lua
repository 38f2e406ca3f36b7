-- sem_renew_quick: the watchdog's renewal of a Semaphore's or BoundedSemaphore's permits
-- that names only the holders and the state, for the common case; sem_renew decides
-- every other.
-- libs: clock_lib fence_lib sem_take_lib
-- KEYS[1..2] and ARGV as in sem_renew (the holders, the state: see line_lib).
-- Reply: 1 when renewed, the lease live and the semaphore counting as many permits for
-- the handle as ARGV[7] (when that is not -1); -1 for the rest, which only sem_renew
-- can decide (a lost lease, grants to confirm, permits beyond the handle's count, which
-- may be grants to its waits, or fewer), changing nothing.
-- Apart from sem_renew so that a renewal runs while the keys' Cluster slot migrates:
-- Redis then runs a script only if every key it declares is on the node, and a holding
-- has these two (the line, the grants and their streams come and go).
local id, lease, count = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7] or '-1')
if #ARGV >= 9 then return -1 end
local exp = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
if exp <= now() then return -1 end
if count >= 1 and tonumber(redis.call('HGET', KEYS[2], id) or '0') ~= count then return -1 end
redis.call('ZADD', KEYS[1], now() + lease, id)
outlive(lease)
return 1
