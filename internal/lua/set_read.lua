-- set_read: set algebra read at one moment: the members of the union,
-- intersection, difference or symmetric difference of sets, or the counts
-- two sets are compared by.
-- flags: readonly
-- libs: bytes_lib
-- KEYS[1..n] the sets (the first is the Set the call was made on)
-- ARGV[1] "union", "inter", "diff", "xor" (chained, as Python's a ^ b ^ c:
-- the members found in an odd number of the sets, a key named twice
-- counting twice) or "compare" (two sets); ARGV[2] the most members the
-- command may visit (0: no bound); ARGV[3] (optional) the most bytes of
-- members it may reply with (0: no bound)
-- Reply: the members, in no particular order; for compare {SCARD a,
-- SCARD b, SINTERCARD a b}. Error BIG, having read nothing, when the
-- command would visit more than ARGV[2] members, or the sets it reads
-- (the smallest, for an intersection) hold more than ARGV[3] bytes (an
-- estimate: see bytes_lib): the caller reads the sets in bounded steps
-- instead.
-- A script so that the sizes are checked and the command run at one
-- moment (SUNION of millions would hold Redis for as long as it runs),
-- and because Redis has no symmetric difference.
local op, limit = ARGV[1], tonumber(ARGV[2])
local total, least, smallest = 0, nil, nil
local sizes = {}
for i = 1, #KEYS do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= 'set' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
  local n = redis.call('SCARD', KEYS[i])
  sizes[i] = n
  total = total + n
  if least == nil or n < least then least, smallest = n, KEYS[i] end
end
-- An intersection visits the smallest set, checking each member in the
-- others; the other commands visit every member.
local work = total
if op == 'inter' or op == 'compare' then work = least * #KEYS end
if limit > 0 and work > limit then
  return redis.error_reply('BIG ' .. work .. ' members to visit, over ' .. limit)
end
local most = tonumber(ARGV[3] or '0')
if most > 0 and op ~= 'compare' then
  local bytes = 0
  if op == 'inter' then
    bytes = setBytes(smallest, least)
  else
    for i = 1, #KEYS do bytes = bytes + setBytes(KEYS[i], sizes[i]) end
  end
  if bytes > most then return redis.error_reply('BIG over ' .. most .. ' bytes to read') end
end

if op == 'union' then return redis.call('SUNION', unpack(KEYS)) end
if op == 'inter' then return redis.call('SINTER', unpack(KEYS)) end
if op == 'diff' then return redis.call('SDIFF', unpack(KEYS)) end
if op == 'compare' then
  return {
    redis.call('SCARD', KEYS[1]),
    redis.call('SCARD', KEYS[2]),
    redis.call('SINTERCARD', 2, KEYS[1], KEYS[2]),
  }
end
if op ~= 'xor' then
  return redis.error_reply('ERR set_read: unknown operation ' .. op)
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
