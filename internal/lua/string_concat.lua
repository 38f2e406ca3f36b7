-- string_concat: a string followed by a suffix, stored at a new key (the
-- + of HOT Redis's ImmutableString).
-- KEYS[1] the source (missing reads as ""), KEYS[2] the destination
-- ARGV[1] the suffix, ARGV[2] the longest result this script builds, ARGV[3] the
-- largest length allowed
-- Reply: the new length; a TOOBIG error (nothing changes) when the result would be
-- longer than ARGV[3]; a BIG error (nothing changes) when the result would be longer
-- than ARGV[2], which the caller then builds in steps (string_step). An empty result
-- deletes the destination, as HOT Redis never stores an empty string.
-- A script so that reading the source and writing the result are one
-- atomic step.
local len = redis.call('STRLEN', KEYS[1]) + #ARGV[1]
if len > tonumber(ARGV[3]) then
  return redis.error_reply('TOOBIG the result would exceed ' .. ARGV[3] .. ' bytes')
end
if len > tonumber(ARGV[2]) then
  return redis.error_reply('BIG the result is to be built in steps')
end
local s = (redis.call('GET', KEYS[1]) or '') .. ARGV[1]
if s == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], s)
end
return #s
