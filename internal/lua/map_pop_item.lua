-- map_pop_item: remove a random field and return it with its value
-- (Python's dict.popitem).
-- KEYS[1] the hash
-- Reply: {field, value, the hash's PTTL before the pop (see map_pop)}, or an empty
-- array when the hash is empty.
-- A script so that picking, reading and deleting the field are one atomic
-- step: two concurrent callers never get the same entry.
local f = redis.call('HRANDFIELD', KEYS[1])
if not f then return {} end
local v = redis.call('HGET', KEYS[1], f)
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HDEL', KEYS[1], f)
return {f, v, ttl}
