-- float_undo: take back an INCRBYFLOAT (Float WithIncrByFloat) or HINCRBYFLOAT
-- (Map.IncrFloat) whose sum went beyond float64's range, which Redis's long double
-- holds and so stores: add the opposite increment, but only while the value is still
-- beyond that range, so that a value another client has written since is left alone.
-- KEYS[1] the float, or the hash
-- ARGV[1] the opposite of the increment taken back, ARGV[2] (a hash) the field
-- Reply: 1 when taken back, 0 when the value was back in range already.
-- A script so that the check and the change are one step. Lua's tonumber
-- reads a number beyond float64's range as an infinity.
local field = ARGV[2]
local v
if field then
  v = redis.call('HGET', KEYS[1], field)
else
  v = redis.call('GET', KEYS[1])
end
v = tonumber(v or '0')
if v ~= math.huge and v ~= -math.huge then return 0 end
if field then
  redis.call('HINCRBYFLOAT', KEYS[1], field, ARGV[1])
else
  redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
end
return 1
