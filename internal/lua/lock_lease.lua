-- lock_lease: how long the caller's lease on a Lock or RLock has left.
-- flags: readonly primary
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id
-- Reply: ms left (-1: no expiry), or -3 when the caller does not hold the lock.
-- A script so that the owner test and the PTTL read the same state.
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[5] then return -3 end
return redis.call('PTTL', KEYS[1])
