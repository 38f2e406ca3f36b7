-- list_set_slice: Python slice assignment, list[start:stop] = values.
-- libs: index_lib bytes_lib
-- KEYS[1] the list
-- ARGV[1] start, ARGV[2] stop (Python slice bounds, negative from the end,
-- clamped), ARGV[3] chunk size, ARGV[4] the most elements this script may move or
-- remove (0: no bound), ARGV[5] the most bytes it may move (0: no bound), ARGV[6..] the
-- new values
-- Reply: the new length; a BIG error, changing nothing, when the work (the elements the
-- slice removes, the shorter side around it and the new values) is over ARGV[4], or the
-- bytes moved (the shorter side, an estimate: see bytes_lib, and the new values)
-- over ARGV[5] (the caller then rebuilds the list in bounded steps).
-- A script so the replacement is atomic. Only the shorter side of the list
-- around the slice is lifted out and pushed back (LRANGE, LTRIM, then
-- RPUSH/LPUSH a chunk at a time), and values are unpacked a chunk at a
-- time, so a list of any size works.
-- flags: guarded
local key = KEYS[1]
local n = redis.call('LLEN', key)
local s = clamp(tonumber(ARGV[1]), n)
local e = clamp(tonumber(ARGV[2]), n)
if e < s then e = s end
local chunk = tonumber(ARGV[3])
local first, last = 6, #ARGV -- the new values are ARGV[first..last]
local bound = tonumber(ARGV[4])
local work = (e - s) + math.min(s, n - e) + (last - first + 1)
if bound > 0 and work > bound then
  return redis.error_reply('BIG ' .. work .. ' elements to move')
end
local most = tonumber(ARGV[5])
if most > 0 then
  local bytes = 0
  for i = first, last do bytes = bytes + #ARGV[i] end
  if n - e <= s then
    bytes = bytes + listBytes(key, e, n - 1)
  else
    bytes = bytes + listBytes(key, 0, s - 1)
  end
  if bytes > most then return redis.error_reply('BIG over ' .. most .. ' bytes to move') end
end
local ttl = redis.call('PTTL', key)

-- push appends t[a..b] at the tail, in order.
local function push(t, a, b)
  for i = a, b, chunk do
    redis.call('RPUSH', key, unpack(t, i, math.min(i + chunk - 1, b)))
  end
end
-- prepend puts t[a..b] at the head, keeping their order.
local function prepend(t, a, b)
  local i = b
  while i >= a do
    local lo = math.max(a, i - chunk + 1)
    local part = {}
    for j = i, lo, -1 do part[#part + 1] = t[j] end
    redis.call('LPUSH', key, unpack(part))
    i = lo - 1
  end
end

if n - e <= s then
  -- The tail after the slice is the shorter side: lift it out.
  local tail = {}
  if e < n then tail = redis.call('LRANGE', key, e, -1) end
  if s == 0 then
    redis.call('UNLINK', key)
  else
    redis.call('LTRIM', key, 0, s - 1)
  end
  push(ARGV, first, last)
  push(tail, 1, #tail)
else
  -- The head before the slice is shorter.
  local head = {}
  if s > 0 then head = redis.call('LRANGE', key, 0, s - 1) end
  redis.call('LTRIM', key, e, -1)
  prepend(ARGV, first, last)
  prepend(head, 1, #head)
end
if ttl > 0 and redis.call('EXISTS', key) == 1 then
  redis.call('PEXPIRE', key, ttl)
end
return redis.call('LLEN', key)
