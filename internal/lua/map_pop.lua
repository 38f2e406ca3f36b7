-- map_pop: remove a field and return its value (Python's dict.pop).
-- KEYS[1] the hash; ARGV[1] field
-- Reply: the value, or nil when the field is missing.
-- A script so that no other client can change or remove the field between
-- the read and the delete (Redis 7.0 has no HGETDEL).
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
