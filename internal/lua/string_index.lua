-- string_index: the byte offset of the first occurrence of a substring, as
-- Go's strings.Index.
-- flags: readonly
-- KEYS[1] the string (missing reads as ""); ARGV[1] the substring
-- Reply: the offset, or -1 when it does not occur.
-- A script so that the search runs on the server and only a number crosses
-- the network, not the string.
-- Lua's plain find compares at every position (time #s * #sub at worst: seconds for a
-- long run of one byte searched for a long near-copy of it), so above a bound on that
-- product the search is Knuth-Morris-Pratt's, linear in #s + #sub.
local s, p = redis.call('GET', KEYS[1]) or '', ARGV[1]
local n, m = #s, #p
if m > n then return -1 end
if m <= 16 or n * m <= 67108864 then
  local i = string.find(s, p, 1, true)
  if i then return i - 1 end
  return -1
end
local byte = string.byte
local fail, k = {0}, 0 -- fail[i]: the longest proper border of p's first i bytes
for i = 2, m do
  local c = byte(p, i)
  while k > 0 and byte(p, k + 1) ~= c do k = fail[k] end
  if byte(p, k + 1) == c then k = k + 1 end
  fail[i] = k
end
k = 0
for i = 1, n do
  local c = byte(s, i)
  while k > 0 and byte(p, k + 1) ~= c do k = fail[k] end
  if byte(p, k + 1) == c then k = k + 1 end
  if k == m then return i - m end
end
return -1
