-- sem_acquire: take n permits of a Semaphore or BoundedSemaphore, or wait in line for them.
-- KEYS and ARGV[1..3] as in sem_lib. ARGV[4] the handle's id, ARGV[5] n, ARGV[6] lease in
-- ms, ARGV[7] the wait id ('' for TryAcquire: never waits)
-- Reply: {1, fencing token, epoch of the handle's holding} when taken; {0, ms until the earliest lease runs out (-1: no
-- holder)} when not, and for a wait also its grant stream's index, the id of that
-- stream's last entry and the server's time (ms).
-- A script so that dropping expired leases, serving the line, counting free permits,
-- taking them, drawing a fencing token and joining the line are one atomic step (a
-- release between a failed attempt and the wait finds the waiter in line); it reads the
-- server's clock so that every client agrees on when a lease runs out.
local id, n, lease, wid = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
expire()
if wid ~= '' then
  local g = redis.call('HGET', KEYS[6], wid)
  if g then
    -- Granted to this wait, whose announcement it missed: confirm it with the full lease.
    redis.call('HDEL', KEYS[6], wid)
    local exp = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
    redis.call('ZADD', KEYS[1], math.max(exp, now() + lease), id)
    return {1, tonumber(string.match(g, '(%d+)$')), epoch(id)}
  end
end
local got, blocked, ep = grant(wid)
if got then return {1, got, ep} end
if not blocked and select(2, room()) >= n then
  -- Nobody that could be served waits ahead: take them.
  if wid ~= '' then leave(wid) end
  local f, e = take(id, n, lease)
  return {1, f, e}
end
if wid == '' then return {0, earliest()} end
local s, last = register(wid, id, n, lease)
return {0, earliest(), s, last, now()}
