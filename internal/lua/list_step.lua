-- list_step: one bounded step of rebuilding a list into a scratch list (see rebuild.go),
-- for whole-list rewrites (Reverse, Repeat, SetSlice of a long list).
-- KEYS[1] the list, KEYS[2] the scratch list (same slot)
-- ARGV[1] the scratch list's length before this step, ARGV[2] its expiry in ms, ARGV[3]
-- the step, then its arguments:
--   "copy" a b max: append the list's elements a..b (LRANGE bounds, a >= 0) to the
--     scratch list, in pieces of a quarter of max bytes (by the largest element seen
--     in the step, element a's at first; at most 1,000 elements, at least one, and at
--     most twice the last piece's, 16 at first), stopping after the piece that makes
--     them max bytes or more (max 0: no bound, pieces of 1,000);
--   "rcopy" a b max: put them at the head of the scratch list in reverse order (so that
--     copying a list's chunks from its head builds its reverse).
-- (Values from the client go by RPUSH in a MULTI/EXEC: rebuild.go's pushList.)
-- Reply: {the index after the last element copied (b + 1 when all were, or the list
-- ended first), the scratch list's new length}. The bytes bound the step's time
-- whatever the elements' size: Lua copies each element twice.
-- A script so that the step checks the scratch list is whole (its length is the one the
-- last step left: error STALE otherwise, when it expired between steps) and renews its
-- expiry with the change, and so that a chunk is copied without crossing the network.
local key, tmp = KEYS[1], KEYS[2]
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local size = redis.call('LLEN', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' elements, not ' .. want)
end
local a
if op == 'copy' or op == 'rcopy' then
  local b, most, bytes = tonumber(ARGV[5]), tonumber(ARGV[6]), 0
  local push = 'RPUSH'
  if op == 'rcopy' then push = 'LPUSH' end
  a = tonumber(ARGV[4])
  -- A piece's size comes from the largest element seen, and grows slowly, so that a
  -- short first element does not let long ones after it into one piece.
  local piece, widest = 1000, 1
  if most > 0 then
    local first = redis.call('LINDEX', key, a)
    if first then widest = math.max(1, #first) end
    piece = math.max(1, math.min(16, math.floor(most / 4 / widest)))
  end
  while a <= b and (most == 0 or bytes < most) do
    local part = redis.call('LRANGE', key, a, math.min(b, a + piece - 1))
    if #part == 0 then a = b + 1 break end
    size = redis.call(push, tmp, unpack(part))
    for _, v in ipairs(part) do
      bytes = bytes + #v
      if #v > widest then widest = #v end
    end
    a = a + #part
    if most > 0 then piece = math.max(1, math.min(1000, 2 * piece, math.floor(most / 4 / widest))) end
  end
else
  return redis.error_reply('ERR unknown list step ' .. op)
end
if size > 0 then redis.call('PEXPIRE', tmp, ttl) end
return {a, size}
