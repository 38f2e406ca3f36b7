-- rebuild_commit: put a rebuilt value in place of its key (see rebuild.go).
-- KEYS[1] the key, KEYS[2] the scratch key holding the new value
-- ARGV[1] "set", "hash", "list" or "string"; ARGV[2] the scratch key's size as its last step
-- counted it; ARGV[3] the key's expiry when the rebuild began (PEXPIRETIME:
-- ms since the epoch, or negative for none)
-- Reply: the new size.
-- Sent inside MULTI/EXEC after WATCH of every key the value was computed
-- from, so it applies only if none changed meanwhile. A script so that it
-- can first check that the scratch key is whole (a step lost to its expiry
-- shows as a wrong size: error STALE, and the rebuild starts over), which
-- MULTI alone cannot. UNLINK frees the old value in the background and
-- RENAME is O(1), so this takes no longer for a million members than for
-- one. An empty new value leaves the key absent, as Redis does.
-- flags: guarded
local key, tmp = KEYS[1], KEYS[2]
local n
if ARGV[1] == 'set' then
  n = redis.call('SCARD', tmp)
elseif ARGV[1] == 'list' then
  n = redis.call('LLEN', tmp)
elseif ARGV[1] == 'string' then
  n = redis.call('STRLEN', tmp)
else
  n = redis.call('HLEN', tmp)
end
if n ~= tonumber(ARGV[2]) then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. n .. ' entries, not ' .. ARGV[2])
end
redis.call('UNLINK', key)
if n > 0 then
  redis.call('RENAME', tmp, key)
  local at = tonumber(ARGV[3])
  if at > 0 then
    redis.call('PEXPIREAT', key, at)
  else
    redis.call('PERSIST', key)
  end
end
return n
