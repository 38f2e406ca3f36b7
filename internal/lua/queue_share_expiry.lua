-- queue_share_expiry: give a queue's list and its unfinished-task count one expiry after
-- a native put (queueOf.Put's MULTI/EXEC, which cannot branch) made either of them anew:
-- a list made anew while the count expires takes the count's expiry, and a count made
-- anew onto a list that expires takes the list's. While tasks are unfinished the queue
-- is one object: an Expire of it covers what is put since, or the count would run out
-- before the items it counts, or outlive them (a Join would then return with them
-- queued, or wait forever).
-- KEYS[1] the queue's list, KEYS[2] unfinished-task count
-- Reply: 1.
-- A script so that both expiries are read as they are now (a Persist since took both,
-- an Expire since gave both) and set in the same step. A key gone since (the count run
-- out, or its tasks done) leaves the other as it is: its items may be counted again by
-- a put made since, and are not deleted.
local c = redis.call('PTTL', KEYS[2])
local l = redis.call('PTTL', KEYS[1])
if c > 0 and l == -1 then
  redis.call('PEXPIRE', KEYS[1], c)
elseif l > 0 and c == -1 then
  redis.call('PEXPIRE', KEYS[2], l)
end
return 1
