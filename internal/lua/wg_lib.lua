-- wg_lib: a WaitGroup's count, its lost members and its round (after clock_lib and
-- wake_lib), shared by every WaitGroup script.
-- KEYS, the same for every script (waitgroup.go):
--   [1] the group: a hash {count, lost}; absent when the count is 0 and nothing was lost
--   [2] the members started by Go: a sorted set, member id -> lease expiry (ms, server
--       time); the count includes them, so it never drops below their number
--   [3] the wake stream: an entry {lost = n} each time the count reaches 0
-- Counts stay below 2^52, exact in Lua numbers.
local MAX_COUNT = 4503599627370496 -- 2^52

local function int(n) return string.format('%.0f', n) end

-- store writes count and lost, which were was and (any) before. When the count reaches
-- 0 it wakes every waiter, telling them how many members were lost in the round; the
-- group then occupies no key, unless members were lost: {count 0, lost n} stays for
-- Wait to report until the next round begins.
local function store(was, count, lost)
  if count > 0 then
    redis.call('HSET', KEYS[1], 'count', int(count), 'lost', int(lost))
    return
  end
  if was > 0 then wake(KEYS[3], 'lost', int(lost)) end
  if lost > 0 then
    redis.call('HSET', KEYS[1], 'count', '0', 'lost', int(lost))
  else
    redis.call('DEL', KEYS[1])
  end
end

-- decode reads a count or lost field as store writes it: a whole number below 2^52 (0
-- when absent); nil for anything else.
local function decode(s)
  if not s then return 0 end
  if #s > 16 or not string.find(s, '^%d+$') then return nil end
  local n = tonumber(s)
  if n >= MAX_COUNT then return nil end
  return n
end

-- open reads the group after dropping the members whose lease ran out: each is counted
-- done, and lost. Returns count, lost; or nil and an error reply DECODE, changing
-- nothing, when the group holds something else: every script calls it first, so that
-- none writes before it fails.
local function open()
  local v = redis.call('HMGET', KEYS[1], 'count', 'lost')
  local count, lost = decode(v[1]), decode(v[2])
  if not count or not lost then
    return nil, redis.error_reply('DECODE the WaitGroup ' .. KEYS[1] .. ' holds count ' .. tostring(v[1]) ..
      ' and lost ' .. tostring(v[2]) .. ', not counts')
  end
  local dead = deadMembers(KEYS[2])
  if #dead > 0 then
    local was = count
    count = math.max(0, count - #dead)
    lost = lost + #dead
    store(was, count, lost)
  end
  return count, lost
end

-- join adds delta (> 0) to count, beginning a new round (lost back to 0) when the count
-- was 0. Returns the new count and lost, or nil and an error reply.
local function join(count, lost, delta)
  if count + delta >= MAX_COUNT then
    return nil, redis.error_reply('TOOBIG WaitGroup counter would reach 2^52')
  end
  if count == 0 then lost = 0 end
  return count + delta, lost
end

-- together gives the group and its members' set one expiry when one of them has one and
-- the other, made since, has none: an Expire reaches only the keys that exist then, and
-- a member counted in a group that goes without it (or the reverse) would leave a count
-- that no longer counts what runs. (A Persist takes both expiries off.) Only a start
-- (wg_go) makes the set anew; the group it counts in exists then.
local function together()
  local g, m = redis.call('PEXPIRETIME', KEYS[1]), redis.call('PEXPIRETIME', KEYS[2])
  if g > 0 and m == -1 then
    redis.call('PEXPIREAT', KEYS[2], g)
  elseif m > 0 and g == -1 then
    redis.call('PEXPIREAT', KEYS[1], m)
  end
end
