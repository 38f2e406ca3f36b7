-- lock_renew: extend the caller's lease on a Lock or RLock (the watchdog, and Extend).
-- KEYS[1] (the holding; the rest of line_lib's KEYS may follow) and ARGV[1..4] as in
-- line_lib. ARGV[5] the handle's owner id, ARGV[6] the new lease in ms from now, ARGV[7]
-- (optional) the holds the handle counts (-1: unknown), ARGV[8] "1" to drop the holds
-- the lock counts beyond those (see below)
-- Reply: 1 when renewed, 0 when the caller no longer holds the lock (lease lost, or
-- fewer holds than ARGV[7] when ARGV[8] asks), 2 when renewed but the lock counts more
-- holds than ARGV[7], 3 fewer, and ARGV[8] did not ask to drop them or end the holding.
-- A script so that the owner test and the PEXPIRE are one step: a plain PEXPIRE could
-- extend a lock that expired and was taken by someone else meanwhile. It names only the
-- holding, which exists while held, so that it runs while its Cluster slot migrates
-- (Redis then refuses a script that declares a key missing from the node).
-- Holds beyond the handle's count were revived (a restart from a snapshot, a failover
-- to a replica that missed a release) and nobody would ever release them, while the
-- handle's renewals kept them: the watchdog asks (2), then drops them while no other
-- call of the handle runs.
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[5] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local count = tonumber(ARGV[7] or '-1')
if count < 1 then return 1 end
local c = tonumber(redis.call('HGET', KEYS[1], 'count') or '1')
if c < count then
  -- Fewer holds than the handle counts (an RLock's re-entries taken after the snapshot
  -- a restart came back from): a Release would free the lock while the handle still
  -- counted it held. The watchdog asks (3), then ends the holding as lost (0), and the
  -- lease runs out.
  if ARGV[8] ~= '1' then return 3 end
  return 0
end
if c == count then return 1 end
if ARGV[8] ~= '1' then return 2 end
redis.call('HSET', KEYS[1], 'count', string.format('%.0f', count))
-- (And the latest re-entries' ids: none is of an attempt still running, which the
-- watchdog waited for, and a cancel that found one would give it back again.)
redis.call('HDEL', KEYS[1], 'r')
return 1
