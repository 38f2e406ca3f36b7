-- queue_register: register a blocking take before it waits, so that an item the wait
-- moves into the take's parking list is recovered if the taker dies before the step
-- that follows.
-- libs: clock_lib
-- KEYS[1] registrations (sorted set: id -> deadline in ms, server time)
-- ARGV[1] the take's id, ARGV[2] how long (ms) from now
-- Reply: 1.
-- A script to read the server's clock, which every deadline uses. It is sent in full
-- (EVAL, not EVALSHA) by the pipeline it starts, so it runs even on a server that has
-- lost its script cache: the registration must not fail while the blocking command
-- that follows it moves an item.
redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[2]), ARGV[1])
return 1
