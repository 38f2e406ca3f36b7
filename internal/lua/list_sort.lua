-- list_sort: sort a list in place with SORT ... STORE, keeping its expiry.
-- libs: bytes_lib
-- KEYS[1] the list
-- ARGV[1] "ALPHA" to sort by bytes or "" to sort numerically,
-- ARGV[2] "DESC" or "", ARGV[3] the longest list this script sorts (0: no bound),
-- ARGV[4] the most bytes it sorts (0: no bound; SORT ... STORE copies every element)
-- Reply: the length; a BIG error, changing nothing, for a list longer than ARGV[3] or
-- holding more bytes than ARGV[4] (an estimate: see bytes_lib) (the caller then
-- sorts it in bounded steps).
-- A script because SORT ... STORE drops the key's expiry; reading it first
-- and setting it again must be one atomic step.
local bound = tonumber(ARGV[3])
-- (LLEN also refuses a key of another type: SORT ... STORE would sort a set or a sorted
-- set and store a list over it.)
local len = redis.call('LLEN', KEYS[1])
if bound > 0 and len > bound then
  return redis.error_reply('BIG the list is longer than ' .. bound)
end
if overBytes(KEYS[1], 0, len - 1, tonumber(ARGV[4])) then
  return redis.error_reply('BIG the list holds over ' .. ARGV[4] .. ' bytes')
end
if ARGV[1] ~= 'ALPHA' then
  -- SORT reads numbers with strtod, which takes hex ("0x10"); Python's float(), which
  -- the codec follows, refuses it: such a list goes to the steps (SORT's own error),
  -- whose error names the element. (Bounded: the list is short, checked above.)
  -- SORT compares doubles, which order integers past 2^53 wrongly (9999999999999999
  -- after 10000000000000000, both 1e16, then by bytes): a list holding an integer that
  -- long goes to the steps too, which compare such ties exactly (when bounded).
  for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    if string.find(v, '[xX]') then
      return redis.error_reply("ERR One or more scores can't be converted into double")
    end
    if bound > 0 and #v >= 16 and string.find(v, '^[%+%-]?%d+$') then
      return redis.error_reply('BIG an integer past 2^53')
    end
  end
end
local ttl = redis.call('PTTL', KEYS[1])
local args = {'SORT', KEYS[1]}
if ARGV[1] == 'ALPHA' then args[#args + 1] = 'ALPHA' end
if ARGV[2] == 'DESC' then args[#args + 1] = 'DESC' end
args[#args + 1] = 'STORE'
args[#args + 1] = KEYS[1]
local n = redis.call(unpack(args))
if ttl > 0 and n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return n
