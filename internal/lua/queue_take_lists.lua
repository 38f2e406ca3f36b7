-- queue_take_lists: give the lists of a queue's outstanding takes the expiry its
-- registrations have now (Queue.Expire and Persist, after the queue's own keys): an
-- expiry of the same length, or none.
-- KEYS[1] registrations (sorted set), KEYS[2..] take lists and parking lists
-- Reply: 1.
-- A script so that the lists follow the registrations' state as it is, whoever set it:
-- an Expire or Persist that sent the same command to every list would undo one another
-- handle made meanwhile, and a take that ran before the queue's own keys changed kept
-- their old state for its list, which then outlived its registration (after Expire) or
-- kept an expiry the queue lost (after Persist).
local ttl = redis.call('PTTL', KEYS[1])
for i = 2, #KEYS do
  -- (A parking key that is a give-back's marker, a string, keeps its own expiry.)
  if redis.call('TYPE', KEYS[i]).ok == 'list' then
    if ttl > 0 then
      redis.call('PEXPIRE', KEYS[i], ttl)
    elseif ttl == -1 then
      redis.call('PERSIST', KEYS[i])
    end
  end
end
return 1
