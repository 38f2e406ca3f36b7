-- lock_cancel: end a wait for a Lock or RLock that its caller gave up (context ended).
-- KEYS and ARGV[1..2] as in lock_lib. ARGV[3] the handle's owner id, ARGV[4] the wait id
-- Reply: 1 when the lock had been granted to the wait (it is released, and handed on if
-- that made it free), 0 when not.
-- A script so that leaving the line and giving back a grant that arrived meanwhile are
-- one step: a cancelled wait leaves neither a ghost waiter nor a lock held for nobody.
leave(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'owner', 'wid')
if h[1] ~= ARGV[3] or h[2] ~= ARGV[4] then return 0 end
-- An RLock's handle may have re-entered the grant meanwhile: undo one hold only.
if redis.call('HINCRBY', KEYS[1], 'count', -1) <= 0 and not grant(false) then
  redis.call('DEL', KEYS[1])
end
return 1
