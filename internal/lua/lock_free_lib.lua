-- lock_free_lib: the uncontended release of a Lock or RLock, shared by lock_release_quick
-- and lock_release's common case (before any other library: it needs none). KEYS and
-- ARGV as in lock_release.

-- freeQuick frees the lock when the caller holds its only hold and nobody is in line,
-- and reports whether it did.
local function freeQuick()
  if redis.call('EXISTS', KEYS[4]) == 0 then
    local h = redis.call('HMGET', KEYS[1], 'owner', 'count')
    if h[1] == ARGV[5] and h[2] == '1' then
      redis.call('DEL', KEYS[1])
      return true
    end
  end
  return false
end
