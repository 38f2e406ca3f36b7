-- event_clear: clear an Event (its wake stream is left alone: a Set's entry still wakes
-- those who waited before it).
-- KEYS[1] the flag. No ARGV.
-- Reply: 1 when it was set, 0 when not.
-- A script so that a key of another type fails with WRONGTYPE instead of being deleted.
if not redis.call('GET', KEYS[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
