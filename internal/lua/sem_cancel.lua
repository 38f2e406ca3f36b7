-- sem_cancel: end an attempt or wait for permits of a Semaphore or BoundedSemaphore that
-- its caller gave up (its context ended).
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the wait id
-- Reply: the permits that had been granted to the wait and are given back now (0: none).
-- A script so that leaving the line and giving back a grant that arrived meanwhile are
-- one step: a cancelled wait leaves neither a ghost waiter nor permits held for nobody;
-- the permits go to the next waiters in line.
expire()
leave(ARGV[5])
local g = redis.call('HGET', KEYS[6], ARGV[5])
if not g then return 0 end
redis.call('HDEL', KEYS[6], ARGV[5])
local n, owner = string.match(g, '^(%d+) (%S+)')
unhold(owner, tonumber(n))
grant(false)
return tonumber(n)
