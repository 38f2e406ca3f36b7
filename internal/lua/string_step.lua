-- string_step: one bounded step of building a long string in a scratch key (see
-- rebuild.go and string_steps.go), for rewrites of long strings (Repeat, SetSlice,
-- ImmutableString's Concat and Repeat).
-- KEYS[1] the source string, KEYS[2] the scratch string (same slot)
-- ARGV[1] the scratch string's length before this step, ARGV[2] its expiry in ms, ARGV[3]
-- the step, then its arguments:
--   "alloc" n: make the (missing) scratch string n bytes long, zeros: its only growth, so
--     that no later step has Redis move it in memory;
--   "copy" to from n: write the source's bytes [from, from+n) at offset to;
--   "self" to from n: the same from the scratch string itself (bytes written before);
--   "put" to value: write value at offset to.
-- Reply: {"0", the scratch string's new length}.
-- A script so that the step checks the scratch string is whole (its length is the one
-- the last step left: error STALE otherwise, when it expired between steps) and renews
-- its expiry with the change, and so that bytes are copied without crossing the network.
local src, tmp = KEYS[1], KEYS[2]
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local size = redis.call('STRLEN', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' bytes, not ' .. want)
end
if op == 'alloc' then
  local n = tonumber(ARGV[4])
  if size ~= 0 then
    return redis.error_reply('ERR string step alloc on a scratch string of ' .. size .. ' bytes')
  end
  if n > 0 then size = redis.call('SETRANGE', tmp, n - 1, '\0') end
else
  local to, piece = tonumber(ARGV[4])
  if op == 'copy' or op == 'self' then
    local from, n = tonumber(ARGV[5]), tonumber(ARGV[6])
    local of = src
    if op == 'self' then of = tmp end
    piece = redis.call('GETRANGE', of, from, from + n - 1)
    if #piece ~= n then
      return redis.error_reply('ERR string step ' .. op .. ' read ' .. #piece .. ' bytes, not ' .. n)
    end
  elseif op == 'put' then
    piece = ARGV[5]
  else
    return redis.error_reply('ERR unknown string step ' .. op)
  end
  if to + #piece > size then
    return redis.error_reply('ERR string step ' .. op .. ' past the scratch string\'s ' .. size .. ' bytes')
  end
  if #piece > 0 then redis.call('SETRANGE', tmp, to, piece) end
end
if size > 0 then redis.call('PEXPIRE', tmp, ttl) end
return {'0', size}
