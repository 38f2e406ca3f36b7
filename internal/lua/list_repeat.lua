-- list_repeat: repeat a list's contents in place (Python's list *= n).
-- KEYS[1] the list
-- ARGV[1] n, ARGV[2] chunk size
-- Reply: the new length.
-- A script so the copies are made atomically. The original elements are
-- read a chunk at a time and appended, so Lua never holds more than one
-- chunk and any size of list works.
local times = tonumber(ARGV[1])
if times <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
local n = redis.call('LLEN', KEYS[1])
local chunk = tonumber(ARGV[2])
for _ = 2, times do
  for start = 0, n - 1, chunk do
    local stop = math.min(start + chunk, n) - 1
    redis.call('RPUSH', KEYS[1], unpack(redis.call('LRANGE', KEYS[1], start, stop)))
  end
end
return n * times
