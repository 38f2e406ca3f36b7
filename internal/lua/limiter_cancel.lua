-- limiter_cancel: give back the tokens of a Limiter reservation whose caller stopped
-- waiting before it was due, or lost its reply.
-- libs: clock_lib
-- KEYS[1] the bucket (see limiter_reserve), KEYS[2] the reservation's record (see
-- limiter_reserve). ARGV[1] µs per token, ARGV[2] the burst in µs; for tokens taken at
-- once (no record: nothing to wait for), ARGV[3] 'now', ARGV[4] n, ARGV[5] the bucket's
-- arrival time right after the take, from its reply, which came after its caller
-- stopped waiting: given back whatever the time (the caller never used them), once
-- (KEYS[2] then marks the give-back).
-- Reply: 1 when the reservation was not due yet (its tokens not covered by later
-- reservations went back), 0 when it was due already (used), or is not recorded (it
-- never ran, was due, or was given back already: a second run gives nothing).
-- A script so that the due check and the give-back read one clock and one state: tokens
-- go back only while unused, and the bucket never goes below full. As x/time/rate's
-- CancelAt, it gives back only the tokens that no later reservation counts on: the
-- bucket's arrival time stood at due + burst right after this reservation (at after,
-- for tokens taken at once), and every
-- token reserved since moved it on; giving those back too would let a newcomer take
-- the place of a waiter admitted already, over the burst.
local per, tau = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = nowMicros()
local n, after
if ARGV[3] == 'now' then
  if not redis.call('SET', KEYS[2], 'given', 'NX', 'PX', 60000) then return 0 end
  n, after = tonumber(ARGV[4]), tonumber(ARGV[5])
  if not n or not after then return 0 end
else
  local rec = redis.call('GET', KEYS[2])
  if not rec then return 0 end
  redis.call('DEL', KEYS[2])
  local due
  due, n = string.match(rec, '^(%d+) (%d+)$')
  due, n = tonumber(due), tonumber(n)
  if not due then return 0 end -- (not a record of ours)
  if due <= t then return 0 end
  after = due + tau -- (the bucket's arrival time right after it)
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if not tat then return 0 end -- (not a bucket's: nothing of it is given back)
local k = math.max(0, n - math.max(0, tat - after) / per)
if k == 0 then return 1 end
local back = tat - k * per
if back <= t then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.3f', back), 'PX', math.ceil((back - t) / 1000) + 1)
end
return 1
