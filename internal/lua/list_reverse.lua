-- list_reverse: reverse a short list in place.
-- libs: bytes_lib
-- KEYS[1] the list, KEYS[2] a scratch list in the same slot
-- ARGV[1] chunk size, ARGV[2] the longest list this script reverses (0: no bound),
-- ARGV[3] the most bytes it moves (0: no bound)
-- Reply: the length; a BIG error, changing nothing, when the list is longer than ARGV[2]
-- or holds more bytes than ARGV[3] (an estimate: see bytes_lib) (the caller then
-- rebuilds it in bounded steps).
-- A script so that no other client sees a half-reversed list. Elements move from the
-- head of the list to the head of the scratch list a chunk at a time (LPOP count,
-- LPUSH), so memory in Lua stays one chunk; then the scratch list takes the list's name
-- and expiry.
-- flags: guarded
local n = redis.call('LLEN', KEYS[1])
if n < 2 then return n end
local bound = tonumber(ARGV[2])
if bound > 0 and n > bound then return redis.error_reply('BIG ' .. n .. ' elements') end
if overBytes(KEYS[1], 0, n - 1, tonumber(ARGV[3])) then
  return redis.error_reply('BIG over ' .. ARGV[3] .. ' bytes')
end
local ttl = redis.call('PTTL', KEYS[1])
local chunk = tonumber(ARGV[1])
redis.call('DEL', KEYS[2])
while true do
  local part = redis.call('LPOP', KEYS[1], chunk)
  if not part then break end
  redis.call('LPUSH', KEYS[2], unpack(part))
end
redis.call('RENAME', KEYS[2], KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return n
