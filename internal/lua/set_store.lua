-- set_store: in-place set algebra against other sets (Python's |=, &=, -=,
-- ^=), keeping the set's expiry.
-- libs: chunk_lib bytes_lib
-- KEYS[1] the set to change, KEYS[2] a scratch set in its slot, KEYS[3..]
-- the other sets
-- ARGV[1] "union", "inter", "diff" or "xor"; ARGV[2] chunk size; ARGV[3]
-- the most members to visit (0: no limit); ARGV[4] (optional) the most
-- bytes of members to copy (0: no limit)
-- Reply: the new size; error BIG, having changed nothing, when the change
-- would visit more members than ARGV[3], or copy more bytes than ARGV[4]
-- (an estimate, see bytes_lib: the other sets' members, or the smallest
-- set's for an intersection): the Go side then rebuilds the set in bounded
-- steps instead (rebuild.go).
-- A script so the change is one atomic step and so the expiry survives.
-- Union and difference move only the other sets' members, a chunk at a
-- time (SSCAN, SADD/SREM), so their cost follows the other sets, not the
-- changed one; intersection is SINTERSTORE into the scratch set, which
-- replaces the set (UNLINK frees the old members in the background), so
-- its cost follows the smallest set. Every key's type is checked first,
-- so a wrong-type key changes nothing.
-- flags: guarded
local dst, tmp = KEYS[1], KEYS[2]
local op = ARGV[1]
local chunk = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local first = 3
local last = #KEYS - 1 -- KEYS[#KEYS] is keys.Absent's (flags: guarded)
for i = 1, last do
  if i ~= 2 then
    local t = redis.call('TYPE', KEYS[i]).ok
    if t ~= 'set' and t ~= 'none' then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
  end
end
if limit > 0 then
  local work = 0
  if op == 'inter' then
    local least = redis.call('SCARD', dst)
    for i = first, last do least = math.min(least, redis.call('SCARD', KEYS[i])) end
    work = least * (last - 1)
  else
    for i = first, last do work = work + redis.call('SCARD', KEYS[i]) end
  end
  if work > limit then
    return redis.error_reply('BIG ' .. work .. ' members to visit, over ' .. limit)
  end
end
local most = tonumber(ARGV[4] or '0')
if most > 0 then
  local bytes = 0
  if op == 'inter' then
    local least, smallest = redis.call('SCARD', dst), dst
    for i = first, last do
      local n = redis.call('SCARD', KEYS[i])
      if n < least then least, smallest = n, KEYS[i] end
    end
    bytes = setBytes(smallest, least)
  else
    for i = first, last do bytes = bytes + setBytes(KEYS[i], redis.call('SCARD', KEYS[i])) end
  end
  if bytes > most then
    return redis.error_reply('BIG over ' .. most .. ' bytes to copy')
  end
end

if op == 'inter' then
  local at = redis.call('PEXPIRETIME', dst)
  local sets = {dst}
  for i = first, last do sets[#sets + 1] = KEYS[i] end
  local n = redis.call('SINTERSTORE', tmp, unpack(sets))
  redis.call('UNLINK', dst)
  if n > 0 then
    redis.call('RENAME', tmp, dst)
    if at > 0 then redis.call('PEXPIREAT', dst, at) end
  end
  return n
end

-- each calls f with every member of key, a chunk (a Lua array) at a time: an intset's
-- or listpack's SSCAN replies whole, so f passes it on by callChunked (chunk_lib).
local function each(key, f)
  local cursor = '0'
  repeat
    local r = redis.call('SSCAN', key, cursor, 'COUNT', chunk)
    cursor = r[1]
    if #r[2] > 0 then f(r[2]) end
  until cursor == '0'
end

-- The set's own members before any change, when it is among the others of a
-- symmetric difference: s ^ a ^ s toggles by the s it began as, as Python's
-- and the read's (set_read) do.
local before
if op == 'xor' then
  for i = first, last do
    if KEYS[i] == dst then
      before = redis.call('SMEMBERS', dst)
      break
    end
  end
end

for i = first, last do
  local src = KEYS[i]
  if op == 'union' then
    if src ~= dst then
      each(src, function(part) callChunked('SADD', dst, part) end)
    end
  elseif op == 'diff' then
    if src == dst then
      redis.call('DEL', dst)
    else
      each(src, function(part) callChunked('SREM', dst, part) end)
    end
  elseif op == 'xor' then
    -- SMEMBERS, not SSCAN: a member seen twice would be toggled twice.
    local all = before
    if src ~= dst then all = redis.call('SMEMBERS', src) end
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
