-- float_arith: float64 arithmetic on a stored float, as Go computes it.
-- libs: pyfloat_lib
-- KEYS[1] the float (any text Python's float() reads; missing counts as 0.0)
-- ARGV[1] op: add sub mul div swap cas, or steps
-- ARGV[2] the operand (a finite float64 in shortest round-trip form)
-- ARGV[3] cas only: the new value
-- steps: ARGV[2], ARGV[3] the first step's op (add sub mul div) and
-- operand, ARGV[4], ARGV[5] the second's, and so on: the steps of several
-- callers, done one after the other as if each had sent its own call.
-- A step whose result is NaN or infinite, or a division by zero, changes
-- nothing; the next goes on from the value before it.
-- Reply: the new value in Python's repr form (swap: the old stored text;
-- cas: 1 if it swapped, else 0), or an error reply, with nothing stored:
-- DECODE (the stored text is not a float), NOTFINITE (the stored value,
-- "inf" or "nan" in any case and sign, or the result is NaN or infinite),
-- DIVZERO. steps: the value before the first step and after the last,
-- in repr form: the caller works out each step's result from them, as Go
-- and Lua compute alike (repr of each step here would cost the server
-- more than the steps themselves); the stored DECODE and NOTFINITE errors.
-- A script so that read, compute and write are one atomic step. Lua numbers
-- are IEEE doubles, so + - * / here round exactly as Go's float64 do; the
-- stored text is checked against float()'s syntax (pyfloat_lib), read with
-- strtod (correctly rounded) and written as the shortest text that reads
-- back as the same double, which is Python's repr.
-- (INCRBYFLOAT is not used: it adds in long double and keeps 17 decimals,
-- so 0.1+0.2 gives 0.3 and adding 1e-20 gives 0, unlike Go.)

-- The common case first, before the libraries and this script's functions
-- are defined (a fifth of the script's server time): + - * / of a stored
-- plain decimal (digits, at most one point; or nothing, 0.0) whose result
-- is a double in [1e-4, 1e15). repr writes it as the first of '%.15g',
-- '%.16g', '%.17g' that reads back (see quick and repr below, which do the
-- same), with '.0' on an integer; but for a power of two (see candidate:
-- though every one in this range has an exact short decimal, which %.15g
-- finds). Any other case takes the long way with the value read here.
-- arith returns a op b (op: add sub mul div), nil for another op or a
-- division by zero.
local function arith(op, a, b)
  if op == 'add' then return a + b
  elseif op == 'sub' then return a - b
  elseif op == 'mul' then return a * b
  elseif op == 'div' and b ~= 0 then return a / b end
end

-- A combined call carries 1 to 64 steps (the client's maxSteps): more
-- would hold the server longer than a step's bound allows.
if ARGV[1] == 'steps' and (#ARGV < 3 or #ARGV % 2 == 0 or #ARGV > 129) then
  return redis.error_reply('ERR steps takes 1 to 64 op and operand pairs')
end
-- plainDecimal reports whether s is an optional '-', digits and an
-- optional point with digits after it ('1', '-1.5', '2.'), in linear time
-- (the pattern '^%-?%d+%.?%d*$' backtracks over every split of a long run
-- of digits).
local function plainDecimal(s)
  local i = 1
  if string.byte(s, 1) == 45 then i = 2 end -- '-'
  local _, e = string.find(s, '^%d+', i)
  if not e then return false end
  if e == #s then return true end
  if string.byte(s, e + 1) ~= 46 then return false end -- '.'
  if e + 1 == #s then return true end
  local _, f = string.find(s, '^%d+', e + 2)
  return f == #s
end

local fastRaw = redis.call('GET', KEYS[1])
if not fastRaw or plainDecimal(fastRaw) then
  local r = arith(ARGV[1], tonumber(fastRaw or '0'), tonumber(ARGV[2]))
  local ar = r and math.abs(r)
  if ar and ar >= 1e-4 and ar < 1e15 and math.frexp(ar) ~= 0.5 then
    local s = string.format('%.15g', r)
    if tonumber(s) ~= r then s = string.format('%.16g', r) end
    if tonumber(s) ~= r then s = string.format('%.17g', r) end
    if not string.find(s, '.', 1, true) then s = s .. '.0' end
    redis.call('SET', KEYS[1], s, 'KEEPTTL')
    return s
  end
end
-- libs here

-- parse reads s as Python's float() does, nil if float() refuses it. The
-- forms repr and INCRBYFLOAT write go straight to tonumber (strtod), which
-- reads them as Python does; any other text is taken apart first, since
-- strtod also reads hex, "nan(...)" and the digits before a NUL, and not
-- underscores.
local function parse(s)
  if not s then return 0 end
  if plainDecimal(s) or string.find(s, '^%-?%d%.?%d*e[-+]%d+$') then
    return tonumber(s)
  end
  local neg, special, whole, frac, exp = pyfloat(s)
  if neg == nil then return nil end
  local x
  if special == 'inf' then
    x = math.huge
  elseif special == 'nan' then
    x = 0 / 0
  else
    if exp == '' then exp = '0' end
    x = tonumber(whole .. '.' .. frac .. 'e' .. exp)
  end
  if neg then x = -x end
  return x
end

local function finite(x)
  return x == x and x ~= math.huge and x ~= -math.huge
end

-- bump adds delta (+1 or -1) to a decimal digit string.
local function bump(d, delta)
  local t = {string.byte(d, 1, -1)}
  local i = #t
  while i >= 1 do
    local c = t[i] - 48 + delta
    if c >= 0 and c <= 9 then
      t[i] = c + 48
      break
    end
    if c < 0 then t[i] = 57 else t[i] = 48 end
    i = i - 1
  end
  local s = string.char(unpack(t))
  if i == 0 then s = '1' .. s end
  return (string.gsub(s, '^0+', ''))
end

-- split returns the digits d and exponent q (the decimal d * 10^q) of s,
-- a p-digit number string.format wrote with '%.<p-1>e'.
local function split(s, p)
  local d1, rest, e = string.match(s, '^(%d)%.?(%d*)e([-+]%d+)$')
  return d1 .. rest, tonumber(e) - p + 1
end

-- candidate returns the digits and exponent of a p-digit decimal that
-- reads back as ax, if there is one: the nearest p-digit decimal to ax
-- (printf rounds correctly), or else the next one on ax's other side.
-- That second try matters only when ax is a power of two (pow2): its
-- rounding interval is lopsided, so the nearest may miss it while the
-- next one hits it. Any other double's interval is symmetric, and nothing
-- farther than the nearest can be in it.
local function candidate(ax, p, pow2)
  local s = string.format('%.' .. (p - 1) .. 'e', ax)
  local v = tonumber(s)
  if v == ax then return split(s, p) end
  if not pow2 then return nil end
  local d, q = split(s, p)
  local alt = bump(d, v < ax and 1 or -1)
  if alt ~= '' and tonumber(alt .. 'e' .. q) == ax then return alt, q end
end

-- shortest returns the digits and exponent of the shortest decimal that
-- reads back as ax (> 0), the nearest to ax when several are as short.
-- A double's rounding interval is narrower than the gap between 15-digit
-- decimals, so at most one decimal of 15 digits or fewer reads back as a
-- normal double: found at p = 15, then stripped of trailing zeros. Else
-- 16 or 17 digits are needed. Subnormals have wider intervals: every
-- length is tried in turn.
local function shortest(ax)
  local pow2 = math.frexp(ax) == 0.5
  if ax < 2.2250738585072014e-308 then
    for p = 1, 17 do
      local d, q = candidate(ax, p, pow2)
      if d then return d, q end
    end
  end
  for p = 15, 17 do
    local d, q = candidate(ax, p, pow2)
    if d then return d, q end
  end
end

-- quick returns Python's repr of a normal x, 1e15 > |x| or |x| >= 1e16,
-- when printf's '%.<p>g' already writes it, else nil. It does when that
-- text reads back as x and is the shortest that does: at p = 15 always
-- (the nearest 15-digit decimal, unique, see shortest); at p = 16 or 17
-- when no shorter one exists, which the caller knows. %g strips trailing
-- zeros and switches to an exponent when it is < -4 or >= p, repr when it
-- is < -4 or >= 16: the same outside [1e15, 1e16) except at p = 17 for
-- |x| >= 1e16. Positional %g lacks repr's ".0" on integers.
local function quick(x, p)
  local s = string.format(p == 15 and '%.15g' or p == 16 and '%.16g' or '%.17g', x)
  if tonumber(s) ~= x then return nil end
  if string.find(s, 'e', 1, true) then return s end
  if p == 17 and math.abs(x) >= 1e16 then return nil end
  if not string.find(s, '.', 1, true) then s = s .. '.0' end
  return s
end

-- repr formats a finite x as Python's repr(float).
local function repr(x)
  if x == 0 then
    if 1 / x < 0 then return '-0.0' end
    return '0.0'
  end
  local ax = math.abs(x)
  if ax >= 2.2250738585072014e-308 and (ax < 1e15 or ax >= 1e16) then
    local s = quick(x, 15)
    if s then return s end
    -- A power of two may still have a shorter decimal (see candidate).
    if math.frexp(ax) ~= 0.5 then
      s = quick(x, 16) or quick(x, 17)
      if s then return s end
    end
  end
  local sign = ''
  if x < 0 then sign = '-' end
  local d, q = shortest(math.abs(x))
  local z = string.match(d, '0*$')
  if #z > 0 then d, q = string.sub(d, 1, #d - #z), q + #z end
  local e = q + #d - 1 -- scientific exponent: x = d[1].d[2..] * 10^e
  if e >= 16 or e < -4 then
    local m = string.sub(d, 1, 1)
    if #d > 1 then m = m .. '.' .. string.sub(d, 2) end
    local es = '+'
    if e < 0 then es = '-' end
    return sign .. m .. 'e' .. es .. string.format('%02d', math.abs(e))
  end
  if e < 0 then return sign .. '0.' .. string.rep('0', -e - 1) .. d end
  if #d <= e + 1 then return sign .. d .. string.rep('0', e + 1 - #d) .. '.0' end
  return sign .. string.sub(d, 1, e + 1) .. '.' .. string.sub(d, e + 2)
end

local op, key = ARGV[1], KEYS[1]
local raw = fastRaw -- read above
local a = parse(raw)
if a == nil then
  return redis.error_reply('DECODE value is not a float')
end

if op == 'swap' then
  redis.call('SET', key, ARGV[2], 'KEEPTTL')
  return raw or '0.0'
end
if op == 'cas' then
  if a ~= tonumber(ARGV[2]) then return 0 end
  redis.call('SET', key, ARGV[3], 'KEEPTTL')
  return 1
end

if not finite(a) then
  return redis.error_reply('NOTFINITE the stored value ' .. raw .. ' is not finite')
end
if op == 'steps' then
  local first, ok = repr(a), false
  for i = 2, #ARGV - 1, 2 do
    local r = arith(ARGV[i], a, tonumber(ARGV[i + 1]))
    if r and finite(r) then a, ok = r, true end
  end
  if not ok then return {first, first} end
  local last = repr(a)
  redis.call('SET', key, last, 'KEEPTTL')
  return {first, last}
end
local b = tonumber(ARGV[2])
local r = arith(op, a, b)
if not r then
  if op == 'div' then return redis.error_reply('DIVZERO float division by zero') end
  return redis.error_reply('ERR unknown op ' .. op)
end
if not finite(r) then
  return redis.error_reply('NOTFINITE ' .. repr(a) .. ' ' .. op .. ' ' .. ARGV[2] .. ' is not finite')
end
local s = repr(r)
redis.call('SET', key, s, 'KEEPTTL')
return s
