-- lock_take_lib: taking a free Lock or RLock (after clock_lib and fence_lib; lock_lib
-- describes the holding). Apart from lock_lib so that an acquire's common case can take
-- the lock before the rest of the engine's functions are defined.

-- take gives the free lock to owner for ttl ms, as attempt or wait wid, and returns the
-- fencing token.
local function take(owner, ttl, wid)
  local f = fence()
  redis.call('HSET', KEYS[1], 'owner', owner, 'count', 1, 'fence', string.format('%.0f', f), 'wid', wid)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return f
end
