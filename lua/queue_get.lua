-- queue_get: take up to n items from the head of a queue, without waiting.
-- KEYS[1] the list, KEYS[2] waiting puts, KEYS[3] space notification list;
-- set queues only: KEYS[4] the set of queued items, KEYS[5] registrations
-- of takes and reservations (sorted set)
-- ARGV[1] n, ARGV[2] chunk size, ARGV[3] '1' to report expired
-- registrations when the queue is empty (set queues only)
-- Reply: the items taken, head first (empty when the queue is empty); or,
-- when the queue is empty and ARGV[3] is '1', {{ids...}} with up to 10 ids
-- of registrations whose deadline has passed, for the caller to recover
-- and take (their items would otherwise wait for a Reserve).
-- A script so that taking the items, removing them from a set queue's set
-- and waking puts blocked on a full queue happen in one atomic step: a set
-- never keeps a member whose item is gone (a "ghost" that would make later
-- puts of that item vanish), and a waiting put cannot miss the space.
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if not items then
  if ARGV[3] == '1' then
    local ids = expired(KEYS[5], now())
    if #ids > 0 then return {ids} end
  end
  return {}
end
local n = #items
local chunk = tonumber(ARGV[2])
if KEYS[4] then
  for s = 1, n, chunk do
    redis.call('SREM', KEYS[4], unpack(items, s, math.min(s + chunk - 1, n)))
  end
end
-- One wake-up per freed slot, for as many puts as wait.
wakePuts(KEYS[2], KEYS[3], math.min(n, chunk))
return items
