-- list_insert: insert a value before an index, with Python list.insert
-- semantics (negative counts from the end, past either end clamps).
-- KEYS[1] the list
-- ARGV[1] index, ARGV[2] value, ARGV[3] a unique marker absent from the list,
-- ARGV[4] (optional) the most elements LINSERT may walk (0: no bound)
-- Reply: the new length; a BIG error, changing nothing, when the index is further from
-- the head than ARGV[4] (the caller then inserts by a slice assignment, which lifts
-- the shorter side or rebuilds the list in steps).
-- A script because LINSERT takes a pivot value, not an index: the element at
-- the index is swapped for the marker, the value inserted before the marker,
-- and the element put back, in one atomic step. Each command is native, so
-- nothing is copied into Lua; LINSERT walks from the head to the marker (~10 ms
-- a million elements).
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
local bound = tonumber(ARGV[4] or '0')
if bound > 0 and i > bound then
  return redis.error_reply('BIG ' .. i .. ' elements to walk')
end
local old = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[3])
local r = redis.call('LINSERT', KEYS[1], 'BEFORE', ARGV[3], ARGV[2])
redis.call('LSET', KEYS[1], i + 1, old)
return r
