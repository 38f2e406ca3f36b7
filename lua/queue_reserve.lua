-- queue_reserve: reserve the head item of a queue for one consumer.
-- KEYS[1] the list, KEYS[2] reservations (sorted set: id -> deadline in ms,
-- server time), KEYS[3] this reservation's list, KEYS[4] "a put is
-- waiting" flag, KEYS[5] space notification list
-- ARGV[1] reservation id, ARGV[2] visibility timeout (ms), ARGV[3] how much
-- longer (ms) to hold the registration when the queue is empty, because
-- the caller is about to wait for an item with BLMOVE into KEYS[3] ('0':
-- it will not wait, so do not register)
-- ARGV[4] chunk size
-- Reply: {1, item} or {0, ""}, followed by up to 10 ids of reservations
-- whose deadline has passed, for the caller to recover (then nothing is
-- reserved, so that the recovered items, put back at the head, come first).
-- A script so that moving the item into the reservation's list and
-- recording the deadline are one step: an item is always either in the
-- queue or in a reservation that will expire, even if the consumer dies
-- the next instant.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local vis = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 10)
if #expired > 0 then
  local out = {0, ''}
  for _, id in ipairs(expired) do out[#out + 1] = id end
  return out
end
local out = {0, ''}
local v = redis.call('LMOVE', KEYS[1], KEYS[3], 'LEFT', 'LEFT')
if v then
  out = {1, v}
  redis.call('ZADD', KEYS[2], now + vis, ARGV[1])
  if redis.call('EXISTS', KEYS[4]) == 1 then
    redis.call('RPUSH', KEYS[5], '1')
    redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[4]) - 1)
    redis.call('PEXPIRE', KEYS[5], 10000)
  end
elseif ARGV[3] ~= '0' then
  redis.call('ZADD', KEYS[2], now + vis + tonumber(ARGV[3]), ARGV[1])
end
return out
