-- string_set: replace a string (a String's Set, an Int's or a Float's Store), keeping
-- its expiry; "" deletes it.
-- libs: string_lib
-- KEYS[1] the string
-- ARGV[1] the new value
-- Reply: 1; a WRONGTYPE error, changing nothing, when the key holds another type.
-- A script so that a key of another type is refused and left as it is: SET replaces
-- whatever a key holds, and SET's GET option, which refuses it, would send the old
-- value back, however long.
local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'string' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end
store(KEYS[1], ARGV[1])
return 1
