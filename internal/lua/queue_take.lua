-- queue_take: take up to n items from the head of a queue, without waiting, into a list
-- of this take's own, where they stay until the taker acknowledges them (a Get does so
-- as soon as it has the reply; a Reserve with Ack) or its deadline passes.
-- libs: clock_lib queue_lib
-- KEYS[1] the queue's list, KEYS[2] registrations (sorted set: take id -> deadline in ms,
-- server time), KEYS[3] this take's list, KEYS[4] waiting puts, KEYS[5] space
-- notification list, KEYS[6] unfinished-task count, KEYS[7] (set queues only) the set
-- of queued items, then the lists of the acknowledged takes (see ARGV[5])
-- ARGV[1] the take's id, ARGV[2] ms until its deadline, ARGV[3] n, ARGV[4] chunk size,
-- ARGV[5] how many earlier takes this one acknowledges (absent: none; the Gets' takes,
-- whose acknowledgements ride with the next take), ARGV[6..] their ids
-- Reply (all strings, so that a client reads it without boxing an element): {'1',
-- items...} head first (those of the take's list when it holds some already: see
-- below); {'0'} when the queue is empty; or {'0', ids...} with up
-- to 10 ids of registrations whose deadline has passed, for the caller to recover
-- first (nothing is taken then, so that recovered items, put back at the head, come
-- first).
-- A script so that an item is always somewhere a registration finds it: taking it,
-- registering the take with a deadline, leaving a set queue's set and waking a put
-- blocked on a full queue are one step. If the reply is lost (a cut connection, a
-- killed taker), the item is not: the next take after the deadline puts it back.
-- A second run of the same take (its command reached the server twice) takes nothing
-- more: it gives what the first run took, still in the take's list, whose
-- acknowledgement would otherwise delete the first run's items with its own.
-- The acknowledgements go first, whatever follows: a take done is not expired.
local acks, chunk = tonumber(ARGV[5] or '0'), tonumber(ARGV[4])
for s = 1, acks, chunk do -- (unpack's stack is bounded)
  local e = math.min(s + chunk - 1, acks)
  redis.call('DEL', unpack(KEYS, #KEYS - acks + s, #KEYS - acks + e))
  redis.call('ZREM', KEYS[2], unpack(ARGV, 5 + s, 5 + e))
end
local set = nil
if #KEYS - acks >= 7 then set = KEYS[7] end
local held = redis.call('LRANGE', KEYS[3], '0', '-1')
if #held > 0 then
  table.insert(held, 1, '1')
  return held
end
local t = now()
local ids = expired(KEYS[2], nowText())
if #ids > 0 then
  table.insert(ids, 1, '0')
  return ids
end
if set then -- (its items leave the set after they are taken: see wrongTypes)
  local refused = wrongTypes({set}, {'set'})
  if refused then return refused end
end
local ttl = queueExpiry(KEYS[1], KEYS[6], set)
local items = takeInto(KEYS[1], KEYS[3], tonumber(ARGV[3]), chunk)
if #items == 0 then return {'0'} end
redis.call('ZADD', KEYS[2], t + tonumber(ARGV[2]), ARGV[1])
keepExpiry(ttl, KEYS[3], KEYS[2])
if set then leaveSet(set, items, chunk) end
wakePuts(KEYS[4], KEYS[5], math.min(#items, chunk))
table.insert(items, 1, '1')
return items
