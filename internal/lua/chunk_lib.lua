-- chunk_lib: calling a command with more values than unpack takes at once (a few
-- thousand), shared by the rebuild steps (hash_step, set_step) and set_store; and the
-- size of a scanning step's next SCAN.

-- callChunked runs cmd on key with the items of t, at most 1000 (width: 2 for field and
-- value pairs) at a time, and returns the replies' items one after the other.
local function callChunked(cmd, key, t, width)
  local out, step = {}, 1000 * (width or 1)
  for i = 1, #t, step do
    local r = redis.call(cmd, key, unpack(t, i, math.min(i + step - 1, #t)))
    if type(r) == 'table' then
      for j = 1, #r do out[#out + 1] = r[j] end
    end
  end
  return out
end

-- scanCount returns how many entries a scanning step's next SSCAN or HSCAN asks for:
-- at most left, and as many as fit in room bytes at the size of the entries it has seen
-- (seen of them, bytes in all); at least 1. Before any, 1: entries of a MiB each,
-- asked for by the dozen, held Redis for a second (a review, 2026-12-08).
local function scanCount(left, room, bytes, seen)
  if seen == 0 or bytes == 0 then return 1 end
  return math.max(1, math.min(left, math.floor(room * seen / bytes)))
end
