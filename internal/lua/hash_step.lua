-- hash_step: one bounded step of rebuilding a hash into a scratch hash
-- (see rebuild.go): a Map's big SetMany or DeleteMany, a Counter's
-- updates and Python's &= and |= on many fields.
-- libs: counter_lib chunk_lib
-- KEYS[1] the hash the step reads, KEYS[2] the scratch hash (same slot),
-- KEYS[3] for "min", "max" and "rest": the hash to look fields up in
-- ARGV[1] the scratch hash's size before this step, ARGV[2] its expiry in
-- ms, ARGV[3] the step, then its arguments. Scanning steps take a cursor,
-- a count and bytes, and handle the fields an HSCAN of KEYS[1] from cursor
-- returns until about count have been seen, or bytes of fields and values,
-- or the scan ends:
--   "scan-copy": copy each field as it is;
--   "scan-check": only check that every count is an integer;
--   "scan-pos": copy the fields whose count is positive;
--   "scan-min" / "scan-max": set the smaller / larger of the count and the
--     field's count in KEYS[3] (0 when missing), when that is positive;
--   "scan-rest": copy the fields with a positive count that KEYS[3] lacks.
-- The other steps take pairs field, count (decimal int64; at most a chunk
-- of them, each field once):
--   "incr": add each count to the field in the scratch hash, exactly (as
--     HINCRBY does);
--   "min" / "max": set the smaller / larger of the count and the field's
--     count in KEYS[1], when that is positive.
-- (A Map's values go by HSET and HDEL in a MULTI/EXEC: rebuild.go's applyNative.)
-- Reply: {next cursor ("0" when done or not scanning), new size}; a scanning step adds
-- the bytes and the number of the strings (fields and values) it scanned (for the
-- client's size estimate, by which it sizes the next step: see rebuild.go's scan).
-- A script so that the step checks the scratch hash is whole (its size is
-- the one the last step left: error STALE otherwise, when it expired
-- between steps) and renews its expiry with the change. Every count read
-- is checked (error NOTINT, which changes nothing the user can see: the
-- scratch hash is dropped) and counts are compared as decimal strings,
-- never as Lua numbers, so every int64 is exact.
local src, tmp, look = KEYS[1], KEYS[2], KEYS[3]
local want, ttl, op = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local scanning = string.sub(op, 1, 5) == 'scan-'
if scanning then op = string.sub(op, 6) end
local size = redis.call('HLEN', tmp)
if size ~= want then
  return redis.error_reply('STALE ' .. tmp .. ' holds ' .. size .. ' fields, not ' .. want)
end

-- pick returns the smaller (op "min") or larger count of a and b.
local function pick(a, b)
  local r = cmp(a, b)
  if (op == 'min' and r > 0) or (op == 'max' and r < 0) then return b end
  return a
end

local sets = {}
local function set(f, c)
  sets[#sets + 1] = f
  sets[#sets + 1] = c
end
local cursor = '0'
if scanning then
  cursor = ARGV[4]
  local budget, most, seen, bytes = tonumber(ARGV[5]), tonumber(ARGV[6]), 0, 0
  repeat
    local r = redis.call('HSCAN', src, cursor, 'COUNT', scanCount(budget - seen, most - bytes, bytes, seen))
    cursor = r[1]
    local kv = r[2]
    for _, s in ipairs(kv) do bytes = bytes + #s end
    local others
    if op == 'min' or op == 'max' or op == 'rest' then
      local fs = {}
      for i = 1, #kv, 2 do fs[#fs + 1] = kv[i] end
      if #fs > 0 then others = callChunked('HMGET', look, fs, 1) end
    end
    if op == 'copy' and #kv > 0 then
      callChunked('HSET', tmp, kv, 2)
    end
    for i = 1, #kv, 2 do
      local f, c = kv[i], kv[i + 1]
      if op == 'copy' then
        break
      else
        c = valid(src, f, c)
        if op == 'check' then
          -- checked: nothing to write
        elseif op == 'pos' then
          if positive(c) then set(f, c) end
        elseif op == 'rest' then
          if not others[(i + 1) / 2] and positive(c) then set(f, c) end
        elseif op == 'min' or op == 'max' then
          local o = others[(i + 1) / 2]
          if o then o = valid(look, f, o) else o = '0' end
          local new = pick(c, o)
          if positive(new) then set(f, new) end
        else
          return redis.error_reply('ERR hash_step: unknown step scan-' .. op)
        end
      end
    end
    if #sets > 0 then
      callChunked('HSET', tmp, sets, 2)
      sets = {}
    end
    seen = seen + #kv / 2
  until cursor == '0' or seen >= budget or bytes >= most
  redis.call('PEXPIRE', tmp, ttl)
  return {cursor, redis.call('HLEN', tmp), bytes, 2 * seen}
elseif op == 'incr' then
  -- Counts and deltas of up to 15 characters (below 10^15 in size) add
  -- up exactly in a double; the others go through HINCRBY, which is exact
  -- and reports overflow and non-integers.
  local fs = {}
  for i = 4, #ARGV, 2 do fs[#fs + 1] = ARGV[i] end
  if #fs > 0 then
    local old = callChunked('HMGET', tmp, fs, 1)
    for j = 1, #fs do
      local f, d, c = fs[j], ARGV[3 + 2 * j], old[j] or '0'
      if #c <= 15 and #d <= 15 and (c == '0' or string.find(c, '^%-?[1-9]%d*$')) then
        set(f, string.format('%.0f', tonumber(c) + tonumber(d)))
      else
        local r = redis.pcall('HINCRBY', tmp, f, d)
        if type(r) == 'table' and r.err then
          return redis.error_reply(r.err .. ' (field ' .. f .. ')')
        end
      end
    end
    if #sets > 0 then callChunked('HSET', tmp, sets, 2) end
  end
elseif op == 'min' or op == 'max' then
  local fs = {}
  for i = 4, #ARGV, 2 do fs[#fs + 1] = ARGV[i] end
  if #fs > 0 then
    local here = callChunked('HMGET', src, fs, 1)
    for j = 1, #fs do
      local c = here[j]
      if c then c = valid(src, fs[j], c) else c = '0' end
      local new = pick(c, ARGV[3 + 2 * j])
      if positive(new) then set(fs[j], new) end
    end
    if #sets > 0 then callChunked('HSET', tmp, sets, 2) end
  end
else
  return redis.error_reply('ERR hash_step: unknown step ' .. op)
end
redis.call('PEXPIRE', tmp, ttl)
return {cursor, redis.call('HLEN', tmp)}
