-- string_slice: the bytes s[start:stop] of a string, with Python's slice
-- rules (negative bounds count from the end, bounds past either end clamp,
-- an empty range gives "").
-- libs: index_lib
-- flags: readonly
-- KEYS[1] the string (missing reads as "")
-- ARGV[1] start, ARGV[2] stop, ARGV[3] (optional) the longest slice this script returns
-- Reply: the slice; a BIG error when it is longer than ARGV[3] (a long reply costs a
-- script ~3 ms a MiB, copied into Lua and out again: the caller reads it natively).
-- A script because GETRANGE clamps a negative end to the first byte
-- instead of giving an empty range, and only the length known on the server
-- turns Python bounds into GETRANGE's in the same atomic step.
local n = redis.call('STRLEN', KEYS[1])
local a, b = clamp(tonumber(ARGV[1]), n), clamp(tonumber(ARGV[2]), n)
if b <= a then return '' end
if ARGV[3] and b - a > tonumber(ARGV[3]) then return redis.error_reply('BIG ' .. (b - a) .. ' bytes') end
return redis.call('GETRANGE', KEYS[1], a, b - 1)
