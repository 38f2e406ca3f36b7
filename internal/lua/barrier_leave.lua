-- barrier_leave: a Barrier's waiter gives up (its context ended, or it lost touch with
-- the server), breaking its round as Python's Barrier does.
-- libs: clock_lib wake_lib barrier_lib
-- KEYS as in barrier_lib. ARGV[1] the wait id, ARGV[2] its round ('' when unknown: the
-- reply of its arrival was lost).
-- Reply: 1 when the round broke now, 0 when the waiter was no longer in it (the round
-- had ended).
-- A script so that the check that the waiter still waits and the break are one step: a
-- round that completed meanwhile is not broken after the fact.
local gen, n, broken = state()
if broken or not redis.call('ZSCORE', WAITING, ARGV[1]) then return 0 end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= gen then return 0 end
breakRound(gen, n)
return 1
