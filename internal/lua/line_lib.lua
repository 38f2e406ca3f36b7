-- line_lib: the line-and-lease engine's keys, clock-based fencing and line of waiters,
-- shared by every lock and semaphore script (after clock_lib and fence_lib, before lock_lib or
-- sem_lib).
-- KEYS, the same for every script of the engine (lineSuffixes in line.go):
--   [1] the holding: a Lock's hash (owner, count, fence, wid, and r: an RLock's latest
--       re-entries' attempts, see lock_lib) or a Semaphore's holders (sorted set: handle
--       id -> lease expiry in ms, server time)
--   [2] a Semaphore's state (hash: handle id -> permits held, id .. '@' -> the holding's
--       epoch, id .. '#a' -> its latest takes: "attempt or wait id, permits, token",
--       newest first, ',' between (see sem_take_lib),
--       '#used' -> total held, '#extra' -> permits added by over-release)
--   [3] the fencing counter
--   [4] the line (sorted set: wait id -> arrival ticket)
--   [5] registrations (hash: wait id -> "expiry lease owner [n]", wait id .. '#t' -> when
--       it joined the line (ms, server time: for operators, hotredis inspect), '#seq' ->
--       last ticket); fields with a '#' are not registrations
--   [6] a Semaphore's unconfirmed grants (hash: wait id -> "n owner token when", when:
--       the grant's server time in ms)
--   [7] and on: the grant streams. A grant to a waiter is announced on stream ticket mod
--       #streams, which wakes only the waiters reading it.
--   [#KEYS] a key that never exists (keys.Absent): while the slot migrates, Redis refuses
--       the script whole rather than stop it at a key it emptied (a release drops the
--       holding, then hands it on).
-- ARGV, the same first four for every script: [1] how long a registration lasts unless
-- renewed (ms), [2] the shortest lease a grant gets (ms), [3] how long the fencing
-- counter outlives its last use (ms), [4] the capacity (a semaphore's initial size; 1).
-- Why a line kept on the server: a release hands what it frees to the first live
-- waiters in the same step (no barging, no retry, no polling); a waiter that dies is
-- skipped once its registration runs out, and loses a grant it never confirmed when the
-- grant's short lease runs out.
local REG = tonumber(ARGV[1])
local FLOOR = tonumber(ARGV[2])
local FIRST_STREAM = 7 -- KEYS[FIRST_STREAM..#KEYS - 1] are the grant streams
-- The line's keys live as long as the longest registration can (registrations are
-- tied to their waiter's lease, and never longer than this).
local LINE_TTL = '1500' -- (text: Redis 7.0 formats a Lua number argument with printf)

-- leave takes wait wid out of the line and drops its registration and arrival time.
local function leave(wid)
  redis.call('ZREM', KEYS[4], wid)
  redis.call('HDEL', KEYS[5], wid, wid .. '#t')
end

-- joinLine puts wid in line (at the end, the first time, noting when) or renews its
-- registration ("expiry " .. info), and returns its stream's index (from 0), the stream's
-- last entry id, from which the waiter reads, and its arrival ticket. A waiter that
-- comes back with the ticket old, after its registration ran out (its renewal held up
-- past it: a stall, a loaded machine) and a release skipped it or the line's keys
-- expired, takes its place back: it still proved alive before anyone who arrived after
-- it, and is served before them.
local function joinLine(wid, info, old)
  local ticket = tonumber(redis.call('ZSCORE', KEYS[4], wid))
  if not ticket then
    -- A new line, or one whose keys expired while its waiters were away: its tickets
    -- begin at the server's time in µs, above those any earlier line gave (its keys
    -- lived 1.5 s past its last join; tickets count joins, fewer than one a µs), so that
    -- waiters coming back to their places stay ahead of a newcomer, whoever comes
    -- first; its first waiter reads the first stream.
    local n = #KEYS - FIRST_STREAM
    redis.call('HSETNX', KEYS[5], '#seq', string.format('%.0f', math.floor(nowMicros() / n) * n))
    old = tonumber(old)
    if old and old >= 1 and old == math.floor(old) then
      ticket = old
      if tonumber(redis.call('HGET', KEYS[5], '#seq')) < old then
        redis.call('HSET', KEYS[5], '#seq', string.format('%.0f', old))
      end
    else
      -- First come, first served: the waiters in line hold consecutive tickets, so up to
      -- as many as there are streams read a stream each.
      ticket = redis.call('HINCRBY', KEYS[5], '#seq', 1)
    end
    redis.call('ZADD', KEYS[4], ticket, wid)
    redis.call('HSET', KEYS[5], wid .. '#t', string.format('%.0f', now()))
  end
  local s = ticket % (#KEYS - FIRST_STREAM)
  redis.call('HSET', KEYS[5], wid, (now() + REG) .. ' ' .. info)
  redis.call('PEXPIRE', KEYS[4], LINE_TTL)
  redis.call('PEXPIRE', KEYS[5], LINE_TTL)
  local last = redis.call('XREVRANGE', KEYS[FIRST_STREAM + s], '+', '-', 'COUNT', 1)
  if #last == 0 then return s, '0-0', ticket end
  return s, last[1][1], ticket
end

-- grantTTL is the lease of a grant to another waiter, whose registration runs out at
-- exp: no longer than that registration has left (a waiter that died keeps the grant no
-- longer), at least FLOOR; its watchdog renews it to lease as soon as it reads it.
local function grantTTL(exp, lease)
  return math.min(lease, math.max(exp - now(), FLOOR))
end

-- announce puts a grant's entry (field, value pairs) on the stream of the waiter with
-- arrival ticket ticket, which wakes only the waiters reading that stream.
local function announce(ticket, ...)
  local st = KEYS[FIRST_STREAM + tonumber(ticket) % (#KEYS - FIRST_STREAM)]
  redis.call('XADD', st, 'MAXLEN', '~', '32', '*', ...)
  redis.call('PEXPIRE', st, LINE_TTL)
end
