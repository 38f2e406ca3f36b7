-- lock_cancel: end an attempt or wait for a Lock or RLock that its caller gave up (its
-- context ended).
-- libs: clock_lib fence_lib lock_take_lib line_lib lock_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id, ARGV[6] the attempt
-- or wait id, ARGV[7] "1" when the attempt's reply was lost (then an RLock re-entry it
-- made is undone too; the caller of a wait that it knows took nothing passes none: a
-- re-entry it knows of, it releases)
-- Reply: 1 when the lock had gone to that attempt (one hold is released now, and the
-- lock handed on if that freed it), 0 when not.
-- A script so that leaving the line and giving back what the attempt got are one step:
-- a caller that gave up leaves neither a ghost waiter nor a lock held for nobody.
leave(ARGV[6])
if release(ARGV[5], ARGV[6], ARGV[7] == '1') then return 1 end
return 0
