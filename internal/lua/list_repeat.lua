-- list_repeat: repeat a short list's contents in place (Python's list *= n).
-- libs: bytes_lib
-- KEYS[1] the list
-- ARGV[1] n, ARGV[2] chunk size, ARGV[3] the most elements this script may write (0: no
-- bound), ARGV[4] the most elements a list holds, ARGV[5] the most bytes this script may
-- write (0: no bound)
-- Reply: the new length (n <= 0 empties the list); a TOOBIG error, changing nothing,
-- when the result would be longer than ARGV[4]; a BIG error, changing nothing, when the
-- list would grow by more than ARGV[3] elements or ARGV[5] bytes (an estimate: see
-- bytes_lib) (the caller then rebuilds it in bounded steps).
-- A script so the copies are made atomically. The original elements are read a chunk at
-- a time and appended, so Lua never holds more than one chunk.
local times = tonumber(ARGV[1])
local n = redis.call('LLEN', KEYS[1]) -- (first: it refuses a key of another type)
if times <= 0 then
  redis.call('UNLINK', KEYS[1])
  return 0
end
if n == 0 then return 0 end -- (nothing to copy: no loop over times)
if n * times > tonumber(ARGV[4]) then
  return redis.error_reply('TOOBIG ' .. n .. ' elements ' .. times .. ' times exceed ' .. ARGV[4])
end
local bound = tonumber(ARGV[3])
if bound > 0 and n * (times - 1) > bound then
  return redis.error_reply('BIG ' .. n * (times - 1) .. ' elements to write')
end
local most = tonumber(ARGV[5])
if most > 0 and listBytes(KEYS[1], 0, n - 1) * (times - 1) > most then
  return redis.error_reply('BIG over ' .. most .. ' bytes to write')
end
local chunk = tonumber(ARGV[2])
for _ = 2, times do
  for start = 0, n - 1, chunk do
    local stop = math.min(start + chunk, n) - 1
    redis.call('RPUSH', KEYS[1], unpack(redis.call('LRANGE', KEYS[1], start, stop)))
  end
end
return n * times
