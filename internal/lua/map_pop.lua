-- map_pop: remove a field and return its value (Python's dict.pop).
-- KEYS[1] the hash; ARGV[1] field
-- Reply: {the value, the hash's PTTL before the pop}, or an empty array when the field
-- is missing. (The PTTL: a value the client cannot decode goes back, and a hash its
-- pop emptied, gone with its expiry, takes it back with it.)
-- A script so that no other client can change or remove the field between
-- the read and the delete (Redis 7.0 has no HGETDEL).
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {} end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HDEL', KEYS[1], ARGV[1])
return {v, ttl}
