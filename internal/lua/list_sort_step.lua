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
-- text with strcoll, which Lua's < on strings also uses. Each element's sort key is
-- computed once, and the runs' heads are kept in a binary heap.
local function key(x)
  if alpha then return x end
  return tonumber(x)
end
local function before(a, b) -- heap entries {key, run, position}: a sorts before b
  if a[1] == b[1] then return a[2] < b[2] end -- equal keys keep the runs' order
  if desc then return b[1] < a[1] end
  return a[1] < b[1]
end
local c = tonumber(ARGV[5])
local bufs, more = {}, {}
local heap = {}
local function push(e)
  heap[#heap + 1] = e
  local i = #heap
  while i > 1 do
    local p = math.floor(i / 2)
    if not before(heap[i], heap[p]) then break end
    heap[i], heap[p] = heap[p], heap[i]
    i = p
  end
end
local function pop()
  local top = heap[1]
  local last = heap[#heap]
  heap[#heap] = nil
  if #heap > 0 then
    heap[1] = last
    local i = 1
    while true do
      local l, r, m = 2 * i, 2 * i + 1, i
      if l <= #heap and before(heap[l], heap[m]) then m = l end
      if r <= #heap and before(heap[r], heap[m]) then m = r end
      if m == i then break end
      heap[i], heap[m] = heap[m], heap[i]
      i = m
    end
  end
  return top
end
local used = {}
for i = 2, #KEYS do
  bufs[i] = redis.call('LRANGE', KEYS[i], 0, c - 1)
  used[i] = 0
  more[i] = #bufs[i] == c and redis.call('LLEN', KEYS[i]) > c
  if #bufs[i] > 0 then push({key(bufs[i][1]), i, 1}) end
end
local out = {}
local function flush()
  if #out > 0 then redis.call('RPUSH', KEYS[1], unpack(out)) end
  out = {}
end
while #heap > 0 do
  local e = pop()
  local i, p = e[2], e[3]
  out[#out + 1] = bufs[i][p]
  used[i] = p
  if #out == 1000 then flush() end
  if p < #bufs[i] then
    push({key(bufs[i][p + 1]), i, p + 1})
  elseif more[i] then
    break -- this run's next elements are unread: they may come before the others
  end
end
flush()
local done = 1
for i = 2, #KEYS do
  if used[i] > 0 then redis.call('LPOP', KEYS[i], used[i]) end
  if redis.call('EXISTS', KEYS[i]) == 1 then
    done = 0
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
local n = redis.call('LLEN', KEYS[1])
if n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return {done, n}
