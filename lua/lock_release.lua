-- lock_release: release one hold of a Lock or RLock, handing it to the first waiter in
-- line when it becomes free.
-- KEYS and ARGV[1..2] as in lock_lib. ARGV[3] the handle's owner id
-- Reply: the holds left (0: the lock is free or handed on now), or a NOTHELD error when
-- the caller does not hold it (never did, released already, or lost its lease).
-- A script so that only the owner can release, and so that the lock passes to the next
-- waiter in the same step that frees it: nobody can take it in between.
local h = redis.call('HMGET', KEYS[1], 'owner', 'count')
if h[1] ~= ARGV[3] then
  return redis.error_reply('NOTHELD the lock is not held by this handle')
end
if tonumber(h[2]) > 1 then return redis.call('HINCRBY', KEYS[1], 'count', -1) end
-- A grant rewrites every field of the lock (and its expiry): delete it only when
-- nobody waits.
if not grant(false) then redis.call('DEL', KEYS[1]) end
return 0
