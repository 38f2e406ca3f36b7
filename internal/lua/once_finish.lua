-- once_finish: the runner of a Once ends its run, and announces it to the waiters.
-- libs: clock_lib wake_lib
-- KEYS as in once_begin. ARGV[1] the runner id, ARGV[2] how the run ended: "1" f
-- succeeded, "0" f failed (or panicked), "-" f never ran (the caller gave up before
-- learning it was the runner); ARGV[3] the failure's message.
-- Reply: 1 when the caller still was the runner, 0 when its lease had run out (another
-- Do may be running f now).
-- A success marks the Once done even after the lease ran out: f did run successfully.
-- A failure or a give-up is announced only by the current runner, so that the waiters
-- of a run that replaced it are not told of a run they did not wait for; a give-up
-- makes them try again at once.
-- A script so that the runner test, the release, the done flag and the announcement are
-- one step: no waiter sees the runner gone before the outcome is on the stream.
local mine = redis.call('GET', KEYS[2]) == ARGV[1]
if mine then redis.call('DEL', KEYS[2]) end
if ARGV[2] == '1' then redis.call('SET', KEYS[1], '1') end
if mine or ARGV[2] == '1' then
  wake(KEYS[3], 'r', ARGV[1], 'ok', ARGV[2], 'm', ARGV[3])
end
if mine then return 1 end
return 0
