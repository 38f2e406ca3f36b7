-- queue_lib: helpers of the queue scripts that take, park and put back items
-- (queue_take, queue_claim, queue_recover, queue_task_done); the scripts that read the
-- clock load clock_lib before it.

-- expired returns up to 10 ids of the registrations in regs (sorted set: id -> deadline
-- in ms) whose deadline is t (text: see nowText) or earlier, latest deadline first: each
-- recovered item goes back to the head, so recovering the latest-reserved first leaves
-- the items in the order they were taken (with equal visibility timeouts), FIFO or LIFO.
local function expired(regs, t)
  return redis.call('ZREVRANGEBYSCORE', regs, t, '-inf', 'LIMIT', '0', '10')
end

-- putBack puts what is parked in list park back at the head of list, in the order it
-- came: one item, or more when the wait that parked it ran twice (its pipeline sent
-- twice), each parking the head item of its time at the parking list's head.
local function putBack(park, list)
  while redis.call('LMOVE', park, list, 'LEFT', 'LEFT') do end
end

-- unpark puts what is parked in list park (if anything) back at the head of list,
-- drops the take's registration id from regs, and returns {'0', ids...}: the expired
-- ids, but id, for the caller to recover before it takes again.
local function unpark(park, list, regs, id, ids)
  putBack(park, list)
  redis.call('ZREM', regs, id)
  local out = {'0'}
  for _, x in ipairs(ids) do
    if x ~= id then out[#out + 1] = x end
  end
  return out
end

-- wakePuts wakes up to n puts waiting for space on a full queue: n wake-ups, moved
-- from the list of wake-ups owed (an element each time a put found the queue full) to
-- the list the puts wait on, each of which wakes one put, and which expires if no put
-- takes it (its put gave up).
local function wakePuts(waiting, notFull, n)
  local woken = 0
  for i = 1, n do
    if not redis.call('LMOVE', waiting, notFull, 'RIGHT', 'LEFT') then break end
    woken = i
  end
  if woken > 0 then redis.call('PEXPIRE', notFull, 10000) end
end

-- wrongTypes returns WRONGTYPE's error reply when a key of keys holds a value of another
-- type than its entry in types ('list', 'set'; an absent key is fine), nil otherwise.
-- Checked before a script's first write, so that the refusal changes nothing: a script's
-- error does not undo its earlier writes, and an item moved before it would be lost.
local function wrongTypes(keys, types)
  for i, k in ipairs(keys) do
    local t = redis.call('TYPE', k).ok
    if t ~= types[i] and t ~= 'none' then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
  end
end

-- requeue puts a set queue's item v back at the head of list and into set, unless an
-- equal item was queued since it was taken: then v is dropped, the queued one
-- standing for it. Returns 1 when v went back, 0 when it was dropped.
local function requeue(list, set, v)
  if redis.call('SADD', set, v) == 1 then
    redis.call('LPUSH', list, v)
    return 1
  end
  return 0
end

-- tasksDone marks n tasks done: the unfinished count goes down by n, not below 0, and
-- the task that brings it to 0 deletes it and wakes every Join: Joins wait with BLMOVE
-- from the joined list to itself, which takes nothing, so one token wakes them all. The
-- token expires: a Join that comes later reads the count first.
local function tasksDone(unfinished, joined, n)
  if n <= 0 then return end
  local left = tonumber(redis.call('GET', unfinished) or '0')
  if left > 0 and redis.call('DECRBY', unfinished, math.min(n, left)) == 0 then
    redis.call('DEL', unfinished, joined)
    redis.call('RPUSH', joined, '1')
    redis.call('PEXPIRE', joined, 10000)
  end
end

-- takeInto moves up to n items from the head of list to the end of the take's list
-- dst, in order, and returns them: one LMOVE for one item, else LPOP and RPUSH a chunk
-- at a time.
local function takeInto(list, dst, n, chunk)
  if n == 1 then
    local v = redis.call('LMOVE', list, dst, 'LEFT', 'RIGHT')
    if v then return {v} end
    return {}
  end
  local items = redis.call('LPOP', list, n)
  if not items then return {} end
  for s = 1, #items, chunk do
    redis.call('RPUSH', dst, unpack(items, s, math.min(s + chunk - 1, #items)))
  end
  return items
end

-- queueExpiry returns the expiry (ms) a take from the queue's list gets (see keepExpiry):
-- the list's PTTL, but while the list has none or is gone, the count's when it has one.
-- While tasks are unfinished the count's expiry is the queue's (Queue.Expire): a list made
-- anew then takes it (queue_put), but one a program in HOT Redis's layout makes does not;
-- the list, if it is there, gets it now, and so does a set queue's set (set: nil for other
-- queues), which a program in HOT Redis's layout makes anew with the list. -1: none;
-- -2: neither a list nor a count.
local function queueExpiry(list, count, set)
  local ttl = redis.call('PTTL', list)
  if ttl >= 0 then return ttl end
  local c = redis.call('PTTL', count)
  -- (A key of another type at the list's name keeps none: the take that follows fails.)
  if c > 0 and ttl == -1 and redis.call('TYPE', list).ok == 'list' then
    redis.call('PEXPIRE', list, c)
    if set then redis.call('PEXPIRE', set, c, 'NX') end
  end
  if c > 0 or ttl == -2 then return c end
  return ttl
end

-- keepExpiry gives a new take's list the expiry ttl (ms) of the queue's list
-- (Queue.Expire), read before the take, which may have emptied it: an item taken from an
-- expiring queue goes with it. Without it the take's list would outlive the queue. The
-- registrations (takes) then last at least as long, and no shorter than their lists: a
-- list of a take whose registration went first would never be recovered. So they get
-- ttl when they have a shorter expiry or none, and lose theirs when the queue's list has
-- none (ttl -1: a list a put made anew after the queue's earlier one, which had an
-- expiry, was emptied). A ttl of -2 (no list) changes nothing.
local function keepExpiry(ttl, list, takes)
  if ttl > 0 then
    redis.call('PEXPIRE', list, ttl)
    if redis.call('PEXPIRE', takes, ttl, 'NX') == 0 then redis.call('PEXPIRE', takes, ttl, 'GT') end
  elseif ttl == -1 then
    redis.call('PERSIST', takes)
  end
end

-- leaveSet removes taken items from a set queue's set, a chunk at a time.
local function leaveSet(set, items, chunk)
  for s = 1, #items, chunk do
    redis.call('SREM', set, unpack(items, s, math.min(s + chunk - 1, #items)))
  end
end
