-- string_index: the byte offset of the first occurrence of a substring, as
-- Go's strings.Index.
-- flags: readonly
-- KEYS[1] the string (missing reads as ""); ARGV[1] the substring
-- Reply: the offset, or -1 when it does not occur.
-- A script so that the search runs on the server and only a number crosses
-- the network, not the string.
local s = redis.call('GET', KEYS[1]) or ''
local i = string.find(s, ARGV[1], 1, true)
if i then return i - 1 end
return -1
