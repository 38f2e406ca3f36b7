-- once_begin: a Do of a Once finds it done, finds it running, or starts running it.
-- libs: clock_lib wake_lib
-- KEYS[1] the done flag (string "1" once a run succeeded), KEYS[2] the runner (string:
-- the running Do's id, expiring with its lease), KEYS[3] the wake stream.
-- ARGV[1] the caller's runner id, ARGV[2] its lease in ms, ARGV[3] (a waiter looking
-- again) the stream entry id its wait began after.
-- Reply: {1} done; {2, last entry id of the wake stream, the runner's PTTL in ms}
-- another Do runs it: wait for its end announced on the stream, or for its lease to run
-- out; {3, runner id, message} a run failed since ARGV[3] (announced between the
-- waiter's last read of the stream and this look: it is the waiter's outcome); {0} the
-- caller is now the runner (or was already: see below).
-- A script so that the done test, the runner test and taking the runner's place are one
-- step (two callers never both run), and so that a waiter's stream position is read
-- with the runner it saw: an end announced after this reply wakes it.
if redis.call('GET', KEYS[1]) then return {1} end
if ARGV[3] then
  -- (The stream keeps about 32 entries: a bounded look.)
  for _, e in ipairs(redis.call('XRANGE', KEYS[3], '(' .. ARGV[3], '+', 'COUNT', 64)) do
    local f = {}
    for i = 1, #e[2] - 1, 2 do f[e[2][i]] = e[2][i + 1] end
    if f.ok == '0' then return {3, f.r or '', f.m or ''} end
  end
end
local runner = redis.call('GET', KEYS[2])
if runner == ARGV[1] then
  -- This caller's own begin ran before (its command reached the server twice): it
  -- is the runner, and must not wait for itself until its lease runs out.
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {0}
end
if runner then
  return {2, lastEntry(KEYS[3]), redis.call('PTTL', KEYS[2])}
end
lastEntry(KEYS[3]) -- a stream of the wrong type fails here, before anything is taken
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {0}
