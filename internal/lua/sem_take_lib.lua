-- sem_take_lib: taking and returning a Semaphore's permits without the line (after
-- clock_lib and fence_lib; sem_lib has the rest), apart so that the uncontended case
-- (sem_acquire_quick, sem_release_quick) runs without the line's functions. Leases per
-- handle in KEYS[1], permits and epochs in KEYS[2] (see line_lib for the layout);
-- ARGV[4] the semaphore's size.
local SIZE = tonumber(ARGV[4])

-- room returns the semaphore's capacity (its size plus the permits added by
-- over-release) and how many permits are free.
local function room()
  local h = redis.call('HMGET', KEYS[2], '#extra', '#used')
  local cap = SIZE + tonumber(h[1] or '0')
  return cap, cap - tonumber(h[2] or '0')
end

-- orphaned drops what the state still counts for holders that are all gone: the
-- holders' key expires with the last lease, and the state outlives it while it keeps
-- permits added by over-release (#extra), whose counts (#used, each handle's permits,
-- epoch and notes) are then stale. Every script that takes or returns permits calls it
-- first (sem_value reads the permits free instead).
local function orphaned()
  if redis.call('HEXISTS', KEYS[2], '#used') == 0 or redis.call('EXISTS', KEYS[1]) == 1 then return end
  local stale = {}
  for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
    if f ~= '#extra' then stale[#stale + 1] = f end
  end
  for i = 1, #stale, 1000 do
    redis.call('HDEL', KEYS[2], unpack(stale, i, math.min(i + 999, #stale)))
  end
end

-- outlive makes the holders and the state (unless it keeps permits added by
-- over-release, which last until Delete) expire no sooner than ttl ms from now: they
-- go when the last lease runs out and nobody uses the semaphore.
local function outlive(ttl)
  local ks = {KEYS[1]}
  if redis.call('HEXISTS', KEYS[2], '#extra') == 0 then ks[2] = KEYS[2] end
  for _, k in ipairs(ks) do
    if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
  end
end

-- unhold returns up to k of id's permits; all of them when k is nil. cur is how many
-- id holds, when the caller has read it already.
local function unhold(id, k, cur)
  cur = cur or tonumber(redis.call('HGET', KEYS[2], id) or '0')
  if not k or k >= cur then
    k = cur
    redis.call('HDEL', KEYS[2], id, id .. '@', id .. '#a')
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('HINCRBY', KEYS[2], id, -k)
  end
  if redis.call('HINCRBY', KEYS[2], '#used', -k) <= 0 then redis.call('HDEL', KEYS[2], '#used') end
end

-- epoch returns the epoch of id's holding (0 if none).
local function epoch(id)
  return tonumber(redis.call('HGET', KEYS[2], id .. '@') or '0')
end

-- A handle's notes (id .. '#a'): its latest takes, newest first, each "wid n token"
-- (the attempt or wait that took, the permits, the fencing token), separated by ','; at
-- most NOTES of them, so that a second run of a take still finds its note after the
-- handle's other goroutines took meanwhile.
local NOTES = 8

-- eachNote iterates over id's notes, newest first: wid, n, token (strings).
local function eachNote(id)
  return string.gmatch(redis.call('HGET', KEYS[2], id .. '#a') or '', '([^, ]+) (%d+) (%d+)')
end

-- notes returns id's notes but wid's, newest first, each "wid n token".
local function notes(id, wid)
  local out = {}
  for w, n, f in eachNote(id) do
    if w ~= wid then out[#out + 1] = w .. ' ' .. n .. ' ' .. f end
  end
  return out
end

-- taken returns the permits and the fencing token of id's take by attempt or wait wid,
-- while it is noted (nil otherwise).
local function taken(id, wid)
  for w, n, f in eachNote(id) do
    if w == wid then return tonumber(n), tonumber(f) end
  end
  return nil
end

-- note writes id's notes: first (when not nil), then the others (ns), up to NOTES.
local function note(id, first, ns)
  local keep = {first}
  for i = 1, math.min(#ns, NOTES - #keep) do keep[#keep + 1] = ns[i] end
  if #keep == 0 then
    redis.call('HDEL', KEYS[2], id .. '#a')
  else
    redis.call('HSET', KEYS[2], id .. '#a', table.concat(keep, ','))
  end
end

-- unnote drops the note of wid's take from id's notes.
local function unnote(id, wid)
  note(id, nil, notes(id, wid))
end

-- take gives n permits to id, with a lease of at least ttl ms, as attempt or wait wid,
-- and returns a fencing token and the epoch of id's holding (the token itself when the
-- holding begins now). It notes the take (see NOTES), so that a second run of the same
-- attempt (a command sent twice) takes nothing more, and a caller that lost the reply
-- gives back what it took (sem_cancel).
local function take(id, n, ttl, wid)
  local c = redis.call('HINCRBY', KEYS[2], id, n)
  redis.call('HINCRBY', KEYS[2], '#used', n)
  local exp = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
  redis.call('ZADD', KEYS[1], math.max(exp, now() + ttl), id)
  outlive(ttl)
  local f = fence()
  local first = wid .. ' ' .. string.format('%.0f', n) .. ' ' .. string.format('%.0f', f)
  if c == n then
    redis.call('HSET', KEYS[2], id .. '@', string.format('%.0f', f), id .. '#a', first)
    return f, f
  end
  note(id, first, notes(id, wid))
  return f, epoch(id)
end

-- earliest is how long until the first lease runs out (-1: no holder).
local function earliest()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(0, tonumber(first[2]) - now())
end
