-- lock_take_lib: taking a free Lock or RLock (after clock_lib and fence_lib; lock_lib
-- describes the holding). Apart from lock_lib so that an acquire's common case can take
-- the lock before the rest of the engine's functions are defined.

-- take gives the free lock to owner for ttl ms, as attempt or wait wid, and returns the
-- fencing token and its text. A grant by a release passes when (server time, ms):
-- field g, which only a holding handed over has (the lock's hash is new, or rewritten
-- by the next grant, whenever a holding begins). (Arguments go as text: Redis 7.0
-- formats a Lua number argument with printf.)
local function take(owner, ttl, wid, when)
  local f, text = fence()
  if when then
    redis.call('HSET', KEYS[1], 'owner', owner, 'count', '1', 'fence', text, 'wid', wid,
      'g', string.format('%.0f', when))
  else
    redis.call('HSET', KEYS[1], 'owner', owner, 'count', '1', 'fence', text, 'wid', wid)
  end
  redis.call('PEXPIRE', KEYS[1], ttl)
  return f, text
end
