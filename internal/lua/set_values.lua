-- set_values: set algebra between a set and values given as arguments,
-- without changing the set.
-- flags: readonly
-- libs: bytes_lib
-- KEYS[1] the set
-- ARGV[1] "union", "inter", "diff", "xor" or "compare"; ARGV[2] chunk size;
-- ARGV[3] the most members and values the script may visit (0: no bound);
-- ARGV[4] the most bytes of members and values it may reply with (0: no
-- bound); ARGV[5..] the values, without duplicates
-- Reply: the resulting members; for "compare", {SCARD, number of values,
-- how many values are members}. Error BIG, having read nothing, when the
-- work would pass ARGV[3], or a union, difference or symmetric difference
-- the bytes of ARGV[4] (the set's an estimate: see bytes_lib): the caller
-- then reads in bounded steps.
-- A script so the result describes one moment of the set, and so that for
-- "inter" and "compare" only the answer crosses the network. Values are
-- checked a chunk at a time (SMISMEMBER), so any number of them works.
local key = KEYS[1]
local op = ARGV[1]
local chunk = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local first = 5
local nvals = #ARGV - first + 1

if limit > 0 then
  -- Union, difference and symmetric difference read every member.
  local work = nvals
  if op ~= 'inter' and op ~= 'compare' then work = work + redis.call('SCARD', key) end
  if work > limit then
    return redis.error_reply('BIG ' .. work .. ' members and values to visit, over ' .. limit)
  end
end
local most = tonumber(ARGV[4])
if most > 0 and op ~= 'inter' and op ~= 'compare' then
  local bytes = setBytes(key, redis.call('SCARD', key))
  for i = first, #ARGV do bytes = bytes + #ARGV[i] end
  if bytes > most then
    return redis.error_reply('BIG over ' .. most .. ' bytes to read')
  end
end

-- member reports, for each value, whether it is in the set: member[i] is
-- 1 or 0 for ARGV[first + i - 1].
local member = {}
for a = first, #ARGV, chunk do
  local b = math.min(a + chunk - 1, #ARGV)
  local part = redis.call('SMISMEMBER', key, unpack(ARGV, a, b))
  for j = 1, #part do member[#member + 1] = part[j] end
end
if nvals == 0 then
  -- SMISMEMBER was never called: check the key's type ourselves.
  local t = redis.call('TYPE', key).ok
  if t ~= 'set' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end

if op == 'compare' then
  local inter = 0
  for i = 1, nvals do inter = inter + member[i] end
  return {redis.call('SCARD', key), nvals, inter}
end

local out = {}
if op == 'inter' then
  for i = 1, nvals do
    if member[i] == 1 then out[#out + 1] = ARGV[first + i - 1] end
  end
  return out
end
if op == 'union' then
  out = redis.call('SMEMBERS', key)
  for i = 1, nvals do
    if member[i] == 0 then out[#out + 1] = ARGV[first + i - 1] end
  end
  return out
end
-- diff and xor: the members that are not among the values...
local given = {}
for i = first, #ARGV do given[ARGV[i]] = true end
for _, m in ipairs(redis.call('SMEMBERS', key)) do
  if not given[m] then out[#out + 1] = m end
end
if op == 'xor' then
  -- ...and for xor the values that are not members.
  for i = 1, nvals do
    if member[i] == 0 then out[#out + 1] = ARGV[first + i - 1] end
  end
end
return out
