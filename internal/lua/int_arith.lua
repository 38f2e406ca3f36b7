-- int_arith: exact int64 arithmetic on a decimal integer, as Go computes it.
-- libs: pyfloat_lib
-- KEYS[1] the integer: decimal text, as INCR reads it, or any other text
-- Python's float() reads whose exact value is an integer within int64
-- ("5.0", "3e+17": HOT Redis's Int stores such text after arithmetic with
-- a float); missing counts as 0
-- ARGV[1] op: add sub mul div mod pow and or xor andnot shl shr swap cas,
-- or steps
-- ARGV[2] the operand, decimal int64 (pow, shl, shr: a count 0..65)
-- ARGV[3] cas only: the new value
-- steps: ARGV[2], ARGV[3] the first step's op (not swap or cas) and
-- operand, ARGV[4], ARGV[5] the second's, and so on: the steps of several
-- callers, done one after the other as if each had sent its own call. A
-- step that fails (OVERFLOW, DIVZERO) changes nothing; the next goes on
-- from the value before it.
-- Reply: the new value as decimal text (swap: the old value, in decimal;
-- cas: 1 if it swapped, else 0), or an error reply, with nothing stored:
-- DECODE (the stored text is not an int64), OVERFLOW (the result is outside
-- int64), DIVZERO. Every value stored is decimal text. steps: the value
-- before the first step and after the last, in decimal: the caller works
-- out each step's result from them; or the stored value's DECODE.
-- A script so that read, compute and write are one atomic step. Lua numbers
-- are doubles, exact only up to 2^53, so no int64 is ever held in one: a
-- value is a sign and a magnitude in four 16-bit limbs (least significant
-- first), and every operation works limb by limb, so each intermediate
-- stays far below 2^53. Values and results below 2^53 take a fast path in
-- plain doubles, which are exact there.

-- The common case first, before the libraries and this script's other
-- functions are defined (see lua.go's "libs here"): canonical text.
-- A combined call carries 1 to 64 steps (the client's maxSteps): more
-- would hold the server longer than a step's bound allows.
if ARGV[1] == 'steps' and (#ARGV < 3 or #ARGV % 2 == 0 or #ARGV > 129) then
  return redis.error_reply('ERR steps takes 1 to 64 op and operand pairs')
end
local fastRaw = redis.call('GET', KEYS[1])

-- small returns the value of canonical text of at most 15 digits, which a
-- double holds exactly, or nil.
local function small(s)
  if s == '0' then return 0 end
  local d = string.match(s, '^%-?([1-9][0-9]*)$')
  if d and #d <= 15 then return tonumber(s) end
end

-- Fast path: when both values and the result are below 2^53 in magnitude,
-- doubles compute every operation here exactly (fmod is exact, and
-- rounding never carries a product or sum across 2^53 unnoticed).
local LIM = 9007199254740992
local x, y = small(fastRaw or '0'), small(ARGV[2])
local op = ARGV[1]
if x and y and op ~= 'swap' and op ~= 'cas' then
  local r
  if op == 'add' then
    r = x + y
  elseif op == 'sub' then
    r = x - y
  elseif op == 'mul' then
    r = x * y
  elseif (op == 'div' or op == 'mod') and y ~= 0 then
    local m = math.fmod(x, y) -- has the dividend's sign, as Go's %
    if op == 'mod' then r = m else r = (x - m) / y end
  elseif op == 'pow' then
    r = 1
    for _ = 1, y do
      r = r * x
      if r >= LIM or r <= -LIM then break end
    end
  elseif op == 'shl' then
    r = x * 2 ^ y
  elseif op == 'shr' then
    r = math.floor(x / 2 ^ math.min(y, 63))
  elseif x >= 0 and y >= 0 and x < 2147483648 and y < 2147483648 then
    if op == 'and' then r = bit.band(x, y)
    elseif op == 'or' then r = bit.bor(x, y)
    elseif op == 'xor' then r = bit.bxor(x, y)
    elseif op == 'andnot' then r = bit.band(x, bit.bnot(y)) end
  end
  if r and r > -LIM and r < LIM then
    local s = string.format('%.0f', r + 0) -- + 0 turns -0 into 0
    redis.call('SET', KEYS[1], s, 'KEEPTTL')
    return s
  end
end

-- libs here

local B, HALF = 65536, 32768

local function zero() return {0, 0, 0, 0} end

local function iszero(m)
  return m[1] == 0 and m[2] == 0 and m[3] == 0 and m[4] == 0
end

-- parse reads the text INCR accepts: "0" or an optional "-" and digits
-- without a leading zero, within int64. It returns neg, magnitude, or nil.
local function parse(s)
  local neg, d = false, s
  if string.byte(s, 1) == 45 then neg, d = true, string.sub(s, 2) end
  if d == '0' and not neg then return false, zero() end
  if not string.find(d, '^[1-9][0-9]*$') then return nil end
  if #d > 19 or (#d == 19 and d > (neg and '9223372036854775808' or '9223372036854775807')) then
    return nil
  end
  local m, pos, len = zero(), 1, (#d - 1) % 4 + 1
  while pos <= #d do -- four digits at a time: m = m * 10^len + digits
    local c, f = tonumber(string.sub(d, pos, pos + len - 1)), 10 ^ len
    for j = 1, 4 do
      local v = m[j] * f + c
      c = math.floor(v / B)
      m[j] = v - c * B
    end
    pos, len = pos + len, 4
  end
  return neg, m
end

local function format(neg, m)
  if iszero(m) then return '0' end
  local t, parts = {m[1], m[2], m[3], m[4]}, {}
  while not iszero(t) do
    local r = 0
    for j = 4, 1, -1 do
      local v = r * B + t[j]
      local q = math.floor(v / 10000)
      r = v - q * 10000
      t[j] = q
    end
    table.insert(parts, 1, r)
  end
  local s = tostring(parts[1])
  for i = 2, #parts do s = s .. string.format('%04d', parts[i]) end
  if neg then s = '-' .. s end
  return s
end

-- fits reports whether sign and magnitude (any number of limbs) is an int64.
local function fits(neg, m)
  for j = 5, #m do
    if m[j] ~= 0 then return false end
  end
  if m[4] < HALF then return true end
  return neg and m[4] == HALF and m[1] == 0 and m[2] == 0 and m[3] == 0
end

local function cmp(a, b)
  for j = 4, 1, -1 do
    if a[j] ~= b[j] then
      if a[j] < b[j] then return -1 end
      return 1
    end
  end
  return 0
end

local function addmag(a, b)
  local r, c = {}, 0
  for j = 1, 4 do
    local v = a[j] + b[j] + c
    if v >= B then r[j], c = v - B, 1 else r[j], c = v, 0 end
  end
  r[5] = c
  return r
end

-- submag returns a - b for magnitudes a >= b.
local function submag(a, b)
  local r, c = {}, 0
  for j = 1, 4 do
    local v = a[j] - b[j] - c
    if v < 0 then r[j], c = v + B, 1 else r[j], c = v, 0 end
  end
  return r
end

local function add(an, a, bn, b)
  if an == bn then return an, addmag(a, b) end
  if cmp(a, b) >= 0 then return an, submag(a, b) end
  return bn, submag(b, a)
end

-- mulmag returns the full 128-bit product in eight limbs.
local function mulmag(a, b)
  local r = {0, 0, 0, 0, 0, 0, 0, 0}
  for i = 1, 4 do
    local c = 0
    for j = 1, 4 do
      local v = r[i + j - 1] + a[i] * b[j] + c
      c = math.floor(v / B)
      r[i + j - 1] = v - c * B
    end
    r[i + 4] = c
  end
  return r
end

-- divmag returns quotient and remainder of magnitudes, b not zero, by
-- binary long division.
local function divmag(a, b)
  local q, r = zero(), zero()
  for j = 4, 1, -1 do
    for k = 15, 0, -1 do
      local p = 2 ^ k
      local c = math.floor(a[j] / p) % 2
      for i = 1, 4 do
        local v = r[i] * 2 + c
        if v >= B then r[i], c = v - B, 1 else r[i], c = v, 0 end
      end
      if cmp(r, b) >= 0 then
        r = submag(r, b)
        q[j] = q[j] + p
      end
    end
  end
  return q, r
end

-- twos converts between sign-magnitude and 64-bit two's complement limbs
-- (negation modulo 2^64 when neg).
local function twos(neg, m)
  if not neg then return {m[1], m[2], m[3], m[4]} end
  local r, c = {}, 1
  for j = 1, 4 do
    local v = (B - 1 - m[j]) + c
    if v >= B then r[j], c = v - B, 1 else r[j], c = v, 0 end
  end
  return r
end

local function pow2(n) -- 0 <= n <= 63
  local m = zero()
  m[math.floor(n / 16) + 1] = 2 ^ (n % 16)
  return m
end

-- integral returns the decimal text INCR reads (at most 19 digits, not yet
-- checked against int64's range) of s, a text Python's float() reads whose
-- exact value is an integer: "5.0" gives "5", "3e+17" "300000000000000000",
-- "-0.0" "0". Else nil: "2.5", "1e19", "nan". The digits are shifted by the
-- exponent as text, never rounded through a double.
local function integral(s)
  local neg, special, whole, frac, exp = pyfloat(s)
  if neg == nil or special then return nil end
  local d = string.gsub(whole .. frac, '^0+', '')
  if d == '' then return '0' end
  -- d * 10^shift is the value. An exponent beyond #s + 20 decides as well
  -- as the exact one: the value is then above 10^20 or below 10^-20.
  local e = 0
  if exp ~= '' then
    local sign, ed = string.match(exp, '^([-+]?)(%d+)$')
    e = math.min(tonumber(ed), #s + 20)
    if sign == '-' then e = -e end
  end
  local shift = e - #frac
  if shift >= 0 then
    if #d + shift > 19 then return nil end
    d = d .. string.rep('0', shift)
  else
    local cut = #d + shift
    if cut <= 0 or string.find(string.sub(d, cut + 1), '[1-9]') then return nil end
    d = string.sub(d, 1, cut)
  end
  if neg then d = '-' .. d end
  return d
end

local op, key = ARGV[1], KEYS[1]
local raw = fastRaw -- read above
-- text is the stored value as INCR's text: '0' for a missing key, raw
-- itself in the common case, else what integral makes of raw.
local text = raw or '0'
if raw and raw ~= '0' and not string.find(raw, '^%-?[1-9]%d*$') then
  text = integral(raw)
  if not text then
    return redis.error_reply('DECODE value is not an integer')
  end
end

local ONE = {1, 0, 0, 0}
local an, a = parse(text)
if an == nil then
  return redis.error_reply('DECODE value is not an integer')
end

if op == 'swap' or op == 'cas' then
  if op == 'cas' then
    if text ~= ARGV[2] then return 0 end
    redis.call('SET', key, ARGV[3], 'KEEPTTL')
    return 1
  end
  redis.call('SET', key, ARGV[2], 'KEEPTTL')
  return text
end

-- apply returns a op arg (an, a: sign and magnitude) as sign and
-- magnitude, or nil and the error reply (OVERFLOW, DIVZERO, ...).
local function apply(an, a, op, arg)
  local rn, r
  if op == 'pow' or op == 'shl' or op == 'shr' then
    local n = tonumber(arg)
    if op == 'pow' then
      if n == 0 then
        rn, r = false, ONE
      elseif iszero(a) or cmp(a, ONE) == 0 then
        rn, r = an and n % 2 == 1, a
      elseif n >= 64 then
        r = nil
      else
        rn, r = false, ONE
        local bn, b = an, a
        while r and n > 0 do
          if n % 2 == 1 then
            rn, r = rn ~= bn, mulmag(r, b)
            if not fits(rn, r) then r = nil end
          end
          n = math.floor(n / 2)
          if r and n > 0 then
            bn, b = false, mulmag(b, b)
            if not fits(bn, b) then r = nil end
          end
        end
      end
    elseif op == 'shl' then
      if iszero(a) then
        rn, r = false, a
      elseif n < 64 then
        rn, r = an, mulmag(a, pow2(n))
        if not fits(rn, r) then r = nil end
      end
    else -- shr: floor division by 2^n, so negative values round down
      local p = pow2(math.min(n, 63))
      if an then
        rn, r = true, addmag(divmag(submag(a, ONE), p), ONE)
      else
        rn, r = false, divmag(a, p)
      end
    end
  else
    local bn, b = parse(arg)
    if bn == nil then
      return nil, redis.error_reply('ERR operand is not an int64')
    end
    if op == 'add' then
      rn, r = add(an, a, bn, b)
    elseif op == 'sub' then
      rn, r = add(an, a, not bn, b)
    elseif op == 'mul' then
      rn, r = an ~= bn, mulmag(a, b)
    elseif op == 'div' or op == 'mod' then
      if iszero(b) then
        return nil, redis.error_reply('DIVZERO integer division by zero')
      end
      local q, m = divmag(a, b)
      if op == 'div' then rn, r = an ~= bn, q else rn, r = an, m end
    else
      local ta, tb, t = twos(an, a), twos(bn, b), {}
      for j = 1, 4 do
        if op == 'and' then t[j] = bit.band(ta[j], tb[j])
        elseif op == 'or' then t[j] = bit.bor(ta[j], tb[j])
        elseif op == 'xor' then t[j] = bit.bxor(ta[j], tb[j])
        elseif op == 'andnot' then t[j] = bit.band(ta[j], B - 1 - tb[j])
        else return nil, redis.error_reply('ERR unknown op ' .. op) end
      end
      rn = t[4] >= HALF
      r = twos(rn, t)
    end
    if not fits(rn, r) then r = nil end
  end

  if not r then
    return nil, redis.error_reply('OVERFLOW ' .. format(an, a) .. ' ' .. op .. ' ' .. arg .. ' overflows int64')
  end
  if iszero(r) then rn = false end -- (a zero product or remainder may come signed)
  return rn, r
end

if op == 'steps' then
  local first, ok = format(an, a), false
  for i = 2, #ARGV - 1, 2 do
    local rn, r = apply(an, a, ARGV[i], ARGV[i + 1])
    if rn ~= nil then an, a, ok = rn, r, true end
  end
  if not ok then return {first, first} end
  local last = format(an, a)
  redis.call('SET', key, last, 'KEEPTTL')
  return {first, last}
end

local rn, r = apply(an, a, op, ARGV[2])
if rn == nil then return r end
local s = format(rn, r)
redis.call('SET', key, s, 'KEEPTTL')
return s
