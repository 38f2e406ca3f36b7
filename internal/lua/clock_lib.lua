-- clock_lib: the server's clock, shared by every script that keeps deadlines, so that
-- all clients agree on time whatever their own clocks say. TIME is read once per script
-- run, and only when needed.
local NOW_S, NOW_US, NOW_TIME
local function readClock()
  if not NOW_S then
    NOW_TIME = redis.call('TIME')
    NOW_S, NOW_US = tonumber(NOW_TIME[1]), tonumber(NOW_TIME[2])
  end
end

-- now is the server's time in ms.
local function now()
  readClock()
  return NOW_S * 1000 + math.floor(NOW_US / 1000)
end

-- nowText is now() as a command's argument, made of TIME's own digits: Redis 7.0 turns a
-- Lua number into an argument with printf, ~1 µs each.
local function nowText()
  readClock()
  local us = NOW_TIME[2]
  return NOW_TIME[1] .. string.sub(string.rep('0', 6 - #us) .. us, 1, 3)
end

-- nowMicros is the server's time in µs (exact in a Lua number until the year 2255).
local function nowMicros()
  readClock()
  return NOW_S * 1000000 + NOW_US
end
