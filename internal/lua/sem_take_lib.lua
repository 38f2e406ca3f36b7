-- sem_take_lib: taking and returning a Semaphore's permits without the line (after
-- clock_lib and fence_lib; sem_lib has the rest), apart so that the uncontended case
-- (sem_acquire_quick, sem_release_quick) runs without the line's functions. Leases per
-- handle in KEYS[1], permits and epochs in KEYS[2] (see line_lib for the layout);
-- ARGV[4] the semaphore's size.
local SIZE = tonumber(ARGV[4])

-- full writes a count in full: Lua writes numbers of 15 digits and more in exponent form.
local function full(x)
  return string.format('%.0f', x)
end

-- state reads, in one call, what taking and returning permits need: the permits id
-- holds (held), the total held (used), the permits added by over-release (extra: the
-- field's text, false when none), the epoch of id's holding (epoch: 0 when none) and
-- id's notes (notes: see NOTES, '' when none).
local function state(id)
  local h = redis.call('HMGET', KEYS[2], id, '#used', '#extra', id .. '@', id .. '#a')
  return {held = tonumber(h[1] or '0'), used = tonumber(h[2] or '0'), extra = h[3],
    epoch = tonumber(h[4] or '0'), notes = h[5] or ''}
end

-- room returns the semaphore's capacity (its size plus the permits added by
-- over-release) and how many permits are free, from s (a state) when given.
local function room(s)
  if not s then
    local h = redis.call('HMGET', KEYS[2], '#extra', '#used')
    s = {extra = h[1], used = tonumber(h[2] or '0')}
  end
  local cap = SIZE + tonumber(s.extra or '0')
  return cap, cap - s.used
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
-- go when the last lease runs out and nobody uses the semaphore. extra is the state's
-- #extra (false: none), read here when nil. One call a key in the common case: GT
-- (only later) for a key with an expiry, then NX (a key without: GT leaves it alone);
-- NX first when fresh says the keys were just made (a take when nobody held).
local function outlive(ttl, extra, fresh)
  if extra == nil then extra = redis.call('HEXISTS', KEYS[2], '#extra') == 1 end
  local ks = {KEYS[1]}
  if not extra then ks[2] = KEYS[2] end
  local first, second = 'GT', 'NX'
  if fresh then first, second = 'NX', 'GT' end
  for _, k in ipairs(ks) do
    if redis.call('PEXPIRE', k, ttl, first) == 0 then redis.call('PEXPIRE', k, ttl, second) end
  end
end

-- unhold returns up to k of id's permits; all of them when k is nil. cur is how many
-- id holds and used the total held, when the caller has read them already.
local function unhold(id, k, cur, used)
  if not cur or not used then
    local h = redis.call('HMGET', KEYS[2], id, '#used')
    cur, used = cur or tonumber(h[1] or '0'), used or tonumber(h[2] or '0')
  end
  if not k or k >= cur then
    k = cur
    redis.call('ZREM', KEYS[1], id)
    if used - k <= 0 then
      redis.call('HDEL', KEYS[2], id, id .. '@', id .. '#a', '#used')
    else
      redis.call('HDEL', KEYS[2], id, id .. '@', id .. '#a')
      redis.call('HSET', KEYS[2], '#used', full(used - k))
    end
  elseif used - k <= 0 then
    redis.call('HSET', KEYS[2], id, full(cur - k))
    redis.call('HDEL', KEYS[2], '#used')
  else
    redis.call('HSET', KEYS[2], id, full(cur - k), '#used', full(used - k))
  end
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

-- eachNote iterates over id's notes (text: the field's value, read here when nil),
-- newest first: wid, n, token (strings).
local function eachNote(id, text)
  return string.gmatch(text or redis.call('HGET', KEYS[2], id .. '#a') or '', '([^, ]+) (%d+) (%d+)')
end

-- notes returns id's notes but wid's, newest first, each "wid n token" (text as for
-- eachNote).
local function notes(id, wid, text)
  local out = {}
  for w, n, f in eachNote(id, text) do
    if w ~= wid then out[#out + 1] = w .. ' ' .. n .. ' ' .. f end
  end
  return out
end

-- taken returns the permits and the fencing token of id's take by attempt or wait wid,
-- while it is noted (nil otherwise); text as for eachNote.
local function taken(id, wid, text)
  for w, n, f in eachNote(id, text) do
    if w == wid then return tonumber(n), tonumber(f) end
  end
  return nil
end

-- noteText returns the notes first (when not nil), then the others (ns), up to NOTES,
-- as the field holds them ('' for none).
local function noteText(first, ns)
  local keep = {first}
  for i = 1, math.min(#ns, NOTES - #keep) do keep[#keep + 1] = ns[i] end
  return table.concat(keep, ',')
end

-- unnote drops the note of wid's take from id's notes.
local function unnote(id, wid)
  local text = noteText(nil, notes(id, wid))
  if text == '' then
    redis.call('HDEL', KEYS[2], id .. '#a')
  else
    redis.call('HSET', KEYS[2], id .. '#a', text)
  end
end

-- take gives n permits to id, with a lease of at least ttl ms, as attempt or wait wid,
-- and returns a fencing token and the epoch of id's holding (the token itself when the
-- holding begins now). s is id's state, read here when nil. It notes the take (see
-- NOTES), so that a second run of the same attempt (a command sent twice) takes nothing
-- more, and a caller that lost the reply gives back what it took (sem_cancel).
local function take(id, n, ttl, wid, s)
  s = s or state(id)
  redis.call('ZADD', KEYS[1], 'GT', now() + ttl, id)
  local f, ft = fence()
  local first, e = wid .. ' ' .. full(n) .. ' ' .. ft, s.epoch
  if s.held == 0 then
    e = f
    redis.call('HSET', KEYS[2], id, full(n), '#used', full(s.used + n), id .. '@', ft, id .. '#a', first)
  else
    redis.call('HSET', KEYS[2], id, full(s.held + n), '#used', full(s.used + n),
      id .. '#a', noteText(first, notes(id, wid, s.notes)))
  end
  outlive(ttl, s.extra, s.used == 0) -- (after the HSET: the state may be new)
  return f, e
end

-- earliest is how long until the first lease runs out (-1: no holder).
local function earliest()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(0, tonumber(first[2]) - now())
end
