-- queue_put: put items into a queue if they fit.
-- libs: queue_lib
-- KEYS[1] the list, KEYS[2] unfinished-task count, KEYS[3] join
-- notification list, KEYS[4] wake-ups owed to puts waiting for space (a
-- list: an element each time a put finds the queue full, at most a chunk),
-- KEYS[5] space notification list (wake-ups), KEYS[6] (set queues only) the
-- set of queued items
-- ARGV[1] max size (0 = unbounded), ARGV[2] 'R' (FIFO: RPUSH) or 'L' (LIFO:
-- LPUSH), ARGV[3] how long (ms) a full result registers this put as waiting
-- ('0': don't, answer a FULL error instead; 'C': only check, see below), ARGV[4]
-- chunk size, ARGV[5] the
-- wake-up this put took before this try ('' when none), ARGV[6] the put's id
-- (for the wake-ups it passes on; '' before it took one), ARGV[7..] the items,
-- in put order
-- Reply: the number of items added (a set queue skips items already queued
-- and repeats within the batch), or -1 when they do not fit and the put was
-- registered as waiting. A FULL error when they do not fit and ARGV[3] is
-- '0', or when they could never fit. With ARGV[3] 'C', the check a waiting
-- put sends just before its wait (BLPOP KEYS[5], in the same round trip),
-- nothing is added: when the items fit now and no wake-up is on KEYS[5], one
-- is announced there (the space a get announced while the put was on its way
-- to the wait went round the puts then blocked, and was dropped), and the
-- reply is 1; else 0.
-- A script so that the size check, the push, the set update and the task
-- count are one atomic step: no put can overfill a bounded queue, a set
-- queue never holds a member whose item is not in the list, and a put that
-- finds the queue full is registered before any get can free space, so the
-- get's wake-up is not missed.
local max = tonumber(ARGV[1])
local chunk = tonumber(ARGV[4])
local wake, me = ARGV[5] or '', ARGV[6] or ''

-- passOn hands the wake-up this put took (space a get announced, which these items
-- cannot use) on to the next put waiting, which a smaller request may fit: a wake-up
-- is '1', then the ids of the puts it was passed on by, and a put that finds its own
-- id there drops it: it went round every put blocked on KEYS[5] (they are served
-- first come, first served), so two large puts do not wake each other forever. (A
-- put registered but not yet blocked when it went round finds the space by its own
-- check just before it blocks: the 'C' check.) taken: one registration goes with it
-- (see below).
local function passOn(taken)
  if wake == '' or me == '' or string.find(' ' .. wake .. ' ', ' ' .. me .. ' ', 1, true) then
    return
  end
  if taken then redis.call('LPOP', KEYS[4]) end
  redis.call('RPUSH', KEYS[5], wake .. ' ' .. me)
  redis.call('PEXPIRE', KEYS[5], 10000)
end
local items = {}
if KEYS[6] then
  -- (SMISMEMBER a chunk at a time: a call per item cost ~3 µs an item.)
  local seen, distinct = {}, {}
  for i = 7, #ARGV do
    local v = ARGV[i]
    if not seen[v] then
      seen[v] = true
      distinct[#distinct + 1] = v
    end
  end
  for s = 1, #distinct, chunk do
    local e = math.min(s + chunk - 1, #distinct)
    local member = redis.call('SMISMEMBER', KEYS[6], unpack(distinct, s, e))
    for j = 1, #member do
      if member[j] == 0 then items[#items + 1] = distinct[s + j - 1] end
    end
  end
else
  for i = 7, #ARGV do items[#items + 1] = ARGV[i] end
end
local n = #items
if ARGV[3] == 'C' then
  if n > 0 and max > 0 and n <= max - redis.call('LLEN', KEYS[1]) and redis.call('EXISTS', KEYS[5]) == 0 then
    redis.call('RPUSH', KEYS[5], '1')
    redis.call('PEXPIRE', KEYS[5], 10000)
    return 1
  end
  return 0
end
if n == 0 then
  -- A set queue's items all queued already: this put takes no space it was woken
  -- for, which goes on to the next put waiting, if it is still there.
  if wake ~= '' and max > 0 and redis.call('LLEN', KEYS[1]) < max then passOn(false) end
  return 0
end
if max > 0 then
  if n > max then
    return redis.error_reply('FULL ' .. n .. ' items can never fit in a queue of max size ' .. max)
  end
  local free = max - redis.call('LLEN', KEYS[1])
  if n > free then
    if ARGV[3] == '0' then
      return redis.error_reply('FULL queue is full')
    end
    -- Register: a get that frees space moves an element of KEYS[4] to KEYS[5]
    -- (LMOVE, a no-op when no put waits), which wakes one put.
    redis.call('RPUSH', KEYS[4], '1')
    if free <= 0 then
      -- Wake-ups not yet taken are out of date (the space they announced is
      -- taken again, or this put would not be here): they go back to the
      -- waiting list, as fresh ones, so their puts are woken by the next space
      -- instead.
      local back = math.min(redis.call('LLEN', KEYS[5]), chunk)
      if back > 0 then
        local ones = {}
        for i = 1, back do ones[i] = '1' end
        redis.call('DEL', KEYS[5])
        redis.call('RPUSH', KEYS[4], unpack(ones))
      end
    else
      -- There is space, too little for these items.
      passOn(true)
    end
    redis.call('LTRIM', KEYS[4], 0, chunk - 1)
    redis.call('PEXPIRE', KEYS[4], ARGV[3])
    return -1
  end
end
local push = 'RPUSH'
if ARGV[2] == 'L' then push = 'LPUSH' end
local fresh = false
for s = 1, n, chunk do
  local e = math.min(s + chunk - 1, n)
  if redis.call(push, KEYS[1], unpack(items, s, e)) == e and s == 1 then fresh = true end
  if KEYS[6] then redis.call('SADD', KEYS[6], unpack(items, s, e)) end
end
-- A count key of another type (or no integer) refuses the put after the push (a list
-- key of another type refused the first push, before anything was written): the items
-- come off again, exactly those pushed (this step is atomic), so that no item is queued
-- that the count does not count, and the error is the put's.
local count = redis.pcall('INCRBY', KEYS[2], n)
if type(count) ~= 'number' then
  if push == 'RPUSH' then redis.call('RPOP', KEYS[1], n) else redis.call('LPOP', KEYS[1], n) end
  if KEYS[6] then leaveSet(KEYS[6], items, chunk) end
  return count
end
if fresh then
  -- A list made anew while tasks are unfinished takes the count's expiry (an Expire of
  -- the queue, whose list was empty then): the queue expires as a whole, or the count
  -- would run out before the items it counts.
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[1], ttl, 'NX')
    if KEYS[6] then redis.call('PEXPIRE', KEYS[6], ttl, 'NX') end
  end
end
if count == n then
  -- The queue had no unfinished tasks: a join token is out of date. A count made anew
  -- onto a list that expires (TaskDone called for items still queued, an Expire while
  -- there was no count, a list a program in HOT Redis's layout made) takes its expiry,
  -- or it would outlive the items it counts.
  redis.call('DEL', KEYS[3])
  if not fresh then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
return n
