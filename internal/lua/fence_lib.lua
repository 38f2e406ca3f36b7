-- fence_lib: the fencing tokens of the line-and-lease engine (after clock_lib, before
-- line_lib): KEYS[3] is the fencing counter, ARGV[3] how long it outlives its last use
-- (ms). Apart from line_lib so that an acquire's common case can draw a token before
-- the rest of the engine's functions are defined (see lua.go's "libs here").
local FENCE_TTL = ARGV[3]

-- fence draws the next fencing token: greater than every earlier one while the counter
-- lives, and taken from the server's clock in µs when that is greater, so that tokens
-- keep growing after the counter expired (the clock must not step back by more than
-- the counter's life). Returns the token, and its text (formatted once: the holding
-- keeps it too).
local function fence()
  -- Most draws find the clock ahead of the counter: one SET, which also
  -- reads the counter it replaces; a counter ahead takes a second.
  local t = nowMicros()
  local text = string.format('%.0f', t)
  local last = tonumber(redis.call('SET', KEYS[3], text, 'PX', FENCE_TTL, 'GET') or '0')
  if t > last then return t, text end
  text = string.format('%.0f', last + 1)
  redis.call('SET', KEYS[3], text, 'PX', FENCE_TTL)
  return last + 1, text
end
