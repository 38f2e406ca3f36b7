-- list_insert: insert a value before an index, with Python list.insert
-- semantics (negative counts from the end, past either end clamps).
-- KEYS[1] the list
-- ARGV[1] index, ARGV[2] value, ARGV[3] a unique marker absent from the list
-- Reply: the new length.
-- A script because LINSERT takes a pivot value, not an index: the element at
-- the index is swapped for the marker, the value inserted before the marker,
-- and the element put back, in one atomic step. Each command is native, so a
-- list of any size works and nothing is copied into Lua.
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 then
  i = i + n
  if i < 0 then i = 0 end
end
if i >= n then
  return redis.call('RPUSH', KEYS[1], ARGV[2])
end
if i == 0 then
  return redis.call('LPUSH', KEYS[1], ARGV[2])
end
local old = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[3])
local r = redis.call('LINSERT', KEYS[1], 'BEFORE', ARGV[3], ARGV[2])
redis.call('LSET', KEYS[1], i + 1, old)
return r
