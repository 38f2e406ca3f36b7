-- string_set_slice: Python slice assignment on the bytes of a string,
-- s[start:stop] = value ("abcdef"[0:5] = "X" gives "Xf"; a stop before the
-- start inserts at the start).
-- libs: index_lib
-- KEYS[1] the string (missing reads as "")
-- ARGV[1] start, ARGV[2] stop, ARGV[3] value, ARGV[4] the longest result this script
-- rewrites the string into, ARGV[5] the largest length allowed
-- Reply: the new length; a TOOBIG error (nothing changes) when the result would be
-- longer than ARGV[5]; a BIG error (nothing changes) when the string must be rewritten
-- and the result would be longer than ARGV[4], which the caller then builds in steps
-- (string_step). An empty result deletes the key, as HOT Redis never stores an empty
-- string.
-- A script so that reading the kept parts and writing the result are one
-- atomic step.
local n = redis.call('STRLEN', KEYS[1])
local a = clamp(tonumber(ARGV[1]), n)
local b = math.max(a, clamp(tonumber(ARGV[2]), n))
local v = ARGV[3]
if #v == b - a then -- same length: overwrite in place
  if #v > 0 then redis.call('SETRANGE', KEYS[1], a, v) end
  return n
end
if n - (b - a) + #v > tonumber(ARGV[5]) then
  return redis.error_reply('TOOBIG the result would exceed ' .. ARGV[5] .. ' bytes')
end
if n - (b - a) + #v > tonumber(ARGV[4]) then
  return redis.error_reply('BIG the result is to be built in steps')
end
local s = v
if a > 0 then s = redis.call('GETRANGE', KEYS[1], 0, a - 1) .. s end
if b < n then s = s .. redis.call('GETRANGE', KEYS[1], b, -1) end
if s == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], s, 'KEEPTTL')
end
return #s
