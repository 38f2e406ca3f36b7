-- list_sort: sort a list in place with SORT ... STORE, keeping its expiry.
-- KEYS[1] the list
-- ARGV[1] "ALPHA" to sort by bytes or "" to sort numerically,
-- ARGV[2] "DESC" or ""
-- Reply: the length.
-- A script because SORT ... STORE drops the key's expiry; reading it first
-- and setting it again must be one atomic step.
local ttl = redis.call('PTTL', KEYS[1])
local args = {'SORT', KEYS[1]}
if ARGV[1] == 'ALPHA' then args[#args + 1] = 'ALPHA' end
if ARGV[2] == 'DESC' then args[#args + 1] = 'DESC' end
args[#args + 1] = 'STORE'
args[#args + 1] = KEYS[1]
local n = redis.call(unpack(args))
if ttl > 0 and n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return n
