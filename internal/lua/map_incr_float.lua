-- map_incr_float: HINCRBYFLOAT that refuses a result beyond float64's range, for
-- Map.IncrFloat inside a transaction, where the client cannot take such a result back.
-- KEYS[1] the hash
-- ARGV[1] the field, ARGV[2] the increment
-- Reply: the new value as HINCRBYFLOAT gives it; a NOTFINITE error, changing nothing,
-- when it is beyond float64's range (Redis adds in long double and would store it); a
-- value that is not a number fails HINCRBYFLOAT, changing nothing.
local old = redis.call('HGET', KEYS[1], ARGV[1])
local r = redis.call('HINCRBYFLOAT', KEYS[1], ARGV[1], ARGV[2])
local v = tonumber(r)
if v == nil or v == math.huge or v == -math.huge then
  if old then
    redis.call('HSET', KEYS[1], ARGV[1], old)
  else
    redis.call('HDEL', KEYS[1], ARGV[1])
  end
  return redis.error_reply('NOTFINITE the result ' .. string.sub(r, 1, 20) .. '... is beyond float64\'s range')
end
return r
