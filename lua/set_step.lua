-- set_step: one bounded step of rebuilding a set into a scratch set (see
-- rebuild.go), for in-place algebra with many values.
-- KEYS[1] the set, KEYS[2] the scratch set (same slot)
-- ARGV[1] the scratch set's size before this step, ARGV[2] its expiry in
-- ms, ARGV[3] the step, then its arguments:
--   "copy" cursor count: copy the members an SSCAN from cursor returns
--     until about count have been seen or the scan ends;
--   "add" values...: add the values (at most a chunk);
--   "rem" values...: remove them;
--   "inter" values...: add those that are members of the set;
--   "xor" values... (distinct): of those, remove the members of the set
--     and add the others.
-- Reply: {next cursor ("0" when done or not scanning), new size}.
-- A script so that the step checks the scratch set is whole (its size is
-- the one the last step left: error STALE otherwise, when it expired
-- between steps) and renews its expiry with the change, and so that for
-- inter and xor the values cross the network once.
local key, tmp = KEYS[1], KEYS[2]
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local size = redis.call('SCARD', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' members, not ' .. want)
end
local first = 4
local cursor = '0'

if op == 'copy' then
  cursor = ARGV[4]
  local budget, seen = tonumber(ARGV[5]), 0
  repeat
    local r = redis.call('SSCAN', key, cursor, 'COUNT', budget)
    cursor = r[1]
    if #r[2] > 0 then redis.call('SADD', tmp, unpack(r[2])) end
    seen = seen + #r[2]
  until cursor == '0' or seen >= budget
elseif #ARGV < first then
  -- no values: nothing to do
elseif op == 'add' then
  redis.call('SADD', tmp, unpack(ARGV, first))
elseif op == 'rem' then
  redis.call('SREM', tmp, unpack(ARGV, first))
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
