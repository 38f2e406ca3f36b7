-- string_concat: a string followed by a suffix, stored at a new key (the
-- + of HOT Redis's ImmutableString).
-- KEYS[1] the source (missing reads as ""), KEYS[2] the destination
-- ARGV[1] the suffix
-- Reply: the new length. An empty result deletes the destination, as HOT
-- Redis never stores an empty string.
-- A script so that reading the source and writing the result are one
-- atomic step.
local s = (redis.call('GET', KEYS[1]) or '') .. ARGV[1]
if s == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], s)
end
return #s
