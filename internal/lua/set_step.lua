-- set_step: one bounded step of rebuilding a set into a scratch set (see
-- rebuild.go), for in-place algebra with many values.
-- libs: chunk_lib
-- KEYS[1] the set, KEYS[2] the scratch set (same slot), KEYS[3..] for
-- "pick": the sets to look members up in
-- ARGV[1] the scratch set's size before this step, ARGV[2] its expiry in
-- ms, ARGV[3] the step, then its arguments:
--   "copy" cursor count bytes: copy the members an SSCAN of the set from cursor
--     returns until about count have been seen, or bytes of them, or the scan ends;
--   "pick" cursor count bytes rule: the same, copying only the members that are
--     in all of KEYS[3..] (rule "all"), in none ("none"), or in an odd
--     number of them ("odd", a key named twice counting twice);
--   "inter" values... (at most a chunk): add those that are members of the set;
--   "xor" values... (distinct): of those, remove the members of the set
--     and add the others.
-- (Union and difference with values go by SADD and SREM in a MULTI/EXEC:
-- rebuild.go's applyNative.)
-- Reply: {next cursor ("0" when done or not scanning), new size}; a copy or pick adds
-- the bytes and the number of the members it scanned (for the client's size estimate,
-- by which it sizes the next step: see rebuild.go's scan).
-- A script so that the step checks the scratch set is whole (its size is
-- the one the last step left: error STALE otherwise, when it expired
-- between steps) and renews its expiry with the change, and so that for
-- inter and xor the values cross the network once. Every step can run
-- twice on the same members (SSCAN may repeat one) without harm.
-- flags: guarded
local key, tmp = KEYS[1], KEYS[2]
local last = #KEYS - 1 -- KEYS[#KEYS] is keys.Absent's (flags: guarded)
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local size = redis.call('SCARD', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' members, not ' .. want)
end
local first = 4
local cursor = '0'

if op == 'copy' or op == 'pick' then
  cursor = ARGV[4]
  local budget, most, rule, seen, bytes = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], 0, 0
  repeat
    local r = redis.call('SSCAN', key, cursor, 'COUNT', scanCount(budget - seen, most - bytes, bytes, seen))
    cursor = r[1]
    local part = r[2]
    for _, m in ipairs(part) do bytes = bytes + #m end
    if op == 'pick' and #part > 0 then
      -- in[j]: how many of KEYS[3..] hold part[j].
      local in_ = {}
      for j = 1, #part do in_[j] = 0 end
      for i = 3, last do
        local here = callChunked('SMISMEMBER', KEYS[i], part)
        for j = 1, #part do in_[j] = in_[j] + here[j] end
      end
      local keep = {}
      for j = 1, #part do
        local n = in_[j]
        if (rule == 'all' and n == last - 2) or (rule == 'none' and n == 0) or
            (rule == 'odd' and n % 2 == 1) then
          keep[#keep + 1] = part[j]
        end
      end
      part = keep
    end
    if #part > 0 then callChunked('SADD', tmp, part) end
    seen = seen + #r[2]
  until cursor == '0' or seen >= budget or bytes >= most
  redis.call('PEXPIRE', tmp, ttl)
  return {cursor, redis.call('SCARD', tmp), bytes, seen}
elseif #ARGV < first then
  -- no values: nothing to do
elseif op == 'inter' or op == 'xor' then
  local here = redis.call('SMISMEMBER', key, unpack(ARGV, first))
  local add, rem = {}, {}
  for i = first, #ARGV do
    if here[i - first + 1] == 1 then
      if op == 'inter' then add[#add + 1] = ARGV[i] else rem[#rem + 1] = ARGV[i] end
    elseif op == 'xor' then
      add[#add + 1] = ARGV[i]
    end
  end
  if #rem > 0 then redis.call('SREM', tmp, unpack(rem)) end
  if #add > 0 then redis.call('SADD', tmp, unpack(add)) end
else
  return redis.error_reply('ERR set_step: unknown step ' .. op)
end
redis.call('PEXPIRE', tmp, ttl)
return {cursor, redis.call('SCARD', tmp)}
