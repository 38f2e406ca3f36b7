-- string_repeat: a string repeated n times (Python's s * n), stored at a
-- destination that may be the source itself (s *= n).
-- KEYS[1] the source (missing reads as ""), KEYS[2] the destination
-- ARGV[1] n, ARGV[2] the largest length allowed, ARGV[3] the longest result this script
-- builds
-- Reply: the new length; a TOOBIG error (nothing changes) when the result would be
-- longer than ARGV[2]; a BIG error (nothing changes) when it would be longer than
-- ARGV[3], which the caller then builds in steps (string_step). An empty result deletes
-- the destination, as HOT Redis never stores an empty string.
-- A script so that reading the source and writing the result are one
-- atomic step.
local len = redis.call('STRLEN', KEYS[1])
local n = tonumber(ARGV[1])
if n <= 0 or len == 0 then
  redis.call('DEL', KEYS[2])
  return 0
end
if len * n > tonumber(ARGV[2]) then
  return redis.error_reply('TOOBIG the result would exceed ' .. ARGV[2] .. ' bytes')
end
if n == 1 and KEYS[1] == KEYS[2] then return len end
if len * n > tonumber(ARGV[3]) then
  return redis.error_reply('BIG ' .. len * n .. ' bytes to build in steps')
end
local s = redis.call('GET', KEYS[1])
if n > 1 then
  -- By doubling: string.rep copies a byte at a time (seconds for 100 MB), this at
  -- memcpy's speed.
  local out, piece = '', s
  while n > 0 do
    if n % 2 == 1 then out = out .. piece end
    n = math.floor(n / 2)
    if n > 0 then piece = piece .. piece end
  end
  s = out
end
redis.call('SET', KEYS[2], s, 'KEEPTTL')
return #s
