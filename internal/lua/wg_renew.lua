-- wg_renew: renew a WaitGroup member's lease (the watchdog of Go).
-- libs: clock_lib wake_lib wg_lib
-- KEYS as in wg_lib. ARGV[1] the member's id, ARGV[2] its lease in ms from now.
-- Reply: 1 when renewed, 0 when the member is gone: its lease ran out and it was
-- counted done and lost (or the group was deleted).
-- A script so that a lease that ran out is never revived: the member may have been
-- counted done by then (and a Wait returned), so it is dropped instead.
-- flags: guarded
local count, err = open()
if not count then return err end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
leaseMember(KEYS[2], ARGV[1], ARGV[2])
return 1
