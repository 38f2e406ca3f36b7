-- once_renew: the watchdog of a Once's runner renews its lease.
-- KEYS[1] the runner (string: the running Do's id). ARGV[1] the runner id, ARGV[2] the
-- lease in ms from now.
-- Reply: 1 when renewed, 0 when the caller is no longer the runner (its lease ran out).
-- A script so that the runner test and the PEXPIRE are one step: a plain PEXPIRE could
-- extend the lease of another runner that took over meanwhile.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
