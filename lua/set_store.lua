-- set_store: in-place set algebra against other sets (Python's |=, &=, -=,
-- ^=), keeping the set's expiry.
-- KEYS[1] the set to change, KEYS[2..] the other sets
-- ARGV[1] "union", "inter", "diff" or "xor"; ARGV[2] chunk size
-- Reply: the new size.
-- A script so the change is one atomic step and so the expiry survives
-- SINTERSTORE (which replaces the key). Union and difference move only the
-- other sets' members, a chunk at a time (SSCAN, SADD/SREM), so their cost
-- follows the other sets, not the changed one. Every key's type is checked
-- first, so a wrong-type key changes nothing.
local dst = KEYS[1]
local op = ARGV[1]
local chunk = tonumber(ARGV[2])
for i = 1, #KEYS do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= 'set' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end

if op == 'inter' then
  local ttl = redis.call('PTTL', dst)
  local n = redis.call('SINTERSTORE', dst, unpack(KEYS))
  if ttl > 0 and n > 0 then redis.call('PEXPIRE', dst, ttl) end
  return n
end

-- each calls f with every member of key, a chunk (a Lua array) at a time.
local function each(key, f)
  local cursor = '0'
  repeat
    local r = redis.call('SSCAN', key, cursor, 'COUNT', chunk)
    cursor = r[1]
    if #r[2] > 0 then f(r[2]) end
  until cursor == '0'
end

for i = 2, #KEYS do
  local src = KEYS[i]
  if op == 'union' then
    if src ~= dst then
      each(src, function(part) redis.call('SADD', dst, unpack(part)) end)
    end
  elseif op == 'diff' then
    if src == dst then
      redis.call('DEL', dst)
    else
      each(src, function(part) redis.call('SREM', dst, unpack(part)) end)
    end
  elseif op == 'xor' then
    -- SMEMBERS, not SSCAN: a member seen twice would be toggled twice.
    local all = redis.call('SMEMBERS', src)
    for a = 1, #all, chunk do
      local b = math.min(a + chunk - 1, #all)
      local here = redis.call('SMISMEMBER', dst, unpack(all, a, b))
      local add, rem = {}, {}
      for j = a, b do
        if here[j - a + 1] == 1 then rem[#rem + 1] = all[j] else add[#add + 1] = all[j] end
      end
      if #rem > 0 then redis.call('SREM', dst, unpack(rem)) end
      if #add > 0 then redis.call('SADD', dst, unpack(add)) end
    end
  else
    return redis.error_reply('ERR set_store: unknown op ' .. op)
  end
end
return redis.call('SCARD', dst)
