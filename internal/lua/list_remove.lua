-- list_remove: remove the first element equal to a value (Python's list.remove).
-- KEYS[1] the list
-- ARGV[1] the value, ARGV[2] the most elements LREM may walk (0: no bound)
-- Reply: 1 when an element was removed, 0 when none equals the value; a BIG error,
-- changing nothing, when the list is longer than ARGV[2] and none of its first ARGV[2]
-- elements equals the value (the caller then searches in steps and rebuilds the list).
-- A script so that the bound is checked and LREM run at one moment: LREM walks from the
-- head to the first match (~10 ms a million elements), LPOS finds how far that is.
local bound = tonumber(ARGV[2])
if bound > 0 then
  local p = redis.call('LPOS', KEYS[1], ARGV[1], 'MAXLEN', bound)
  if not p then
    if redis.call('LLEN', KEYS[1]) > bound then
      return redis.error_reply('BIG no match within ' .. bound .. ' elements')
    end
    return 0
  end
end
return redis.call('LREM', KEYS[1], 1, ARGV[1])
