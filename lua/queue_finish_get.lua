-- queue_finish_get: finish a set queue's blocking get, whose item BLMOVE
-- has just parked in a list of its own; sent in the same pipeline as the
-- BLMOVE, so it runs right after it on the server.
-- KEYS[1] the parking list, KEYS[2] the queue's list, KEYS[3] the set of
-- queued items, KEYS[4] reservations (sorted set), KEYS[5] waiting puts,
-- KEYS[6] space notification list
-- ARGV[1] the parking id, ARGV[2] how many items to take in all (the
-- parked one, then more from the head of the queue), ARGV[3] chunk size
-- Reply: {1, items...}; {0} when nothing was parked (the wait timed out, or
-- the parking expired and was recovered); or {0, ids...} with up to 10 ids
-- of reservations whose deadline has passed: then the parked item went back
-- to the head, for the caller to recover those first.
-- A script so that the item leaves the set in the same step as it leaves
-- the queue's keys: a parked item is still a member, and if its taker dies
-- before this step, the parking expires and the item goes back to the
-- queue; the set never keeps a member whose item is gone.
local ids = expired(KEYS[4], now())
if #ids > 0 then return unpark(KEYS[1], KEYS[2], KEYS[4], ARGV[1], ids) end
redis.call('ZREM', KEYS[4], ARGV[1])
local v = redis.call('LPOP', KEYS[1])
if not v then return {0} end
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
wakePuts(KEYS[5], KEYS[6], math.min(n, chunk))
table.insert(items, 1, 1)
return items
