-- size_of: how many entries a set, hash or list holds, and the memory Redis gives it,
-- for a whole read's sizing (sizeUp in whole.go).
-- flags: readonly primary
-- KEYS[1] the value
-- ARGV[1] the command that counts its entries: SCARD, HLEN or LLEN
-- Reply: "<entries> <bytes>" (MEMORY USAGE's, which samples a big value), or
-- "<entries>" alone when MEMORY USAGE is refused (a user not allowed it) or finds no
-- value; the counting command's error (WRONGTYPE) as it is.
-- A script, not a pipeline of the two commands: one command with one string reply
-- costs the client a single allocation, where rueidis's pipeline costs nine, and
-- the script's few µs of server time are no more than the pipeline's own cost.
local counts = {SCARD = true, HLEN = true, LLEN = true}
if not counts[ARGV[1]] then
  return redis.error_reply('ERR size_of counts by SCARD, HLEN or LLEN, not ' .. tostring(ARGV[1]))
end
local n = redis.pcall(ARGV[1], KEYS[1])
if type(n) ~= 'number' then
  return n -- (the error)
end
local bytes = redis.pcall('MEMORY', 'USAGE', KEYS[1])
if type(bytes) ~= 'number' then
  return tostring(n)
end
return n .. ' ' .. bytes
