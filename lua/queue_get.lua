-- queue_get: take up to n items from the head of a queue, without waiting.
-- KEYS[1] the list, KEYS[2] waiting puts, KEYS[3] space notification list,
-- KEYS[4] (set queues only) the set of queued items
-- ARGV[1] n, ARGV[2] chunk size
-- Reply: the items taken, head first (empty when the queue is empty).
-- A script so that taking the items, removing them from a set queue's set
-- and waking puts blocked on a full queue happen in one atomic step: a set
-- never keeps a member whose item is gone (a "ghost" that would make later
-- puts of that item vanish), and a waiting put cannot miss the space.
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if not items then return {} end
local n = #items
local chunk = tonumber(ARGV[2])
if KEYS[4] then
  for s = 1, n, chunk do
    redis.call('SREM', KEYS[4], unpack(items, s, math.min(s + chunk - 1, n)))
  end
end
-- One wake-up per freed slot, for as many puts as wait.
local woken = 0
for i = 1, math.min(n, chunk) do
  if not redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') then break end
  woken = i
end
if woken > 0 then redis.call('PEXPIRE', KEYS[3], 10000) end
return items
