-- queue_recover: put back the item of a reservation (or parking) whose
-- deadline passed, or of one given up at once.
-- KEYS[1] the list, KEYS[2] reservations (sorted set), KEYS[3] the
-- parking list, KEYS[4] the reservation's list; set queues only: KEYS[5]
-- the set of queued items, KEYS[6] unfinished-task count, KEYS[7] join
-- notification list
-- ARGV[1] reservation id, ARGV[2] '1' to put back even before the deadline
-- (the taker gives the item up), '0' otherwise
-- Reply: the number of items put back (0 when the reservation was acked,
-- recovered already, or has not expired).
-- A script so that the deadline check, the move back to the head of the
-- queue, the set update and the removal of the reservation are one step:
-- an item is recovered once, and never after its consumer acked it.
--
-- A parked item (moved by a blocking command, not yet claimed) is still a
-- set member, so it simply goes back. A reserved item left the set when it
-- was reserved: it goes back to the list and the set unless an equal item
-- was queued since, in which case it is dropped, the queued one standing
-- for it, and its task counts as done (as a repeated put is not a task).
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s then return 0 end
if ARGV[2] ~= '1' and tonumber(s) > now() then return 0 end
local n = 0
while redis.call('LMOVE', KEYS[3], KEYS[1], 'RIGHT', 'LEFT') do n = n + 1 end
if KEYS[5] then
  local dropped = 0
  while true do
    local v = redis.call('RPOP', KEYS[4])
    if not v then break end
    local back = requeue(KEYS[1], KEYS[5], v)
    n, dropped = n + back, dropped + 1 - back
  end
  dropTasks(KEYS[6], KEYS[7], dropped)
else
  while redis.call('LMOVE', KEYS[4], KEYS[1], 'RIGHT', 'LEFT') do n = n + 1 end
end
redis.call('ZREM', KEYS[2], ARGV[1])
return n
