-- limiter_reserve: take n tokens of a Limiter's bucket, now or by a reservation due later.
-- libs: clock_lib
-- KEYS[1] the bucket: its theoretical arrival time (µs of server time, with fractions):
--   when the bucket is full again if nothing more is taken; absent when it is full.
-- KEYS[2] (optional) the reservation's record: "due n", kept until the reservation is
--   due, so that limiter_cancel can give its tokens back without its reply (lost with
--   its connection, or never read by a caller that gave up).
-- ARGV[1] µs per token (1e6 / rate), ARGV[2] the burst in µs (burst * µs per token),
-- ARGV[3] n, ARGV[4] the longest the caller will wait, in µs (0: Allow, no waiting)
-- Reply: {1, µs to wait (0: now), server time in µs, the bucket's arrival time right
-- after (µs, a string: see limiter_cancel)} when taken (a reservation when the wait is
-- over 0); {0, µs it would have to wait} when not, and nothing changes.
-- A script so that reading the bucket, deciding and taking are one step on the server's
-- clock, whatever the callers' clocks say (GCRA: the bucket's state is one number). A
-- taken reservation moves the arrival time on, so callers that wait are admitted in the
-- order they asked.
local per, tau, n, patience = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = nowMicros()
local raw = redis.call('GET', KEYS[1]) or '0'
if not tonumber(raw) then
  return redis.error_reply('DECODE the bucket ' .. KEYS[1] .. ' holds ' .. raw .. ', not a time')
end
local tat = math.max(tonumber(raw), t)
local after = tat + n * per
local wait = after - tau - t
if wait > patience then return {0, math.ceil(wait)} end
local afterS = string.format('%.3f', after)
redis.call('SET', KEYS[1], afterS, 'PX', math.ceil((after - t) / 1000) + 1)
wait = math.max(0, math.ceil(wait))
if KEYS[2] and wait > 0 then
  redis.call('SET', KEYS[2], string.format('%d %d', t + wait, n), 'PX', math.ceil(wait / 1000) + 1)
end
return {1, wait, t, afterS}
