-- counter_combine: Python's Counter &= and |= (keep the smaller or the
-- larger count of each element, then drop counts that are not positive).
-- libs: counter_lib
-- KEYS[1] the counter to change; KEYS[2] the other counter, or absent when
-- the other counts are in ARGV
-- ARGV[1] "and" or "or", ARGV[2] chunk size, ARGV[3] the most fields to
-- visit (0: no limit), ARGV[4..] pairs field, count (decimal int64) when
-- there is no KEYS[2]
-- Reply: the number of fields left; error BIG, having changed nothing,
-- when the counters and pairs hold more fields than ARGV[3]: the Go side
-- then rebuilds the counter in bounded steps instead (rebuild.go).
-- A script so the change is one atomic step. Counts are compared as
-- decimal strings (sign, length, then digits), never as Lua numbers, so
-- every int64 is exact. All changes are computed (and every count
-- checked) before any is written, so a non-integer count (error NOTINT)
-- or a wrong-type key changes nothing.
local key, okey = KEYS[1], KEYS[2]
local op = ARGV[1]
local chunk = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local first = 4
for i = 1, #KEYS do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= 'hash' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end
if limit > 0 then
  local work = redis.call('HLEN', key) + (#ARGV - first + 1) / 2
  if okey and op == 'or' then work = work + redis.call('HLEN', okey) end
  if work > limit then
    return redis.error_reply('BIG ' .. work .. ' fields to visit, over ' .. limit)
  end
end

-- each calls f(field, count) for every field of hash k, a chunk at a time.
local function each(k, f)
  local cursor = '0'
  repeat
    local r = redis.call('HSCAN', k, cursor, 'COUNT', chunk)
    cursor = r[1]
    local kv = r[2]
    for i = 1, #kv, 2 do f(kv[i], kv[i + 1]) end
  until cursor == '0'
end

local given = {}
if not okey then
  for i = first, #ARGV, 2 do given[ARGV[i]] = ARGV[i + 1] end
end
local function other(f)
  if not okey then return given[f] or '0' end
  local v = redis.call('HGET', okey, f)
  if not v then return '0' end
  return valid(okey, f, v)
end

-- change[field] = new count, or false to delete the field; fresh[field]: not in
-- the counter yet.
local change, fresh = {}, {}
each(key, function(f, c)
  c = valid(key, f, c)
  local o, new = other(f), c
  if op == 'and' then
    if cmp(o, c) < 0 then new = o end
  elseif cmp(o, c) > 0 then
    new = o
  end
  if not positive(new) then
    change[f] = false
  elseif new ~= c then
    change[f] = new
  end
end)
if op == 'or' then
  local function add(f, o)
    if okey then o = valid(okey, f, o) end
    if positive(o) and redis.call('HEXISTS', key, f) == 0 then change[f], fresh[f] = o, true end
  end
  if okey then
    each(okey, add)
  else
    for f, o in pairs(given) do add(f, o) end
  end
end

-- The sets go first, then the deletions, and the reply is counted, not read: the
-- counter empties, if it does, at the script's last command. (A script that named a
-- key after emptying it would be stopped there, halfway, while its Cluster slot
-- migrates: see keys.Absent.)
local left = redis.call('HLEN', key)
local sets, dels = {}, {}
for f, c in pairs(change) do
  if c then
    sets[#sets + 1] = f
    sets[#sets + 1] = c
  else
    dels[#dels + 1] = f
  end
end
for f in pairs(fresh) do left = left + 1 end
for i = 1, #sets, 2 * chunk do
  redis.call('HSET', key, unpack(sets, i, math.min(i + 2 * chunk - 1, #sets)))
end
for i = 1, #dels, chunk do
  redis.call('HDEL', key, unpack(dels, i, math.min(i + chunk - 1, #dels)))
end
return left - #dels
