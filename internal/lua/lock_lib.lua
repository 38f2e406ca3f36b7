-- lock_lib: the holding of a Lock or RLock (after lock_take_lib and line_lib): a hash at
-- KEYS[1] with the owner (the holding handle's id), count (holds: an RLock's re-entries),
-- fence (the holding's token), wid (the wait or attempt it went to), for a holding a
-- release handed over g (when, ms of server time), and q (1) once a wait joined the line
-- while it was held (see lock_release_quick); its expiry is the lease.

-- waiter parses a registration: expiry (ms, server time), lease (ms), owner.
local function waiter(info)
  local exp, lease, owner = string.match(info, '^(%d+) (%d+) (%S+)$')
  return tonumber(exp), tonumber(lease), owner
end

-- grant hands the free lock to the first waiter in line whose registration is live,
-- dropping dead ones. A grant to self (the waiter running the script) has the full
-- lease; any other is announced on the waiter's stream with a lease no longer than its
-- registration has left, which its watchdog renews at once: a waiter that died keeps
-- the lock no longer than that. Returns the wait id and token, or nil.
local function grant(self)
  while true do
    local head = redis.call('ZPOPMIN', KEYS[4])
    if #head == 0 then return nil end
    local wid = head[1]
    local info = redis.call('HGET', KEYS[5], wid)
    redis.call('HDEL', KEYS[5], wid, wid .. '#t')
    if info then
      local exp, lease, owner = waiter(info)
      if wid == self then return wid, (take(owner, lease, wid)) end
      if exp >= now() then
        local ttl = grantTTL(exp, lease)
        local f, text = take(owner, ttl, wid, now())
        announce(head[2], 'w', wid, 't', text, 'x', now() + ttl)
        return wid, f
      end
    end
  end
end

-- register puts wid in line or renews its registration (see joinLine; old: its ticket). A grant's
-- entry holds the wait id (w), the fencing token (t) and when the grant's lease runs
-- out (x, ms of server time).
local function register(wid, owner, lease, old)
  return joinLine(wid, lease .. ' ' .. owner, old)
end

-- An RLock's latest re-entries (field r): their attempts' ids, newest first, ','
-- between; at most REENTRIES of them, so that a second run of one (a command sent
-- twice) or lock_cancel after its reply was lost still finds it after the handle's other
-- goroutines re-entered meanwhile.
local REENTRIES = 8

-- reentered reports whether attempt wid is among the re-entries r (the field's value).
local function reentered(r, wid)
  for w in string.gmatch(r or '', '[^,]+') do
    if w == wid then return true end
  end
  return false
end

-- reentries writes the field r: wid first when add, then the others of r (the field's
-- value) but wid, up to REENTRIES.
local function reentries(r, wid, add)
  local keep = {}
  if add then keep[1] = wid end
  for w in string.gmatch(r or '', '[^,]+') do
    if w ~= wid and #keep < REENTRIES then keep[#keep + 1] = w end
  end
  if #keep == 0 then
    redis.call('HDEL', KEYS[1], 'r')
  else
    redis.call('HSET', KEYS[1], 'r', table.concat(keep, ','))
  end
end

-- release undoes one hold of owner's, handing the lock on when that frees it, and
-- returns the holds left; nil when owner does not hold the lock (or, when wid is
-- given, when the holding did not go to that attempt or wait, nor, when lost is true,
-- one of the latest re-entries: an attempt whose reply was lost). Each attempt's or
-- wait's hold goes once: a second release of the same wid finds it forgotten (the
-- holding's wid field, or its entry in r), also while the handle's other re-entries
-- keep the lock.
local function release(owner, wid, lost)
  local h = redis.call('HMGET', KEYS[1], 'owner', 'count', 'wid', 'r')
  if h[1] ~= owner then return nil end
  if wid and h[3] ~= wid then
    if not (lost and reentered(h[4], wid)) then return nil end
    reentries(h[4], wid, false)
  elseif wid then
    redis.call('HDEL', KEYS[1], 'wid')
  end
  if tonumber(h[2]) > 1 then return redis.call('HINCRBY', KEYS[1], 'count', -1) end
  -- A grant rewrites the lock's fields (and its expiry; r, an earlier owner's
  -- re-entry, may stay: every use of it checks the owner too): delete it only when
  -- nobody waits.
  if not grant(false) then redis.call('DEL', KEYS[1]) end
  return 0
end
