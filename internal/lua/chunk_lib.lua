-- chunk_lib: calling a command with more values than unpack takes at once (a few
-- thousand), shared by the rebuild steps (hash_step, set_step) and set_store.

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
