-- list_pop_at: remove and return the element at an index (Python list.pop(i)).
-- KEYS[1] the list
-- ARGV[1] index (negative counts from the end), ARGV[2] a unique marker
-- Reply: the element, or a RANGE error when the index is outside the list.
-- A script so that reading and removing are one atomic step. The element is
-- swapped for the marker and LREM removes the marker, scanning from the
-- nearer end: native commands only, so a list of any size works.
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 then i = i + n end
if i < 0 or i >= n then
  return redis.error_reply('RANGE pop index out of range')
end
if i == 0 then return redis.call('LPOP', KEYS[1]) end
if i == n - 1 then return redis.call('RPOP', KEYS[1]) end
local v = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[2])
local dir = 1
if i >= n / 2 then dir = -1 end
redis.call('LREM', KEYS[1], dir, ARGV[2])
return v
