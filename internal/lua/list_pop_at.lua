-- list_pop_at: remove and return the element at an index (Python list.pop(i)).
-- KEYS[1] the list
-- ARGV[1] index (negative counts from the end), ARGV[2] a unique marker, ARGV[3]
-- (optional) the most elements LREM may walk (0: no bound)
-- Reply: the element, or a RANGE error when the index is outside the list; a BIG
-- error, changing nothing, when the index is further than ARGV[3] from either end (the
-- caller then rebuilds the list without it, in steps).
-- A script so that reading and removing are one atomic step. The element is
-- swapped for the marker and LREM removes the marker, scanning from the
-- nearer end (~10 ms a million elements): native commands only.
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 then i = i + n end
if i < 0 or i >= n then
  return redis.error_reply('RANGE pop index out of range')
end
if i == 0 then return redis.call('LPOP', KEYS[1]) end
if i == n - 1 then return redis.call('RPOP', KEYS[1]) end
local bound = tonumber(ARGV[3] or '0')
if bound > 0 and math.min(i, n - 1 - i) > bound then
  return redis.error_reply('BIG ' .. math.min(i, n - 1 - i) .. ' elements to walk')
end
local v = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[2])
local dir = 1
if i >= n / 2 then dir = -1 end
redis.call('LREM', KEYS[1], dir, ARGV[2])
return v
