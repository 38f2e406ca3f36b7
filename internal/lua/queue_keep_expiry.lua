-- queue_keep_expiry: give a take that the native take (queueOf.Get's MULTI/EXEC, which
-- cannot branch) made on a queue whose list had an expiry, or whose registrations had
-- one the list had not, what queue_take would have given it (see keepExpiry), by the
-- queue's state now: an Expire or Persist since the take counts, not what the take saw.
-- libs: queue_lib
-- KEYS[1] the queue's list, KEYS[2] the take's list, KEYS[3] registrations (sorted set),
-- KEYS[4] unfinished-task count
-- ARGV[1] the PTTL of the queue's list that the take read, before it took
-- Reply: 1.
-- A script so that reading the expiries and setting them are one step. When the take
-- emptied the list (it is gone now), or the list has none, the count's expiry is the
-- queue's (see queueExpiry): an Expire gave it the list's, and a Persist since took both.
-- Without a count (every task done), the take's own reading is used only when the registrations still have an
-- expiry: had a Persist come since, they would have none, and one from before it must
-- not come back (the lists of other takes, persisted with them, would outlive their
-- registrations). (When they have none because the take's registration made them, the
-- take keeps no expiry: it lasts until its acknowledgement, or, if its taker dies
-- first, until a take on the queue recovers it.)
local ttl = queueExpiry(KEYS[1], KEYS[4])
if ttl == -2 and redis.call('PTTL', KEYS[3]) > 0 then ttl = tonumber(ARGV[1]) end
keepExpiry(ttl, KEYS[2], KEYS[3])
return 1
