-- bytes_lib: estimates of the bytes of a stretch of a list or of a set, for the scripts
-- that copy elements or members (through Lua, into a reply, or SORT ... STORE and
-- SINTERSTORE) to refuse with BIG, changing nothing, a step that would hold Redis for
-- long: the caller then works in bounded steps. A reply or a copy costs Redis ~0.8 ms a
-- MiB whatever the count of what it holds.

-- listBytes estimates the bytes of the elements a..b (0-based, inclusive) of the list
-- key from up to 8 of them spread evenly: LINDEX each, which walks the list's nodes
-- without copying the others.
local function listBytes(key, a, b)
  local n = b - a + 1
  if n <= 0 then return 0 end
  local k = math.min(n, 8)
  local sum = 0
  for j = 0, k - 1 do
    local v = redis.call('LINDEX', key, a + math.floor(j * n / k))
    if v then sum = sum + #v end
  end
  return sum * n / k
end

-- overBytes says whether the elements a..b of the list key hold more than most bytes
-- (listBytes); most 0 is no bound.
local function overBytes(key, a, b, most)
  return most > 0 and listBytes(key, a, b) > most
end

-- setBytes estimates the bytes of the n members of the set key from up to 8 of them
-- picked at random (SRANDMEMBER).
local function setBytes(key, n)
  if n <= 0 then return 0 end
  local pick = redis.call('SRANDMEMBER', key, 8)
  if #pick == 0 then return 0 end
  local sum = 0
  for _, v in ipairs(pick) do sum = sum + #v end
  return sum * n / #pick
end
