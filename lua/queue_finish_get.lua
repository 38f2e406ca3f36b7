-- queue_finish_get: finish a set queue's blocking get, whose item BLMOVE
-- parked in a list of its own.
-- KEYS[1] the parking list, KEYS[2] the queue's list, KEYS[3] the set of
-- queued items, KEYS[4] reservations (sorted set), KEYS[5] "a put is
-- waiting" flag, KEYS[6] space notification list
-- ARGV[1] the parking id, ARGV[2] how many items to take in all (the
-- parked one, then more from the head of the queue), ARGV[3] chunk size
-- Reply: the items taken, or an empty array when the parked item is gone
-- (the parking expired and the item went back to the queue).
-- A script so that the item leaves the set in the same step as it leaves
-- the queue's keys: a crash before this step leaves the item parked (and
-- put back when the parking expires), never a set member without its item.
local v = redis.call('LPOP', KEYS[1])
if not v then return {} end
local items = {v}
local more = tonumber(ARGV[2]) - 1
if more > 0 then
  local rest = redis.call('LPOP', KEYS[2], more)
  if rest then
    for _, x in ipairs(rest) do items[#items + 1] = x end
  end
end
local n = #items
local chunk = tonumber(ARGV[3])
for s = 1, n, chunk do
  redis.call('SREM', KEYS[3], unpack(items, s, math.min(s + chunk - 1, n)))
end
redis.call('ZREM', KEYS[4], ARGV[1])
if redis.call('EXISTS', KEYS[5]) == 1 then
  local tokens = {}
  for i = 1, math.min(n, chunk) do tokens[i] = '1' end
  redis.call('RPUSH', KEYS[6], unpack(tokens))
  redis.call('LTRIM', KEYS[6], 0, chunk - 1)
  redis.call('PEXPIRE', KEYS[6], 10000)
end
return items
