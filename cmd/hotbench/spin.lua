-- spin: keeps the server busy for ARGV[1] microseconds by its own clock,
-- touching no key. The steps bench runs it many times in a row: how much
-- longer than that its slowest run took is this machine's noise (another
-- process got the CPU meanwhile), the floor under any step's figure.
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local stop = now() + tonumber(ARGV[1])
while now() < stop do end
return 1
