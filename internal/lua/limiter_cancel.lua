-- limiter_cancel: give back the tokens of a Limiter reservation whose caller stopped
-- waiting before it was due.
-- libs: clock_lib
-- KEYS[1] the bucket (see limiter_reserve). ARGV[1] µs per token, ARGV[2] n,
-- ARGV[3] when the reservation was due (µs of server time)
-- Reply: 1 when the tokens went back, 0 when the reservation was due already (used).
-- A script so that the due check and the give-back read one clock and one state: tokens
-- go back only while unused, and the bucket never goes below full.
local per, n, due = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = nowMicros()
if due <= t then return 0 end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local back = tat - n * per
if back <= t then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.3f', back), 'PX', math.ceil((back - t) / 1000) + 1)
end
return 1
