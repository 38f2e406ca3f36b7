-- lock_release: release one hold of a Lock or RLock, handing it to the first waiter in
-- line when it becomes free.
-- libs: clock_lib fence_lib lock_take_lib line_lib lock_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id
-- Reply: the holds left (0: the lock is free or handed on now), or a NOTHELD error when
-- the caller does not hold it (never did, released already, or lost its lease).
-- A script so that only the owner can release, and so that the lock passes to the next
-- waiter in the same step that frees it: nobody can take it in between.
-- (No quick case in front, as lock_release_quick's: the handle sends this script when
-- its holding came from a grant or a wait, that is when others wait, mostly; an EXISTS
-- of the line first would be one call more on a hand-off's way.)

local left = release(ARGV[5])
if not left then
  return redis.error_reply('NOTHELD the lock is not held by this handle')
end
return left
