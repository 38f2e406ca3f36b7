-- sem_lib: leases and the line of waiters of a Semaphore or BoundedSemaphore, shared by
-- sem_acquire, sem_release and sem_cancel, which are sent with this text in front of
-- them (loadScriptWith).
-- KEYS (all three): [1] holders (sorted set: handle id -> lease expiry in ms, server
-- time), [2] state (hash: handle id -> permits held, handle id .. '@' -> the holding's
-- epoch (the token that began it: a holding that expired and began again has a new
-- one, so the handle can tell), '#used' -> total held, '#extra' -> permits added by
-- over-release), [3] the fencing counter, [4] the line (sorted set:
-- wait id -> arrival ticket), [5] registrations (hash: wait id -> "expiry lease owner
-- n", '#seq' -> the last ticket), [6] unconfirmed grants (hash: wait id -> "n owner
-- token"), [7] and on: the grant streams. A grant to a waiter is announced on stream
-- ticket mod #streams, which wakes only the waiters reading it.
-- ARGV (all three): [1] how long a registration lasts unless renewed (ms), [2] the
-- shortest lease a grant gets when the waiter's registration is about to run out (ms),
-- [3] the semaphore's initial size.
-- Why a line kept on the server: releases hand permits to the waiters in arrival order
-- in the same step (no barging, and a large request is not overtaken by smaller ones
-- behind it); a waiter that dies is skipped once its registration runs out, and loses
-- a grant it never confirmed when the grant's short lease runs out.
local SIZE = tonumber(ARGV[3])

-- room returns the semaphore's capacity (its size plus the permits added by
-- over-release) and how many permits are free.
local function room()
  local h = redis.call('HMGET', KEYS[2], '#extra', '#used')
  local cap = SIZE + tonumber(h[1] or '0')
  return cap, cap - tonumber(h[2] or '0')
end

-- unhold returns up to k of id's permits; all of them when k is nil. cur is how many
-- id holds, when the caller has read it already.
local function unhold(id, k, cur)
  cur = cur or tonumber(redis.call('HGET', KEYS[2], id) or '0')
  if not k or k >= cur then
    k = cur
    redis.call('HDEL', KEYS[2], id, id .. '@')
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('HINCRBY', KEYS[2], id, -k)
  end
  if redis.call('HINCRBY', KEYS[2], '#used', -k) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
end

-- expire drops the holders whose lease ran out, and the grants they never confirmed.
local function expire()
  repeat
    local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now(), 'LIMIT', 0, 1000)
    for _, id in ipairs(dead) do unhold(id) end
    if #dead > 0 and redis.call('EXISTS', KEYS[6]) == 1 then
      local gone = {}
      for _, id in ipairs(dead) do gone[id] = true end
      local g = redis.call('HGETALL', KEYS[6])
      for i = 1, #g, 2 do
        if gone[string.match(g[i + 1], '^%d+ (%S+)')] then redis.call('HDEL', KEYS[6], g[i]) end
      end
    end
  until #dead < 1000
end

-- epoch returns the epoch of id's holding (0 if none).
local function epoch(id)
  return tonumber(redis.call('HGET', KEYS[2], id .. '@') or '0')
end

-- take gives n permits to id, with a lease of at least ttl ms, and returns a fencing token
-- and the epoch of id's holding (the token itself when the holding begins now).
local function take(id, n, ttl)
  local c = redis.call('HINCRBY', KEYS[2], id, n)
  redis.call('HINCRBY', KEYS[2], '#used', n)
  local exp = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
  redis.call('ZADD', KEYS[1], math.max(exp, now() + ttl), id)
  local f = redis.call('INCR', KEYS[3])
  if c == n then
    redis.call('HSET', KEYS[2], id .. '@', f)
    return f, f
  end
  return f, epoch(id)
end

-- waiter parses a registration: expiry (ms, server time), lease (ms), owner, n.
local function waiter(info)
  local exp, lease, owner, n = string.match(info, '^(%d+) (%d+) (%S+) (%d+)$')
  return tonumber(exp), tonumber(lease), owner, tonumber(n)
end

-- leave takes a waiter out of the line.
local function leave(wid) leaveLine(KEYS[4], KEYS[5], wid) end

-- grant hands free permits to the waiters in line, first come first served: it stops at
-- the first live waiter that wants more than is free, so that later, smaller requests do
-- not starve it, but passes over requests larger than the whole semaphore (they cannot
-- be served until over-releases make room) and drops waiters whose registration ran
-- out. A grant to self (the waiter running the script) has the full lease; any other is
-- recorded in KEYS[6] and announced on the waiter's stream with a lease no longer than
-- its registration has left (at least FLOOR), which the waiter's watchdog renews at once.
-- Returns self's token if self was served, whether a live waiter still waits for
-- permits that the semaphore could give (then newcomers must queue behind it), and the
-- epoch of self's holding.
local function grant(self)
  local off, got, cap, free, ep = 0, nil, nil, nil, nil
  while true do
    local batch = redis.call('ZRANGE', KEYS[4], off, off + 99, 'WITHSCORES')
    if #batch == 0 then return got, false, ep end
    if not cap then cap, free = room() end
    for i = 1, #batch, 2 do
      local wid = batch[i]
      local info = redis.call('HGET', KEYS[5], wid)
      local exp, lease, owner, n
      if info then exp, lease, owner, n = waiter(info) end
      if not info or (exp < now() and wid ~= self) then
        leave(wid)
      elseif n > cap then
        off = off + 1
      elseif n > free then
        return got, true, ep
      else
        leave(wid)
        free = free - n
        if wid == self then
          got, ep = take(owner, n, lease)
        else
          local ttl = grantTTL(exp, lease)
          local f, e = take(owner, n, ttl)
          redis.call('HSET', KEYS[6], wid, n .. ' ' .. owner .. ' ' .. f)
          redis.call('PEXPIRE', KEYS[6], lease + REG)
          announce(7, batch[i + 1], 'w', wid, 't', f, 'x', now() + ttl, 'e', e)
        end
      end
    end
  end
end

-- register puts wid in line or renews its registration (see joinLine). A grant's
-- entry holds the wait id (w), the fencing token (t), when the grant's lease runs out
-- (x, ms of server time) and the epoch of the holding (e).
local function register(wid, owner, n, lease)
  return joinLine(KEYS[4], KEYS[5], 7, wid, lease .. ' ' .. owner .. ' ' .. n)
end

-- earliest is how long until the first lease runs out (-1: no holder).
local function earliest()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(0, tonumber(first[2]) - now())
end
