-- string_index: the byte offset of the first occurrence of a substring, as
-- Go's strings.Index.
-- flags: readonly
-- KEYS[1] the string (missing reads as ""); ARGV[1] the substring, ARGV[2] the longest
-- string this script searches
-- Reply: the offset, or -1 when it does not occur; a BIG error when the string is longer
-- than ARGV[2] (the caller searches it in steps).
-- A script so that the search runs on the server and only a number crosses
-- the network, not the string.
-- Lua's plain find runs at C speed but compares at every position (time #s * #sub at
-- worst: seconds for a long run of one byte searched for a long near-copy of it). So a
-- substring longer than 16 bytes is looked for by plain find of its first 16, each
-- candidate checked whole; once the checks have cost more than a linear search would
-- (#s + #sub bytes), the rest goes by Knuth-Morris-Pratt, linear in #s + #sub (but
-- interpreted: tens of times slower than plain find on ordinary text).
local n, m = redis.call('STRLEN', KEYS[1]), #ARGV[1]
if m > n then return -1 end
if n > tonumber(ARGV[2]) then
  return redis.error_reply('BIG ' .. n .. ' bytes to search in steps')
end
local s, p = redis.call('GET', KEYS[1]) or '', ARGV[1]
if m <= 16 then
  local i = string.find(s, p, 1, true)
  if i then return i - 1 end
  return -1
end
local head, from, spent = string.sub(p, 1, 16), 1, 0
while spent <= n + m do
  local i = string.find(s, head, from, true)
  if not i or i + m - 1 > n then return -1 end
  if string.sub(s, i, i + m - 1) == p then return i - 1 end
  spent = spent + m
  from = i + 1
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
for i = from, n do
  local c = byte(s, i)
  while k > 0 and byte(p, k + 1) ~= c do k = fail[k] end
  if byte(p, k + 1) == c then k = k + 1 end
  if k == m then return i - m end
end
return -1
