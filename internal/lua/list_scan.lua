-- list_scan: one bounded step of reading a list: count the elements equal to a value,
-- find the first one, or read a slice, within a stretch of the list.
-- flags: readonly
-- libs: index_lib
-- KEYS[1] the list
-- ARGV[1] the step, then its arguments:
--   "count" value a b: how many of the elements a..b (LRANGE bounds) equal value;
--   "index" value a b: the index of the first of them that equals value, or -1;
--   "head" value m c whole: LPOS over the first m elements, at most c matches (c >= 1);
--     when whole is "1", only if the list has no more than m elements (else nothing is
--     searched: the stretch is empty);
--   "tail" value m c: LPOS over the last m elements, from the end, at most c matches;
--   "slice" start stop max: resolve the Python slice bounds start:stop against the
--     list's length, and read up to max elements from the slice's start.
-- Reply: count and index: {the answer, the list's length, the bytes of the elements
-- examined (0 when index found one)}; slice: {the slice's first
-- index, its end (exclusive), the list's length, the elements...}; head and tail:
-- {the matches found, the bound of the stretch they account for (head: its end,
-- exclusive; tail: its start), the lowest match or -1, the list's length}: the stretch
-- is the m elements, or, when c matches came back, it ends (head) or starts (tail) at
-- the last of them, so that a long run of matches never makes a big reply.
-- A script so that only the answer crosses the network, and so that a step reads the
-- length and the elements at one moment. LPOS searches natively (~17 ns an element
-- here, against ~200 ns for a stretch read into Lua), but only from either end: the
-- head and the tail go by LPOS, the middle by stretches.
local key, op = KEYS[1], ARGV[1]
local n = redis.call('LLEN', key)
if op == 'slice' then
  local a = clamp(tonumber(ARGV[2]), n)
  local b = math.max(a, clamp(tonumber(ARGV[3]), n))
  local out = {a, b, n}
  if b > a then
    local part = redis.call('LRANGE', key, a, math.min(b, a + tonumber(ARGV[4])) - 1)
    for _, v in ipairs(part) do out[#out + 1] = v end
  end
  return out
end
if op == 'head' or op == 'tail' then
  local v, m, c = ARGV[2], math.min(tonumber(ARGV[3]), n), tonumber(ARGV[4])
  if op == 'head' then
    if m == 0 or (ARGV[5] == '1' and n > m) then return {0, 0, -1, n} end -- (MAXLEN 0: all)
    local r = redis.call('LPOS', key, v, 'COUNT', c, 'MAXLEN', m)
    local stop = m
    if #r == c then stop = r[#r] + 1 end
    return {#r, stop, r[1] or -1, n}
  end
  if m == 0 then return {0, n, -1, n} end
  local r = redis.call('LPOS', key, v, 'RANK', -1, 'COUNT', c, 'MAXLEN', m)
  local start = n - m
  if #r == c then start = r[#r] end
  return {#r, start, r[#r] or -1, n}
end
local v, a, b = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local part = redis.call('LRANGE', key, a, b)
local bytes = 0 -- (the stretch's, for the caller to size the next: only when it goes on)
if op == 'count' then
  local c = 0
  for _, x in ipairs(part) do
    if x == v then c = c + 1 end
    bytes = bytes + #x
  end
  return {c, n, bytes}
end
for i, x in ipairs(part) do
  if x == v then return {a + i - 1, n, 0} end
  bytes = bytes + #x
end
return {-1, n, bytes}
