-- counter_most_common: the n fields with the highest counts, from one
-- stretch of an HSCAN of a counter.
-- libs: counter_lib
-- flags: readonly
-- KEYS[1] the hash
-- ARGV[1] n (> 0), ARGV[2] HSCAN cursor to start from, or "start": the
-- whole hash if it has at most ARGV[3] fields, else nothing; ARGV[3] how
-- many fields to examine before returning (0: all), ARGV[4] chunk size
-- Reply: {next cursor ("0" when done), field, count, field, count, ...}
-- holding the best n fields seen, in no particular order; {"more"} when
-- "start" examined nothing.
-- A script so that only n pairs cross the network, whatever the size of
-- the counter. The best n are kept in a binary heap whose root is the
-- weakest; counts are compared as decimal strings (sign, length, digits),
-- never as Lua numbers, so every int64 is exact. Equal counts rank by
-- field bytes, smaller first, so the choice among ties is stable.
local key = KEYS[1]
local n = tonumber(ARGV[1])
local cursor = ARGV[2]
local budget = tonumber(ARGV[3])
local chunk = ARGV[4]

-- bytesLess compares strings byte by byte (Lua's < follows the locale).
local function bytesLess(x, y)
  for i = 1, math.min(#x, #y) do
    local a, b = string.byte(x, i), string.byte(y, i)
    if a ~= b then return a < b end
  end
  return #x < #y
end
-- The heap: fields fs, counts cs (strings) and, for counts of at most 15
-- characters (below 10^15, exact as doubles), their values ns, which
-- compare faster; ns[i] is false for longer counts.
local fs, cs, ns = {}, {}, {}
-- weaker reports whether entry i ranks below entry j.
local function weaker(i, j)
  local r
  local a, b = ns[i], ns[j]
  if a and b then
    if a < b then r = -1 elseif a > b then r = 1 else r = 0 end
  else
    r = cmp(cs[i], cs[j])
  end
  if r ~= 0 then return r < 0 end
  return bytesLess(fs[j], fs[i])
end
local function swap(i, j)
  fs[i], fs[j] = fs[j], fs[i]
  cs[i], cs[j] = cs[j], cs[i]
  ns[i], ns[j] = ns[j], ns[i]
end
local size = 0
local function up(i)
  while i > 1 do
    local p = math.floor(i / 2)
    if not weaker(i, p) then return end
    swap(i, p)
    i = p
  end
end
local function down(i)
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    if l <= size and weaker(l, m) then m = l end
    if r <= size and weaker(r, m) then m = r end
    if m == i then return end
    swap(i, m)
    i = m
  end
end
local function offer(f, c)
  local v = #c <= 15 and tonumber(c)
  if size < n then
    size = size + 1
    fs[size], cs[size], ns[size] = f, c, v
    up(size)
    return
  end
  -- The common case, a count below the weakest kept: nothing to do.
  if v and ns[1] and v < ns[1] then return end
  -- Compare with the root in place: slot size+1 is scratch.
  fs[size + 1], cs[size + 1], ns[size + 1] = f, c, v
  if weaker(1, size + 1) then
    fs[1], cs[1], ns[1] = f, c, v
    down(1)
  end
  fs[size + 1], cs[size + 1], ns[size + 1] = nil, nil, nil
end

local function offerAll(kv)
  for i = 1, #kv, 2 do offer(kv[i], valid(key, kv[i], kv[i + 1])) end
end
if (cursor == 'start' or cursor == '0') and (budget == 0 or redis.call('HLEN', key) <= budget) then
  -- The whole hash in one step: HGETALL sees each field exactly once,
  -- where HSCAN may repeat one if the hash is being resized.
  cursor = '0'
  offerAll(redis.call('HGETALL', key))
elseif cursor == 'start' then
  return {'more'}
else
  local seen = 0
  repeat
    local r = redis.call('HSCAN', key, cursor, 'COUNT', chunk)
    cursor = r[1]
    offerAll(r[2])
    seen = seen + #r[2] / 2
  until cursor == '0' or seen >= budget
end

local out = {cursor}
for i = 1, size do
  out[#out + 1] = fs[i]
  out[#out + 1] = cs[i]
end
return out
