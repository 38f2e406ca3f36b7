-- lock_acquire: take a Lock or RLock, or wait in line for it.
-- libs: clock_lib fence_lib lock_take_lib | line_lib lock_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's owner id, ARGV[6] lease in ms,
-- ARGV[7] "1" for re-entrant (RLock), ARGV[8] the attempt's id, ARGV[9] "1" to wait
-- (join or stay in line when the lock is not free), ARGV[10] the wait's arrival ticket from
-- its latest attempt (0: none yet)
-- Reply: {1, fencing token, holds} when acquired, and when a release had handed the lock
-- to this wait (which missed its announcement) also when (ms, server time) and the
-- server's time now; {0, ms until the holding may run out
-- (-1: no expiry)} when not, and for a wait also its grant stream's index, the id of
-- that stream's last entry, the server's time (ms) and its arrival ticket.
-- A script so that testing the owner, the line and the grant, taking the lock, drawing a
-- fencing token and joining the line are one atomic step: a release between a failed
-- attempt and the wait finds the waiter in line and hands it the lock.
local owner, lease, wid, waits = ARGV[5], ARGV[6], ARGV[8], ARGV[9] == '1'
-- Free, and nobody in line: the common case, in one call fewer than below, and
-- before the line's and the holding's other functions are defined (see lua.go's
-- "libs here": ~1.5 µs less server time a call here, by INFO commandstats).
if redis.call('EXISTS', KEYS[1], KEYS[4]) == 0 then
  return {1, take(owner, lease, wid), 1}
end
-- libs here
local h = redis.call('HMGET', KEYS[1], 'owner', 'wid', 'fence', 'r', 'g', 'q')
if h[1] then
  if h[2] == wid or h[1] == owner and reentered(h[4], wid) then
    -- Granted to this wait, whose announcement it missed, or this attempt's re-entry
    -- ran already (its command was sent twice): confirm it with the full lease.
    redis.call('PEXPIRE', KEYS[1], lease)
    local n = tonumber(redis.call('HGET', KEYS[1], 'count'))
    if h[2] == wid and h[5] then return {1, tonumber(h[3]), n, tonumber(h[5]), now()} end
    return {1, tonumber(h[3]), n}
  end
  if h[1] == owner and ARGV[7] == '1' then
    -- (r: the latest re-entries' attempts, for a second run and lock_cancel.)
    local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
    reentries(h[4], wid, true)
    redis.call('PEXPIRE', KEYS[1], lease)
    leave(wid)
    return {1, tonumber(h[3]), n}
  end
else
  -- A lock's holding always names its owner: a hash without one is not a lock's (a Map
  -- at the key, say), and taking the lock would write into it, and a release delete it.
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.error_reply('WRONGTYPE the key holds a hash that is not a lock (no owner field)')
  end
  -- A wait coming back to its place (ARGV[10]: its ticket; it may have been passed over
  -- while it was away) stands in line again before the lock is given to its head.
  if waits and tonumber(ARGV[10] or '0') >= 1 then register(wid, owner, lease, ARGV[10]) end
  local got, f = grant(waits and wid)
  if got == wid then return {1, f, 1} end
  if not got then
    -- Nobody in line (this wait included: grant serves it when it is).
    return {1, take(owner, lease, wid), 1}
  end
end
local wait = redis.call('PTTL', KEYS[1])
if not waits then return {0, wait} end
-- Someone waits while the lock is held: mark the holding (q), so that its holder's
-- release hands it on (lock_release_quick frees only an unmarked holding).
if not h[6] then redis.call('HSET', KEYS[1], 'q', 1) end
local s, last, ticket = register(wid, owner, lease, ARGV[10])
return {0, wait, s, last, now(), ticket}
