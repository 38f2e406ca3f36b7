-- list_remove: remove the first element equal to a value (Python's list.remove).
-- KEYS[1] the list
-- ARGV[1] the value, ARGV[2] the most elements the step may walk (0: no bound)
-- Reply: 1 when an element was removed, 0 when none equals the value; a BIG error,
-- changing nothing, when the list is longer than ARGV[2] and none of its first ARGV[2] / 2
-- elements equals the value (the caller then searches in steps and rebuilds the list).
-- A script so that the bound is checked and LREM run at one moment. LREM walks from the
-- head to the first match (~10-25 ms a million elements): a list within the bound goes
-- straight to it; in a longer one LPOS finds the match first, within half the bound, as
-- LREM then walks there again.
local bound = tonumber(ARGV[2])
if bound > 0 and redis.call('LLEN', KEYS[1]) > bound then
  if not redis.call('LPOS', KEYS[1], ARGV[1], 'MAXLEN', math.floor(bound / 2)) then
    return redis.error_reply('BIG no match within ' .. math.floor(bound / 2) .. ' elements')
  end
end
return redis.call('LREM', KEYS[1], 1, ARGV[1])
