-- float_undo: take back an INCRBYFLOAT (WithIncrByFloat) whose sum went beyond
-- float64's range, which Redis's long double holds and so stores: add the
-- opposite increment, but only while the value is still beyond that range,
-- so that a value another client has written since is left alone.
-- KEYS[1] the float
-- ARGV[1] the opposite of the increment taken back
-- Reply: 1 when taken back, 0 when the value was back in range already.
-- A script so that the check and the change are one step. Lua's tonumber
-- reads a number beyond float64's range as an infinity.
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v == math.huge or v == -math.huge then
  redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
  return 1
end
return 0
