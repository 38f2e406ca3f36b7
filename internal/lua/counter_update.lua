-- counter_update: add several deltas to a counter's fields at once
-- (Python's Counter.update and subtract).
-- KEYS[1] the hash
-- ARGV[1] chunk size, then pairs: field, delta (decimal int64), applied in
-- order (a field may come twice: a Subtract of -2^63 adds 2^63-1, then 1)
-- Reply: the number of fields updated.
-- A script so the whole update is one atomic step, all or nothing: the old
-- values are read first (HMGET, a chunk at a time), and if a field holds a
-- non-integer or would overflow int64, the fields already incremented get
-- their old values back (HINCRBY is exact; no count passes through a Lua
-- number) and the error is returned.
local key = KEYS[1]
local chunk = tonumber(ARGV[1])
local first = 2
-- old[i] is the value field ARGV[i] had, or false.
local old = {}
for a = first, #ARGV, 2 * chunk do
  local b = math.min(a + 2 * chunk - 1, #ARGV)
  local fields = {}
  for i = a, b, 2 do fields[#fields + 1] = ARGV[i] end
  -- HMGET raises WRONGTYPE before anything has changed.
  local vals = redis.call('HMGET', key, unpack(fields))
  for k = 1, #vals do old[a + 2 * (k - 1)] = vals[k] end
end
for i = first, #ARGV, 2 do
  local r = redis.pcall('HINCRBY', key, ARGV[i], ARGV[i + 1])
  if type(r) == 'table' and r.err then
    for j = i - 2, first, -2 do
      if old[j] then
        redis.call('HSET', key, ARGV[j], old[j])
      else
        redis.call('HDEL', key, ARGV[j])
      end
    end
    return redis.error_reply(r.err .. ' (field ' .. ARGV[i] .. ')')
  end
end
return (#ARGV - 1) / 2
