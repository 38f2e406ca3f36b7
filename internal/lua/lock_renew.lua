-- lock_renew: extend the caller's lease on a Lock or RLock (the watchdog, and Extend).
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id, ARGV[6] the new
-- lease in ms from now
-- Reply: 1 when renewed, 0 when the caller no longer holds the lock (lease lost).
-- A script so that the owner test and the PEXPIRE are one step: a plain PEXPIRE could
-- extend a lock that expired and was taken by someone else meanwhile.
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[5] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
