-- list_count: how many elements equal a value.
-- flags: readonly
-- KEYS[1] the list; ARGV[1] the value
-- Reply: the count.
-- A script so that only the count crosses the network, not the positions
-- LPOS finds (which could be as many as the list is long).
return #redis.call('LPOS', KEYS[1], ARGV[1], 'COUNT', 0)
