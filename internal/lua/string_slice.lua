-- string_slice: the bytes s[start:stop] of a string, with Python's slice
-- rules (negative bounds count from the end, bounds past either end clamp,
-- an empty range gives "").
-- libs: index_lib
-- flags: readonly
-- KEYS[1] the string (missing reads as "")
-- ARGV[1] start, ARGV[2] stop
-- Reply: the slice.
-- A script because GETRANGE clamps a negative end to the first byte
-- instead of giving an empty range, and only the length known on the server
-- turns Python bounds into GETRANGE's in the same atomic step.
local n = redis.call('STRLEN', KEYS[1])
local a, b = clamp(tonumber(ARGV[1]), n), clamp(tonumber(ARGV[2]), n)
if b <= a then return '' end
return redis.call('GETRANGE', KEYS[1], a, b - 1)
