-- lock_lib: the line of waiters of a Lock or RLock, shared by lock_acquire, lock_release
-- and lock_cancel, which are sent with this text in front of them (loadScriptWith).
-- KEYS (all three): [1] the lock (hash: owner, count, fence, wid: the wait it was
-- granted to, '' if taken directly), [2] the fencing counter, [3] the line (sorted set:
-- wait id -> arrival ticket), [4] registrations (hash: wait id -> "expiry lease owner",
-- '#seq' -> the last ticket), [5] and on: the grant streams. A grant to a waiter is
-- announced on stream ticket mod #streams, which wakes only the waiters reading it.
-- ARGV (all three): [1] how long a registration lasts unless renewed (ms), [2] the
-- shortest lease a grant gets when the waiter's registration is about to run out (ms).
-- Why a line kept on the server: a release hands the lock to the first live waiter in
-- the same step (no barging, no retry); a waiter that dies while waiting is skipped once
-- its registration runs out, and loses a grant it never confirmed when the grant's short
-- lease runs out.

-- waiter parses a registration: expiry (ms, server time), lease (ms), owner.
local function waiter(info)
  local exp, lease, owner = string.match(info, '^(%d+) (%d+) (%S+)$')
  return tonumber(exp), tonumber(lease), owner
end

-- leave takes a waiter out of the line.
local function leave(wid) leaveLine(KEYS[3], KEYS[4], wid) end

-- take gives the free lock to owner for ttl ms, granted to wait wid ('': taken
-- directly), and returns the fencing token.
local function take(owner, ttl, wid)
  local f = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], 'owner', owner, 'count', 1, 'fence', f, 'wid', wid)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return f
end

-- grant hands the free lock to the first waiter in line whose registration is live,
-- dropping dead ones. A grant to self (the waiter running the script) has the full
-- lease; any other is announced on the waiter's stream with a lease no longer than its
-- registration has left (at least FLOOR), which its watchdog renews at once: a waiter
-- that died keeps the lock no longer than that. Returns the wait id and token, or nil.
local function grant(self)
  while true do
    local head = redis.call('ZPOPMIN', KEYS[3])
    if #head == 0 then return nil end
    local wid = head[1]
    local info = redis.call('HGET', KEYS[4], wid)
    if info then
      redis.call('HDEL', KEYS[4], wid)
      local exp, lease, owner = waiter(info)
      if wid == self then return wid, take(owner, lease, wid) end
      if exp >= now() then
        local ttl = grantTTL(exp, lease)
        local f = take(owner, ttl, wid)
        announce(5, head[2], 'w', wid, 't', f, 'x', now() + ttl)
        return wid, f
      end
    end
  end
end

-- register puts wid in line or renews its registration (see joinLine). A grant's
-- entry holds the wait id (w), the fencing token (t) and when the grant's lease runs
-- out (x, ms of server time).
local function register(wid, owner, lease)
  return joinLine(KEYS[3], KEYS[4], 5, wid, lease .. ' ' .. owner)
end
