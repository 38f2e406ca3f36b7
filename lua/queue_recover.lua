-- queue_recover: put back the item of a reservation that expired.
-- KEYS[1] the list, KEYS[2] reservations (sorted set), KEYS[3] the
-- reservation's list
-- ARGV[1] reservation id
-- Reply: the number of items put back (0 when the reservation was acked,
-- recovered already, or has not expired).
-- A script so that the deadline check, the move back to the head of the
-- queue and the removal of the reservation are one step: an item is
-- recovered once, and never after its consumer acked it.
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(s) > now then return 0 end
local n = 0
while redis.call('LMOVE', KEYS[3], KEYS[1], 'RIGHT', 'LEFT') do n = n + 1 end
redis.call('ZREM', KEYS[2], ARGV[1])
return n
