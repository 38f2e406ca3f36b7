-- map_set_default: Python's dict.setdefault.
-- KEYS[1] the hash; ARGV[1] field, ARGV[2] value
-- Reply: the value stored for the field after the call.
-- A script so that storing the default when the field is missing and
-- reading what is stored are one atomic step: two concurrent callers both
-- get the value that was stored first.
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  return ARGV[2]
end
return redis.call('HGET', KEYS[1], ARGV[1])
