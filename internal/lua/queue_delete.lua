-- queue_delete: delete a queue, with the lists of its outstanding
-- reservations and parked takes, a batch of registrations at a time.
-- KEYS[1] registrations of takes and reservations (sorted set);
-- KEYS[2 .. 2n+1] the reservation list and the parking list of each of the
-- n ids in ARGV, in that order; KEYS[2n+2 ..] the queue's other keys
-- ARGV the n ids (n may be 0)
-- Reply: 1 when registrations remain (the caller sends the next batch),
-- 0 when the queue is gone.
-- flags: guarded
local n = #ARGV
if n > 0 then
  redis.call('ZREM', KEYS[1], unpack(ARGV))
  redis.call('UNLINK', unpack(KEYS, 2, 2 * n + 1))
end
if #redis.call('ZRANGE', KEYS[1], 0, 0) > 0 then return 1 end
redis.call('UNLINK', KEYS[1], unpack(KEYS, 2 * n + 2, #KEYS - 1)) -- (not keys.Absent's)
return 0
