-- list_scan: one bounded step of reading a list: count the elements equal to a value,
-- find the first one, or read a slice, within a stretch of the list.
-- flags: readonly
-- libs: index_lib
-- KEYS[1] the list
-- ARGV[1] the step, then its arguments:
--   "count" value a b: how many of the elements a..b (LRANGE bounds) equal value;
--   "index" value a b: the index of the first of them that equals value, or -1;
--   "slice" start stop max: resolve the Python slice bounds start:stop against the
--     list's length, and read up to max elements from the slice's start.
-- Reply: count and index: {the answer, the list's length}; slice: {the slice's first
-- index, its end (exclusive), the list's length, the elements...}.
-- A script so that only the answer crosses the network, and so that a step reads the
-- length and the elements at one moment; the first stretch of a count or an index is
-- searched by LPOS, natively.
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
local v, a, b = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if a == 0 then
  -- From the head, LPOS searches natively, up to b + 1 elements.
  if op == 'count' then
    return {#redis.call('LPOS', key, v, 'COUNT', 0, 'MAXLEN', b + 1), n}
  end
  return {redis.call('LPOS', key, v, 'MAXLEN', b + 1) or -1, n}
end
local part = redis.call('LRANGE', key, a, b)
if op == 'count' then
  local c = 0
  for _, x in ipairs(part) do
    if x == v then c = c + 1 end
  end
  return {c, n}
end
for i, x in ipairs(part) do
  if x == v then return {a + i - 1, n} end
end
return {-1, n}
