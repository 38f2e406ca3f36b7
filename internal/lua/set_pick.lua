-- set_pick: one bounded step of reading an intersection or a difference
-- of big sets (see Set.algebraSteps): the members one SSCAN step of a set
-- returns that are in every other set, or in none of them.
-- flags: readonly
-- KEYS[1] the set to scan, KEYS[2..] the sets to look the members up in
-- ARGV[1] the SSCAN cursor, ARGV[2] its COUNT, ARGV[3] "all" or "none",
-- ARGV[4] "members" or "count"
-- Reply: {next cursor ("0" at the end), how many members the step
-- scanned, then the members picked (or, for "count", how many)}.
-- A script so that only the members picked cross the network, not every
-- member of the set twice (to the client, and back in SMISMEMBER).
local r = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local part, all = r[2], ARGV[3] == 'all'
local picked = {}
if #part > 0 then
  local hits = {}
  for i = 1, #part do hits[i] = 0 end
  -- SMISMEMBER a thousand at a time: unpack has a limit.
  for k = 2, #KEYS do
    for from = 1, #part, 1000 do
      local to = math.min(from + 999, #part)
      local in_k = redis.call('SMISMEMBER', KEYS[k], unpack(part, from, to))
      for i = from, to do hits[i] = hits[i] + in_k[i - from + 1] end
    end
  end
  local want = 0
  if all then want = #KEYS - 1 end
  for i = 1, #part do
    if hits[i] == want then picked[#picked + 1] = part[i] end
  end
end
if ARGV[4] == 'count' then return {r[1], #part, #picked} end
local out = {r[1], #part}
for i = 1, #picked do out[#out + 1] = picked[i] end
return out
