-- barrier_lib: a Barrier's state, shared by its scripts (after clock_lib and wake_lib).
-- KEYS, the same for every Barrier script (barrier.go):
--   [1] the barrier (hash): gen -> the current round's number, n -> arrivals in it,
--       broken -> '1' while broken (until Reset), done -> the last round completed,
--       lost -> the latest rounds that broke with waiters in them (numbers, by spaces),
--       w, i -> the latest arrival's wait id and index (barrier_arrive: its second run),
--       from -> the first round of the barrier since it was made (anew)
--   [2] the round's waiters (sorted set: wait id -> lease expiry, ms of server time)
--   [3] the wake stream: the end of a round with waiters is announced there as
--       g <round> r done|broken
-- Round numbers start from the server's clock in µs, so that a barrier deleted (or
-- expired) and made again never reuses the number of a round someone still waits in.
local B, WAITING, WAKE = KEYS[1], KEYS[2], KEYS[3]
-- KEEP is how long an unbroken barrier outlives its last use (ms); a broken one stays
-- until Reset. MARGIN is how long the waiters' set outlives its longest lease.
local KEEP, MARGIN = 3600000, 60000
-- LOST_MAX bounds the broken rounds remembered in lost.
local LOST_MAX = 32

local function num(x) return string.format('%.0f', x) end

-- FROM is the first round of a barrier that state found missing, for set to write.
local FROM

-- state returns the current round, the arrivals in it, whether the barrier is broken,
-- the last round completed (-1: none), and its first round since it was made (0 for a
-- barrier an older version made). A barrier that does not exist is at a round numbered
-- from the clock, with nobody in it.
local function state()
  local v = redis.call('HMGET', B, 'gen', 'n', 'broken', 'done', 'from')
  local gen = tonumber(v[1])
  if not gen then
    gen = nowMicros()
    FROM = gen
    return gen, 0, false, -1, gen
  end
  return gen, tonumber(v[2]) or 0, v[3] == '1', tonumber(v[4]) or -1, tonumber(v[5]) or 0
end

-- set writes the barrier's fields (field, value, ...): with its first round too, when
-- this call makes the barrier.
local function set(...)
  if FROM then
    redis.call('HSET', B, 'from', num(FROM), ...)
    FROM = nil
  else
    redis.call('HSET', B, ...)
  end
end

-- keep renews the life of an unbroken barrier and of its waiters' set.
local function keep(lease)
  redis.call('PEXPIRE', B, math.max(KEEP, lease + MARGIN))
  if redis.call('PTTL', WAITING) < lease + MARGIN then
    redis.call('PEXPIRE', WAITING, lease + MARGIN)
  end
end

-- breakRound breaks round gen, which had n arrivals: the barrier stays broken (and
-- without expiry) until Reset; if anyone waited, the round is remembered as lost and
-- its waiters are woken.
local function breakRound(gen, n)
  local had = redis.call('DEL', WAITING) > 0 or n > 0
  set('gen', num(gen), 'n', 0, 'broken', 1)
  redis.call('PERSIST', B)
  if had then
    local lost = {}
    for g in string.gmatch(redis.call('HGET', B, 'lost') or '', '%d+') do lost[#lost + 1] = g end
    lost[#lost + 1] = num(gen)
    while #lost > LOST_MAX do table.remove(lost, 1) end
    redis.call('HSET', B, 'lost', table.concat(lost, ' '))
    wake(WAKE, 'g', num(gen), 'r', 'broken')
  end
end

-- reap drops the waiters of round gen (n arrivals) whose lease ran out, and breaks the
-- round if there were any, or if waiters vanished (their set expired). It reports
-- whether it broke the round.
local function reap(gen, n)
  local dead = deadMembers(WAITING)
  if #dead > 0 or redis.call('ZCARD', WAITING) < n then
    breakRound(gen, n)
    return true
  end
  return false
end

-- ended says how round g ended for a waiter no longer in it: 1 completed, -1 broken.
-- (Rounds end in order, each completed or broken; lost lists the latest broken ones.
-- A round before from was a barrier's that was deleted or expired since: it ended with
-- it, unless it completed first, which its waiters learn from the wake stream.)
local function ended(g, gen, done, from)
  if gen <= g or done < g or g < from then return -1 end
  local lost, oldest, count = redis.call('HGET', B, 'lost'), nil, 0
  for x in string.gmatch(lost or '', '%d+') do
    local r = tonumber(x)
    if r == g then return -1 end
    oldest, count = oldest or r, count + 1
  end
  if count >= LOST_MAX and oldest > g then return -1 end -- too long ago to tell
  return 1
end
