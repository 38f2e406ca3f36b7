-- fence_lib: the fencing tokens of the line-and-lease engine (after clock_lib, before
-- line_lib): KEYS[3] is the fencing counter, ARGV[3] how long it lives once made (ms).
-- Apart from line_lib so that an acquire's common case can draw a token before the rest
-- of the engine's functions are defined (see lua.go's "libs here").
local FENCE_TTL = ARGV[3]

-- fence draws the next fencing token: one more than the last while the counter lives,
-- and, when it is made (the first draw, or the first after it expired), the server's
-- clock in µs: above every token the counter gave before it expired, since those grew by
-- one a draw, fewer than one a µs (the clock must not step back by more than the
-- counter's life). Returns the token. Most draws are one INCR, which keeps the counter's
-- expiry: it goes FENCE_TTL after it was made, whether used or not, and the next draw
-- makes it anew.
local function fence()
  local f = redis.call('INCR', KEYS[3])
  if f > 1 then return f end
  local t = nowMicros()
  redis.call('SET', KEYS[3], string.format('%.0f', t), 'PX', FENCE_TTL)
  return t
end
