-- counter_total: the exact sum of a counter's counts, from one stretch of
-- an HSCAN.
-- flags: readonly
-- KEYS[1] the hash
-- ARGV[1] HSCAN cursor to start from, or "start": the whole hash if it
-- has at most ARGV[2] fields, else nothing; ARGV[2] how many fields to
-- examine before returning (0: all), ARGV[3] chunk size
-- Reply: {next cursor ("0" when done), part, part, ...}: decimal integers
-- whose sum (done by the client, in arbitrary precision) is the total;
-- {"more"} when "start" examined nothing.
-- A script so that only a few numbers cross the network. Lua numbers are
-- doubles, exact only below 2^53: counts of up to 15 characters (below
-- 10^15 in size) are summed in a double that is handed out as a part
-- whenever it passes 2^52, so it never loses a unit; longer counts are
-- handed out as they are.
local key = KEYS[1]
local cursor = ARGV[1]
local budget = tonumber(ARGV[2])
local chunk = ARGV[3]
local limit = 2 ^ 52
local acc = 0
local out = {}
-- add adds the counts kv[first], kv[first + step], ...
local function add(kv, first, step)
  for i = first, #kv, step do
    local c = kv[i]
    if not (c == '0' or string.find(c, '^%-?[1-9]%d*$')) then
      error({err = 'NOTINT a field of ' .. key .. ' holds ' .. c .. ', not an integer'})
    end
    if #c <= 15 then
      acc = acc + tonumber(c)
      if acc > limit or acc < -limit then
        out[#out + 1] = string.format('%.0f', acc)
        acc = 0
      end
    else
      out[#out + 1] = c
    end
  end
end
if (cursor == 'start' or cursor == '0') and (budget == 0 or redis.call('HLEN', key) <= budget) then
  -- The whole hash in one step: HVALS sees each field exactly once, where
  -- HSCAN may repeat one if the hash is being resized.
  cursor = '0'
  add(redis.call('HVALS', key), 1, 1)
elseif cursor == 'start' then
  return {'more'}
else
  local seen = 0
  repeat
    local r = redis.call('HSCAN', key, cursor, 'COUNT', chunk)
    cursor = r[1]
    add(r[2], 2, 2)
    seen = seen + #r[2] / 2
  until cursor == '0' or seen >= budget
end
out[#out + 1] = string.format('%.0f', acc)
table.insert(out, 1, cursor)
return out
