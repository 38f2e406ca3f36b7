-- clock_lib: the server's clock, shared by every script that keeps deadlines, so that
-- all clients agree on time whatever their own clocks say. TIME is read once per script
-- run, and only when needed.
local NOW_S, NOW_US
local function readClock()
  if not NOW_S then
    local t = redis.call('TIME')
    NOW_S, NOW_US = tonumber(t[1]), tonumber(t[2])
  end
end

-- now is the server's time in ms.
local function now()
  readClock()
  return NOW_S * 1000 + math.floor(NOW_US / 1000)
end

-- nowMicros is the server's time in µs (exact in a Lua number until the year 2255).
local function nowMicros()
  readClock()
  return NOW_S * 1000000 + NOW_US
end
