-- set_values_update: in-place set algebra between a set and values given as
-- arguments (Python's s |= {...}, &=, -=, ^=), keeping the set's expiry.
-- KEYS[1] the set, KEYS[2] a scratch set in the same slot
-- ARGV[1] "union", "inter", "diff" or "xor"; ARGV[2] chunk size;
-- ARGV[3..] the values, without duplicates
-- Reply: the new size.
-- A script so the whole change is one atomic step whatever the number of
-- values: they are applied a chunk at a time. Its cost follows the number
-- of values, not the size of the set; the Go side sends at most
-- oneStepMax values here outside transactions and rebuilds the set in
-- steps for more (rebuild.go). For "inter" the members among the values
-- are gathered in the scratch set, which replaces the set; the scratch
-- set is deleted before the script returns, on success and on error alike.
-- flags: guarded
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
  -- The members among the values go to the scratch set, which then
  -- replaces the set: the cost follows the values, not the set, whose old
  -- members UNLINK frees in the background.
  local at = redis.call('PEXPIRETIME', key)
  redis.call('DEL', tmp)
  local ok, r = pcall(function()
    chunks(function(a, b)
      local here = redis.call('SMISMEMBER', key, unpack(ARGV, a, b))
      local keep = {}
      for j = a, b do
        if here[j - a + 1] == 1 then keep[#keep + 1] = ARGV[j] end
      end
      if #keep > 0 then redis.call('SADD', tmp, unpack(keep)) end
    end)
    local n = redis.call('SCARD', tmp)
    redis.call('UNLINK', key)
    if n > 0 then
      redis.call('RENAME', tmp, key)
      if at > 0 then redis.call('PEXPIREAT', key, at) end
    end
    return n
  end)
  redis.call('DEL', tmp)
  if not ok then
    if type(r) == 'table' then return r end
    return redis.error_reply(tostring(r))
  end
  return r
else
  return redis.error_reply('ERR set_values_update: unknown op ' .. op)
end
return redis.call('SCARD', key)
