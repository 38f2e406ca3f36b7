-- queue_task_done: mark one task of a queue done (Python's task_done).
-- libs: queue_lib
-- KEYS[1] unfinished-task count, KEYS[2] join notification list
-- Reply: the number of unfinished tasks left, or a TASKDONE error when there were none.
-- A script so that checking and decrementing are one step (the count never goes below
-- zero) and so that the task that brings it to zero wakes every Join in the same step.
-- flags: guarded
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 0 then
  return redis.error_reply('TASKDONE task_done() called too many times')
end
tasksDone(KEYS[1], KEYS[2], 1)
return n - 1
