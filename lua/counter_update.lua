-- counter_update: add several deltas to a counter's fields at once
-- (Python's Counter.update and subtract).
-- KEYS[1] the hash
-- ARGV pairs: field, delta (decimal int64), each field once
-- Reply: the number of fields updated.
-- A script so the whole update is one atomic step, all or nothing: if a
-- field holds a non-integer or would overflow int64, the fields already
-- incremented get their old values back (HINCRBY is exact; no count passes
-- through a Lua number) and the error is returned.
local key = KEYS[1]
local old = {}
for i = 1, #ARGV, 2 do
  -- HGET raises WRONGTYPE before anything has changed.
  local prev = redis.call('HGET', key, ARGV[i])
  local r = redis.pcall('HINCRBY', key, ARGV[i], ARGV[i + 1])
  if type(r) == 'table' and r.err then
    for j = i - 2, 1, -2 do
      if old[j] then
        redis.call('HSET', key, ARGV[j], old[j])
      else
        redis.call('HDEL', key, ARGV[j])
      end
    end
    return redis.error_reply(r.err .. ' (field ' .. ARGV[i] .. ')')
  end
  old[i] = prev
end
return #ARGV / 2
