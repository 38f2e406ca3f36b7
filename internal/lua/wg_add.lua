-- wg_add: add delta to a WaitGroup's count (Add; Done adds -1).
-- libs: clock_lib wake_lib wg_lib
-- KEYS as in wg_lib. ARGV[1] delta, an integer with |delta| < 2^52.
-- Reply: the new count. An error reply, and no change, when the count would drop below
-- the number of live members started by Go (NEGATIVE: below 0 when there are none) or
-- reach 2^52 (TOOBIG).
-- A script so that counting dead members done, the check, the change and the wake-up of
-- the waiters when the count reaches 0 are one step: no waiter misses the zero, and no
-- two callers both pass the check on the same count.
-- flags: guarded
local delta = tonumber(ARGV[1])
local count, lost = open()
if not count then return lost end
if delta > 0 then
  local c, l = join(count, lost, delta)
  if not c then return l end
  store(count, c, l)
  return c
end
if delta == 0 then return count end
local members = redis.call('ZCARD', KEYS[2])
if count + delta < members then
  if members == 0 then return redis.error_reply('NEGATIVE negative WaitGroup counter') end
  return redis.error_reply('NEGATIVE negative WaitGroup counter: ' .. members .. ' of the count ' ..
    int(count) .. ' are members started by Go, which only they can finish')
end
store(count, count + delta, lost)
return count + delta
