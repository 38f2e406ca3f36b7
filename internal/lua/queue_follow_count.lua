-- queue_follow_count: give a queue's list that a native put (queueOf.Put's MULTI/EXEC,
-- which cannot branch) made anew the expiry of the unfinished-task count, which the put
-- read there. While tasks are unfinished the queue is one object: an Expire of it
-- covers what is put since, or the count would run out before the items it counts (a
-- Join would then return with them queued, and their TaskDone fail).
-- KEYS[1] the queue's list, KEYS[2] unfinished-task count
-- Reply: 1.
-- A script so that the count's expiry is read as it is now (a Persist since leaves the
-- list none, an Expire since gave it its own) and set in the same step. A count gone
-- since (run out, or its tasks done) leaves the list as it is: its items may be
-- counted again by a put made since, and are not deleted.
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl, 'NX') end
return 1
