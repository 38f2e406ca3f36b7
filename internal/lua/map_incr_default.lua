-- map_incr_default: a DefaultMap's Incr and IncrFloat, whose missing value is first the
-- DefaultMap's default (Python's d[k] += n on a defaultdict).
-- KEYS[1] the hash
-- ARGV[1] 'int' (HINCRBY) or 'float' (HINCRBYFLOAT), ARGV[2] the field, ARGV[3] the
-- increment, ARGV[4] (when given) the default's stored text
-- Reply: nil when the field is missing and no default came, changing nothing (the
-- client then makes the default, once, and calls again); else the new value's stored
-- text, the default stored first when the field was missing. (Text, not HINCRBY's
-- integer reply: Lua holds that as a double, exact only up to 2^53.)
-- An error changes nothing: a value or default that is not a number (HINCRBY's and
-- HINCRBYFLOAT's own errors), a result beyond int64 (HINCRBY's), or a float result
-- beyond float64's range (NOTFINITE: Redis adds in long double and would store it).
local h, f = KEYS[1], ARGV[2]
local old = redis.call('HGET', h, f)
if not old then
  if not ARGV[4] then return false end
  redis.call('HSET', h, f, ARGV[4])
end
local r
if ARGV[1] == 'int' then
  r = redis.pcall('HINCRBY', h, f, ARGV[3])
else
  r = redis.pcall('HINCRBYFLOAT', h, f, ARGV[3])
end
local bad = type(r) == 'table' and r.err
if not bad and ARGV[1] == 'float' then
  local v = tonumber(r)
  if v == nil or v == math.huge or v == -math.huge then
    bad = 'NOTFINITE the result ' .. string.sub(r, 1, 20) .. '... is beyond float64\'s range'
  end
end
if bad then
  if old then
    redis.call('HSET', h, f, old)
  else
    redis.call('HDEL', h, f)
  end
  return redis.error_reply(bad)
end
if ARGV[1] == 'int' then return redis.call('HGET', h, f) end
return r
