-- string_cas: set a string to a new value if it still holds the old one.
-- libs: string_lib
-- KEYS[1] the string (missing reads as "")
-- ARGV[1] the old value, ARGV[2] the new value
-- Reply: 1 if it was set, 0 if the string had changed.
-- A script so that the comparison and the write are one atomic step: it is
-- the commit of String.Update, whose change is computed in Go (Unicode case
-- mapping and the rest of Go's strings package cannot run in Lua).
local s = redis.call('GET', KEYS[1]) or ''
if s ~= ARGV[1] then return 0 end
store(KEYS[1], ARGV[2])
return 1
