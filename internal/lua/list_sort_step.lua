-- list_sort_step: one bounded step of sorting a long list (see List.Sort): sort one run
-- of it, or merge a few sorted runs.
-- KEYS for "run": [1] the list, [2] the run (a scratch list); for "merge": [1] the output
-- (a scratch list), [2..] the sorted runs to merge (scratch lists, at most 16)
-- ARGV[1] the step ("run" or "merge"), ARGV[2] "ALPHA" to sort by bytes or "" by value,
-- ARGV[3] "DESC" or "", ARGV[4] the scratch keys' expiry in ms; "run": ARGV[5], ARGV[6]
-- the LRANGE bounds of the run; "merge": ARGV[5] how many elements to read from each run
-- Reply: "run": the run's length; "merge": {1 when every run is used up, else 0, the
-- output's length}.
-- A script so that a run is copied and sorted by SORT without crossing the network (SORT
-- also refuses what is not a number, as it would for the whole list), and so that a
-- merge step reads the runs' heads and moves what it merged in one step. A merge step
-- emits elements only while every run that has more holds unread elements in the part
-- read, so nothing smaller can follow; the runs lose what was emitted.
local op, alpha, desc, ttl = ARGV[1], ARGV[2] == 'ALPHA', ARGV[3] == 'DESC', ARGV[4]
if op == 'run' then
  local part = redis.call('LRANGE', KEYS[1], ARGV[5], ARGV[6])
  if #part == 0 then return 0 end
  redis.call('DEL', KEYS[2])
  redis.call('RPUSH', KEYS[2], unpack(part))
  local args = {'SORT', KEYS[2]}
  if alpha then args[#args + 1] = 'ALPHA' end
  if desc then args[#args + 1] = 'DESC' end
  args[#args + 1] = 'STORE'
  args[#args + 1] = KEYS[2]
  local n = redis.call(unpack(args))
  redis.call('PEXPIRE', KEYS[2], ttl)
  return n
end
if op ~= 'merge' then return redis.error_reply('ERR unknown sort step ' .. op) end
-- SORT compares numbers as doubles (strtod, which Lua's tonumber also uses) and
-- text with strcoll, which Lua's < on strings also uses.
local function less(x, y)
  if not alpha then x, y = tonumber(x), tonumber(y) end
  if desc then return y < x end
  return x < y
end
local c = tonumber(ARGV[5])
local bufs, pos, more = {}, {}, {}
for i = 2, #KEYS do
  bufs[i] = redis.call('LRANGE', KEYS[i], 0, c - 1)
  pos[i] = 1
  more[i] = #bufs[i] == c and redis.call('LLEN', KEYS[i]) > c
end
local out = {}
local function flush()
  if #out > 0 then redis.call('RPUSH', KEYS[1], unpack(out)) end
  out = {}
end
while true do
  local best, stop = nil, false
  for i = 2, #KEYS do
    if pos[i] <= #bufs[i] then
      if not best or less(bufs[i][pos[i]], bufs[best][pos[best]]) then best = i end
    elseif more[i] then
      stop = true -- this run's next elements are unread: they may be smaller
    end
  end
  if stop or not best then break end
  out[#out + 1] = bufs[best][pos[best]]
  pos[best] = pos[best] + 1
  if #out == 1000 then flush() end
end
flush()
local done = 1
for i = 2, #KEYS do
  if pos[i] > 1 then redis.call('LPOP', KEYS[i], pos[i] - 1) end
  if redis.call('EXISTS', KEYS[i]) == 1 then
    done = 0
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
local n = redis.call('LLEN', KEYS[1])
if n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return {done, n}
