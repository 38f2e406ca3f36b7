-- queue_register: register a blocking take before it waits, so that an
-- item the wait moves into the take's parking list is recovered if the
-- taker dies before the step that follows.
-- KEYS[1] reservations (sorted set: id -> deadline in ms, server time)
-- ARGV[1] the take's id, ARGV[2] how long (ms) from now
-- Reply: 1.
-- A script to read the server's clock, which every deadline uses. It is
-- sent in full (EVAL, not EVALSHA) by the pipeline it starts, so it runs
-- even on a server that has lost its script cache: the registration must
-- not fail while the blocking command that follows it moves an item.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
