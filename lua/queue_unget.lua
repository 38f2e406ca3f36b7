-- queue_unget: put back at the head of a set queue the items of a get
-- whose caller gave up (its context ended while the get was on its way).
-- KEYS[1] the list, KEYS[2] the set of queued items, KEYS[3]
-- unfinished-task count, KEYS[4] join notification list
-- ARGV[1..] the items, head first
-- Reply: the number of items put back.
-- A script so that each item goes back to the list and the set together,
-- unless an equal item was queued since it was taken: then it is dropped,
-- the queued one standing for it, and its task counts as done (as a
-- repeated put is not a task).
local n = 0
for i = #ARGV, 1, -1 do n = n + requeue(KEYS[1], KEYS[2], ARGV[i]) end
dropTasks(KEYS[3], KEYS[4], #ARGV - n)
return n
