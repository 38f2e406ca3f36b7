-- sem_acquire: take n permits of a Semaphore or BoundedSemaphore, or wait in line for them.
-- libs: clock_lib fence_lib sem_take_lib line_lib sem_lib
-- KEYS and ARGV[1..4] as in line_lib. ARGV[5] the handle's id,
-- ARGV[6] n, ARGV[7] lease in ms, ARGV[8] the attempt's id, ARGV[9] "1" to wait (join or
-- stay in line when the permits are not free), ARGV[10] the wait's arrival ticket from its
-- latest attempt (0: none yet)
-- Reply: {1, fencing token, epoch of the handle's holding} when taken, and when a release
-- had granted them to this wait (which missed its announcement) also when (ms, server
-- time) and the server's time now; {0, ms until the
-- earliest lease runs out (-1: no holder)} when not, and for a wait also its grant
-- stream's index, the id of that stream's last entry, the server's time (ms) and its
-- arrival ticket.
-- A script so that dropping expired leases, serving the line, counting free permits,
-- taking them, drawing a fencing token and joining the line are one atomic step (a
-- release between a failed attempt and the wait finds the waiter in line); it reads the
-- server's clock so that every client agrees on when a lease runs out.
local id, n, lease, wid, waits = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], ARGV[9] == '1'
expire()
local g = redis.call('HGET', KEYS[6], wid)
if g then
  redis.call('HDEL', KEYS[6], wid)
  local exp = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
  if exp > now() then
    -- Granted to this wait, whose announcement it missed, and the grant's lease still
    -- runs: confirm it with the full lease.
    redis.call('ZADD', KEYS[1], now() + lease, id)
    outlive(lease)
    -- (A grant recorded by an earlier version has no time.)
    local token, when = string.match(g, '^%d+ %S+ (%d+) ?(%d*)$')
    if when == '' then return {1, tonumber(token), epoch(id)} end
    return {1, tonumber(token), epoch(id), tonumber(when), now()}
  end
end
local _, f = taken(id, wid)
local held = f and tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
if f and held > now() then
  -- This attempt took already: its command ran twice (a client that sends again
  -- after a lost connection). The same reply, and nothing more taken. (Not when the
  -- holding's lease is gone: then it is taken anew.)
  redis.call('ZADD', KEYS[1], math.max(held, now() + lease), id)
  outlive(lease)
  return {1, f, epoch(id)}
end
-- A wait coming back to its place (ARGV[10]: its ticket; it may have been passed over
-- while it was away) stands in line again before the permits go to the line's head.
if waits and tonumber(ARGV[10] or '0') >= 1 then register(wid, id, n, lease, ARGV[10]) end
local got, blocked, ep = grant(waits and wid)
if got then return {1, got, ep} end
local _, free = room()
if not blocked and free >= n then
  -- Nobody that could be served waits ahead: take them.
  leave(wid)
  local f, e = take(id, n, lease, wid)
  return {1, f, e}
end
if not waits then return {0, earliest()} end
local s, last, ticket = register(wid, id, n, lease, ARGV[10])
return {0, earliest(), s, last, now(), ticket}
