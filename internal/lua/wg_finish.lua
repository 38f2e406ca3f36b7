-- wg_finish: finish a WaitGroup member started by Go: count it done.
-- libs: clock_lib wake_lib wg_lib
-- KEYS as in wg_lib. ARGV[1] the member's id.
-- Reply: 1 when the member was counted done now; 0 when it was gone already (its lease
-- ran out, so it was counted done and lost; or the group was deleted): nothing changes,
-- so that it is never counted twice. Finishing twice is harmless.
-- A script so that removing the member and counting it done are one step.
-- flags: guarded
local count, lost = open()
if not count then return lost end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
store(count, math.max(0, count - 1), lost)
return 1
