-- lock_release: release one hold of a Lock or RLock, handing it to the first waiter in
-- line when it becomes free.
-- libs: lock_free_lib | clock_lib fence_lib lock_take_lib line_lib lock_lib
-- flags: direct
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id
-- Reply: the holds left (0: the lock is free or handed on now), or a NOTHELD error when
-- the caller does not hold it (never did, released already, or lost its lease).
-- A script so that only the owner can release, and so that the lock passes to the next
-- waiter in the same step that frees it: nobody can take it in between.

-- The common case first (lock_free_lib), before the other libraries' functions are defined (see
-- lua.go's "libs here"): nobody in line, and the owner's only hold, which
-- release (lock_lib) would end the same way.
if freeQuick() then return 0 end
-- libs here

local left = release(ARGV[5])
if not left then
  return redis.error_reply('NOTHELD the lock is not held by this handle')
end
return left
