-- once_reset: a Once is no longer done (a run in progress is left alone).
-- KEYS[1] the done flag. No ARGV.
-- Reply: 1 when it was done, 0 when not.
-- A script so that a key of another type fails with WRONGTYPE instead of being deleted.
if not redis.call('GET', KEYS[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
