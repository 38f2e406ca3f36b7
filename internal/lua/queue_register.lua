-- queue_register: register a blocking take before it waits, so that an item the wait
-- moves into the take's parking list is recovered if the taker dies before the step
-- that follows.
-- libs: clock_lib
-- KEYS[1] registrations (sorted set: id -> deadline in ms, server time), KEYS[2] the
-- queue's list
-- ARGV[1] the take's id, ARGV[2] how long (ms) from now
-- Reply: 1.
-- A script to read the server's clock, which every deadline uses. It is sent in full
-- (EVAL, not EVALSHA) by the pipeline it starts, so it runs even on a server that has
-- lost its script cache: the registration must not fail while the blocking command
-- that follows it moves an item.
redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[2]), ARGV[1])
-- The registrations' expiry, which queue_claim gives the take when the wait empties the
-- list: the list's when it has one (the wait, the next command, then takes from it at
-- once), none when it has none or is missing (an item then comes from a list a put makes
-- anew, which has none; the registrations must not go before that take's list).
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then
  if redis.call('PEXPIRE', KEYS[1], ttl, 'NX') == 0 then redis.call('PEXPIRE', KEYS[1], ttl, 'GT') end
else
  redis.call('PERSIST', KEYS[1])
end
return 1
