-- line_lib: the line of waiters that Locks and Semaphores share (see handoff.go), sent
-- in front of lock_lib or sem_lib (loadScriptWith). Its functions take the keys they
-- use, since the two libs number their KEYS differently: line (sorted set: wait id ->
-- arrival ticket), regs (hash: wait id -> "expiry ..." registration, '#seq' -> the last
-- ticket) and the grant streams, KEYS[first] to KEYS[#KEYS].
-- ARGV[1] how long a registration lasts unless renewed (ms), ARGV[2] the shortest lease
-- a grant gets when the waiter's registration is about to run out (ms).
local REG = tonumber(ARGV[1])
local FLOOR = tonumber(ARGV[2])

-- now is the server's clock in ms, read once per script (only when needed).
local NOW
local function now()
  if not NOW then
    local t = redis.call('TIME')
    NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return NOW
end

-- leaveLine takes wait wid out of the line and drops its registration.
local function leaveLine(line, regs, wid)
  redis.call('ZREM', line, wid)
  redis.call('HDEL', regs, wid)
end

-- joinLine puts wid in line (at the end, the first time) or renews its registration
-- ("expiry " .. info), and returns its stream's index (from 0) and the stream's last
-- entry id, from which the waiter reads.
local function joinLine(line, regs, first, wid, info)
  local ticket = redis.call('ZSCORE', line, wid)
  if not ticket then
    -- First come, first served: the waiters in line hold consecutive tickets, so up to
    -- as many as there are streams read a stream each.
    ticket = redis.call('HINCRBY', regs, '#seq', 1)
    redis.call('ZADD', line, ticket, wid)
  end
  local s = tonumber(ticket) % (#KEYS - first + 1)
  redis.call('HSET', regs, wid, (now() + REG) .. ' ' .. info)
  redis.call('PEXPIRE', line, REG)
  redis.call('PEXPIRE', regs, REG)
  local last = redis.call('XREVRANGE', KEYS[first + s], '+', '-', 'COUNT', 1)
  if #last == 0 then return s, '0-0' end
  return s, last[1][1]
end

-- grantTTL is the lease of a grant to another waiter, whose registration runs out at
-- exp: no longer than that registration has left (at least FLOOR), so that a waiter
-- that died keeps the grant no longer; its watchdog renews it at once to lease.
local function grantTTL(exp, lease)
  return math.min(lease, math.max(exp - now(), FLOOR))
end

-- announce puts a grant's entry (field, value pairs) on the stream of the waiter with
-- arrival ticket ticket, which wakes only the waiters reading that stream.
local function announce(first, ticket, ...)
  local st = KEYS[first + tonumber(ticket) % (#KEYS - first + 1)]
  redis.call('XADD', st, 'MAXLEN', '~', 32, '*', ...)
  redis.call('PEXPIRE', st, REG)
end
