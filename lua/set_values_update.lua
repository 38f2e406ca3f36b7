-- set_values_update: in-place set algebra between a set and values given as
-- arguments (Python's s |= {...}, &=, -=, ^=), keeping the set's expiry.
-- KEYS[1] the set, KEYS[2] a scratch set in the same slot
-- ARGV[1] "union", "inter", "diff" or "xor"; ARGV[2] chunk size;
-- ARGV[3..] the values, without duplicates
-- Reply: the new size.
-- A script so the whole change is one atomic step whatever the number of
-- values: they are applied a chunk at a time. For "inter" they are loaded
-- into the scratch set for SINTERSTORE; the scratch set is deleted before
-- the script returns, on success and on error alike.
local key, tmp = KEYS[1], KEYS[2]
local op = ARGV[1]
local chunk = tonumber(ARGV[2])
local first = 3
local t = redis.call('TYPE', key).ok
if t ~= 'set' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end

-- chunks calls f with ARGV[a..b] for consecutive chunks of the values.
local function chunks(f)
  for a = first, #ARGV, chunk do f(a, math.min(a + chunk - 1, #ARGV)) end
end

if op == 'union' then
  chunks(function(a, b) redis.call('SADD', key, unpack(ARGV, a, b)) end)
elseif op == 'diff' then
  chunks(function(a, b) redis.call('SREM', key, unpack(ARGV, a, b)) end)
elseif op == 'xor' then
  chunks(function(a, b)
    local here = redis.call('SMISMEMBER', key, unpack(ARGV, a, b))
    local add, rem = {}, {}
    for j = a, b do
      if here[j - a + 1] == 1 then rem[#rem + 1] = ARGV[j] else add[#add + 1] = ARGV[j] end
    end
    if #rem > 0 then redis.call('SREM', key, unpack(rem)) end
    if #add > 0 then redis.call('SADD', key, unpack(add)) end
  end)
elseif op == 'inter' then
  local ttl = redis.call('PTTL', key)
  redis.call('DEL', tmp)
  local ok, r = pcall(function()
    chunks(function(a, b) redis.call('SADD', tmp, unpack(ARGV, a, b)) end)
    return redis.call('SINTERSTORE', key, key, tmp)
  end)
  redis.call('DEL', tmp)
  if not ok then
    if type(r) == 'table' then return r end
    return redis.error_reply(tostring(r))
  end
  if ttl > 0 and r > 0 then redis.call('PEXPIRE', key, ttl) end
  return r
else
  return redis.error_reply('ERR set_values_update: unknown op ' .. op)
end
return redis.call('SCARD', key)
