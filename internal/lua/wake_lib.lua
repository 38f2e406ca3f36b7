-- wake_lib: the wake stream of the types whose callers wait for a change made by others
-- (WaitGroup, Once, Event, Barrier; after clock_lib), and the members they lease.
-- A waiter reads the state and the stream's last entry id in one script; when it must
-- wait it blocks in XREAD after that id, so a change announced with wake() after the
-- read wakes it at once, whichever process makes it, and none is missed. Waiters also
-- come back after at most a second (maxBlock) and read the state again, which covers a
-- stream that expired meanwhile.
-- WAKE_TTL is how long a wake stream outlives its last entry: long enough for a waiter
-- between its read and its XREAD.
local WAKE_TTL = 60000

-- lastEntry returns the id of the stream's last entry ('0-0' when it has none).
local function lastEntry(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #last == 0 then return '0-0' end
  return last[1][1]
end

-- wake announces a change (field, value pairs) on stream, waking every waiter reading it.
local function wake(stream, ...)
  redis.call('XADD', stream, 'MAXLEN', '~', 32, '*', ...)
  redis.call('PEXPIRE', stream, WAKE_TTL)
end

-- leaseMember adds or renews id in the members sorted set zs (id -> lease expiry, ms of
-- server time) for lease ms.
local function leaseMember(zs, id, lease)
  redis.call('ZADD', zs, now() + tonumber(lease), id)
end

-- deadMembers removes and returns up to 1000 members of zs whose lease ran out.
local function deadMembers(zs)
  local dead = redis.call('ZRANGEBYSCORE', zs, '-inf', now() - 1, 'LIMIT', 0, 1000)
  if #dead > 0 then redis.call('ZREM', zs, unpack(dead)) end
  return dead
end

-- nextExpiry returns ms until the first member of zs runs out (-1: no member).
local function nextExpiry(zs)
  local first = redis.call('ZRANGE', zs, 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(0, tonumber(first[2]) - now())
end
