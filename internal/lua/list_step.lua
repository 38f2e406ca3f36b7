-- list_step: one bounded step of rebuilding a list into a scratch list (see rebuild.go),
-- for whole-list rewrites (Reverse, Repeat, SetSlice of a long list).
-- KEYS[1] the list, KEYS[2] the scratch list (same slot)
-- ARGV[1] the scratch list's length before this step, ARGV[2] its expiry in ms, ARGV[3]
-- the step, then its arguments:
--   "copy" a b: append the list's elements a..b (LRANGE bounds) to the scratch list;
--   "rcopy" a b: put them at the head of the scratch list in reverse order (so that
--     copying a list's chunks from its head builds its reverse).
-- (Values from the client go by RPUSH in a MULTI/EXEC: rebuild.go's pushList.)
-- Reply: {"0", the scratch list's new length}.
-- A script so that the step checks the scratch list is whole (its length is the one the
-- last step left: error STALE otherwise, when it expired between steps) and renews its
-- expiry with the change, and so that a chunk is copied without crossing the network.
local key, tmp = KEYS[1], KEYS[2]
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local size = redis.call('LLEN', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' elements, not ' .. want)
end
if op == 'copy' or op == 'rcopy' then
  local part = redis.call('LRANGE', key, ARGV[4], ARGV[5])
  local push = 'RPUSH'
  if op == 'rcopy' then push = 'LPUSH' end
  for i = 1, #part, 1000 do -- unpack takes a few thousand values at most
    size = redis.call(push, tmp, unpack(part, i, math.min(i + 999, #part)))
  end
else
  return redis.error_reply('ERR unknown list step ' .. op)
end
if size > 0 then redis.call('PEXPIRE', tmp, ttl) end
return {'0', size}
