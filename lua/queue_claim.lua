-- queue_claim: confirm a reservation whose item arrived by BLMOVE.
-- KEYS[1] reservations (sorted set), KEYS[2] this reservation's list,
-- KEYS[3] "a put is waiting" flag, KEYS[4] space notification list
-- ARGV[1] reservation id, ARGV[2] visibility timeout (ms), ARGV[3] chunk size
-- Reply: 1, or 0 when the item is no longer there (the reservation had
-- expired and was recovered, so the item is back in the queue).
-- A script so that checking that the item is still reserved and starting
-- its visibility timeout are one step.
if redis.call('LLEN', KEYS[2]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RPUSH', KEYS[4], '1')
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[3]) - 1)
  redis.call('PEXPIRE', KEYS[4], 10000)
end
return 1
