-- sem_cancel: end an attempt or wait for permits of a Semaphore or BoundedSemaphore that
-- its caller gave up (its context ended).
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the attempt or wait id, ARGV[6] the
-- handle's id, ARGV[7] "1" when the attempt's reply was lost (then what the attempt took
-- itself is given back too; the caller of a wait that it knows took nothing passes none:
-- a take it knows of, it releases)
-- Reply: the permits that had been granted to the wait, or taken by the attempt, and are
-- given back now (0: none).
-- A script so that leaving the line and giving back a grant that arrived meanwhile, or
-- what an attempt whose reply was lost took, are one step: a cancelled wait leaves
-- neither a ghost waiter nor permits held for nobody; the permits go to the next waiters
-- in line.
expire()
local wid, id = ARGV[5], ARGV[6]
leave(wid)
local n, noted
local g = redis.call('HGET', KEYS[6], wid)
if g then
  redis.call('HDEL', KEYS[6], wid)
  n, id = string.match(g, '^(%d+) (%S+)')
  n, noted = tonumber(n), taken(id, wid) ~= nil
elseif ARGV[7] == '1' then
  n = taken(id, wid)
  noted = n ~= nil
end
if not n then
  -- Nothing to give back; but a wait that left the head of the line may have held up
  -- smaller requests behind it (or expire freed permits): serve them now.
  grant(false)
  return 0
end
-- (Forgotten with the permits: a second cancel of wid gives nothing back.)
if noted then unnote(id, wid) end
unhold(id, n)
grant(false)
return n
