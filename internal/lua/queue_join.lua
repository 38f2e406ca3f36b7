-- queue_join: read the count of unfinished tasks for Join, and drop a
-- stale join token.
-- KEYS[1] unfinished-task count, KEYS[2] join notification list
-- Reply: the number of unfinished tasks.
-- A token is pushed when the count reaches zero; a put that makes it
-- non-zero again leaves it (deleting it would cost every put a command).
-- A script so that the token is dropped only while the count is not zero:
-- a token pushed by a TaskDone that has just brought it to zero stays.
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DEL', KEYS[2]) end
return n
