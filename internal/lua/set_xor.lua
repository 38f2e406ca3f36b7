-- set_xor: the symmetric difference of sets, chained (members found in an
-- odd number of them).
-- flags: readonly
-- KEYS[1..n] the sets
-- Reply: the members, in no particular order.
-- A script because Redis has no SXOR: for two sets it is SDIFF a b plus
-- SDIFF b a, read at one moment; for more, each member is toggled in a
-- Lua table.
for i = 1, #KEYS do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= 'set' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end
if #KEYS == 1 then return redis.call('SMEMBERS', KEYS[1]) end
if #KEYS == 2 then
  local out = redis.call('SDIFF', KEYS[1], KEYS[2])
  local other = redis.call('SDIFF', KEYS[2], KEYS[1])
  for i = 1, #other do out[#out + 1] = other[i] end
  return out
end
local acc = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do acc[m] = true end
for i = 2, #KEYS do
  -- A key named twice is toggled once per mention; SMEMBERS (not SSCAN)
  -- so that no member of one set is seen twice.
  for _, m in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if acc[m] then acc[m] = nil else acc[m] = true end
  end
end
local out = {}
for m in pairs(acc) do out[#out + 1] = m end
return out
