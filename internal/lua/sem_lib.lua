-- sem_lib: the holding of a Semaphore or BoundedSemaphore (after clock_lib, fence_lib,
-- sem_take_lib and line_lib): leases per handle in KEYS[1], permits and epochs in
-- KEYS[2], grants not yet confirmed by their waiter in KEYS[6] (see line_lib for the
-- layout; each "n owner token when", when the grant's server time in ms).

-- unconfirmed returns the wait ids of the unconfirmed grants to the handles in gone (a
-- set: id -> true), and the permits they grant in all.
local function unconfirmed(gone)
  local wids, n = {}, 0
  if redis.call('EXISTS', KEYS[6]) == 0 then return wids, n end
  local g = redis.call('HGETALL', KEYS[6])
  for i = 1, #g, 2 do
    local k, owner = string.match(g[i + 1], '^(%d+) (%S+)')
    if gone[owner] then
      wids[#wids + 1] = g[i]
      n = n + tonumber(k)
    end
  end
  return wids, n
end

-- forget drops the unconfirmed grants to the handles in gone.
local function forget(gone)
  for _, wid in ipairs(unconfirmed(gone)) do redis.call('HDEL', KEYS[6], wid) end
end

-- expire drops up to 1000 holders whose lease ran out, and the grants they never
-- confirmed (the rest, if any, go at the next call), after the counts of holders whose
-- key expired (orphaned).
local function expire()
  orphaned()
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now(), 'LIMIT', 0, 1000)
  if #dead == 0 then return end
  local gone = {}
  for _, id in ipairs(dead) do
    unhold(id)
    gone[id] = true
  end
  forget(gone)
end

-- waiter parses a registration: expiry (ms, server time), lease (ms), owner, n.
local function waiter(info)
  local exp, lease, owner, n = string.match(info, '^(%d+) (%d+) (%S+) (%d+)$')
  return tonumber(exp), tonumber(lease), owner, tonumber(n)
end

-- grant hands free permits to the waiters in line, first come first served: it stops at
-- the first live waiter that wants more than is free, so that later, smaller requests do
-- not starve it, but passes over requests larger than the whole semaphore (they cannot
-- be served until over-releases make room) and drops waiters whose registration ran
-- out. It visits at most 1000 waiters a call. A grant to self (the waiter running the
-- script) has the full lease; any other is recorded in KEYS[6] and announced on the
-- waiter's stream with a lease no longer than its registration has left, which the
-- waiter's watchdog renews at once. Returns self's token if self was served, whether a
-- live waiter still waits for permits that the semaphore could give (then newcomers
-- must queue behind it), and the epoch of self's holding. s, when given, is the state's
-- #extra and #used as room takes them (a caller that may have emptied KEYS[2] knows
-- them).
-- (Neither reads a key it may have emptied, which deletes it: while a Cluster slot
-- migrates, Redis stops a script at a command naming a key it lacks, keeping what the
-- script wrote before.)
local function grant(self, s)
  local off, got, cap, free, ep = 0, nil, nil, nil, nil
  for _ = 1, 10 do
    local batch = redis.call('ZRANGE', KEYS[4], off, off + 99, 'WITHSCORES')
    if #batch == 0 then return got, false, ep end
    if not cap then cap, free = room(s) end
    for i = 1, #batch, 2 do
      local wid = batch[i]
      local info = redis.call('HGET', KEYS[5], wid)
      local exp, lease, owner, n
      if info then exp, lease, owner, n = waiter(info) end
      if not info or (exp < now() and wid ~= self) then
        leave(wid)
      elseif n > cap then
        off = off + 1
      elseif n > free then
        return got, true, ep
      else
        leave(wid)
        free = free - n
        if wid == self then
          got, ep = take(owner, n, lease, wid)
        else
          local ttl = grantTTL(exp, lease)
          local f, e = take(owner, n, ttl, wid)
          redis.call('HSET', KEYS[6], wid, string.format('%.0f', n) .. ' ' .. owner .. ' ' .. string.format('%.0f', f)
            .. ' ' .. string.format('%.0f', now()))
          -- (Never sooner than it would: a grant to a waiter of a shorter lease would
          -- take the others' records with it, and their waiters would then confirm
          -- their grants by the note of the take alone. NX first: in a hand-off the
          -- record is usually the only one, the hash new.)
          if redis.call('PEXPIRE', KEYS[6], lease + REG, 'NX') == 0 then
            redis.call('PEXPIRE', KEYS[6], lease + REG, 'GT')
          end
          announce(batch[i + 1], 'w', wid, 't', string.format('%.0f', f), 'x', now() + ttl,
            'e', string.format('%.0f', e))
        end
      end
    end
    -- A short batch was the line's end (and may have emptied it).
    if #batch < 200 then return got, false, ep end
  end
  return got, true, ep -- more than 1000 waiters visited: treat the rest as waiting
end

-- register puts wid in line or renews its registration (see joinLine; old: its ticket). A grant's
-- entry holds the wait id (w), the fencing token (t), when the grant's lease runs out
-- (x, ms of server time) and the epoch of the holding (e).
local function register(wid, owner, n, lease, old)
  -- (Counts in full: Lua writes numbers of 15 digits and more in exponent form.)
  return joinLine(wid, lease .. ' ' .. owner .. ' ' .. string.format('%.0f', n), old)
end

-- release returns k of id's permits (NOTHELD when id holds fewer: its lease was lost),
-- adds over permits to the capacity, and hands free permits to the line. Returns the
-- permits id still holds, or nil and the error's code (NOTHELD; OVERFLOW when over would
-- take the capacity to 2^52, past which counts are no longer exact), changing nothing.
-- The line is served before id's permits leave the keys, counting them free: returning
-- them first could empty, and so delete, the holders and the state, which the grants
-- then write (while a Cluster slot migrates, Redis stops a script at a command naming
-- a key it lacks, keeping what the script wrote before: half a hand-off).
local function release(id, k, over)
  if over > 0 and room() + over >= 2 ^ 52 then return nil, 'OVERFLOW' end
  local left, s, spent = 0, nil, {}
  if k > 0 then
    local h = redis.call('HMGET', KEYS[2], id, '#used', '#extra')
    local cur, used = tonumber(h[1] or '0'), tonumber(h[2] or '0')
    if cur < k then return nil, 'NOTHELD' end
    left = cur - k
    s = {extra = h[3], used = math.max(0, used - k)}
    -- Nothing held any more: a grant to this handle that its renewal has not
    -- confirmed yet is spent (it would stay until its expiry otherwise). (Not one the
    -- grants below make, to another of its waits.)
    if left == 0 then spent = unconfirmed({[id] = true}) end
  end
  if over > 0 then
    redis.call('HINCRBY', KEYS[2], '#extra', over)
    redis.call('PERSIST', KEYS[2])
    if s then s.extra = full(tonumber(s.extra or '0') + over) end
  end
  grant(false, s)
  if k > 0 then unhold(id, k) end -- (its permits and the total as the grants left them)
  if #spent > 0 then redis.call('HDEL', KEYS[6], unpack(spent)) end
  return left
end
