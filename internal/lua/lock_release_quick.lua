-- lock_release_quick: the release of a Lock or RLock that names only the first four of
-- the engine's KEYS, for the uncontended case; lock_release decides every other.
-- KEYS[1..4] and ARGV as in lock_release (the holding, the state, the fencing counter,
-- the line: see line_lib).
-- Reply: 0 when it freed the lock (the owner's only hold, nobody in line); -1 for the
-- rest, which only lock_release can decide (a hand-off to a waiter, an RLock's inner
-- hold, a handle that does not hold the lock), changing nothing.
-- Apart from lock_release for the reason lock_acquire_quick is.
-- Free when the caller holds its only hold and nobody has waited for it: its holding
-- has no mark q, which lock_acquire writes when a wait joins the line while the lock is
-- held. (The handle sends this script only for a holding lock_acquire_quick took, so
-- with nobody in line then: anyone in line now joined since, and marked it; a mark stays
-- after its waiter left, which only sends the release the long way.)
local h = redis.call('HMGET', KEYS[1], 'owner', 'count', 'q')
if h[1] == ARGV[5] and h[2] == '1' and not h[3] then
  redis.call('DEL', KEYS[1])
  return 0
end
return -1
