-- queue_unget: put back at the head of a set queue the items of a get
-- whose caller gave up (its context ended while the get was on its way).
-- KEYS[1] the list, KEYS[2] the set of queued items, KEYS[3]
-- unfinished-task count, KEYS[4] join notification list
-- ARGV[1..] the items, head first
-- Reply: the number of items put back.
-- A script so that each item goes back to the list and the set together,
-- unless an equal item was queued since it was taken: then it is dropped,
-- the queued one standing for it, and its task counts as done (as a
-- repeated put is not a task).
local n, dropped = 0, 0
for i = #ARGV, 1, -1 do
  local v = ARGV[i]
  if redis.call('SADD', KEYS[2], v) == 1 then
    redis.call('LPUSH', KEYS[1], v)
    n = n + 1
  else
    dropped = dropped + 1
  end
end
local left = tonumber(redis.call('GET', KEYS[3]) or '0')
if dropped > 0 and left > 0 then
  if redis.call('DECRBY', KEYS[3], math.min(dropped, left)) == 0 then
    redis.call('DEL', KEYS[3], KEYS[4])
    redis.call('RPUSH', KEYS[4], '1')
  end
end
return n
