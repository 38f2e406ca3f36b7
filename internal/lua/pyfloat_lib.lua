-- pyfloat_lib: the texts Python's float() reads, taken apart, shared by
-- float_arith and int_arith so that they read exactly the texts Go's
-- pyfmt.ParseFloat reads (it follows the same steps).

-- pyascii maps s as Python's float() maps a str before reading it: each
-- whitespace character to a space and each decimal digit (Unicode category
-- Nd, as Go's unicode.Nd) to its ASCII digit. It returns nil if s holds any
-- other non-ASCII character or is not UTF-8.
local function pyascii(s)
  -- The zero of every run of ten Nd digits above ASCII (Unicode 15).
  local zeros = {
    0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66,
    0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810,
    0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620,
    0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30,
    0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x11f50,
    0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
    0x1e140, 0x1e2f0, 0x1e4f0, 0x1e950, 0x1fbf0}
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = string.byte(s, i)
    local cp, more = c, 0
    if c >= 0xf0 then cp, more = c - 0xf0, 3
    elseif c >= 0xe0 then cp, more = c - 0xe0, 2
    elseif c >= 0xc0 then cp, more = c - 0xc0, 1
    elseif c >= 0x80 then return nil end
    for j = i + 1, i + more do
      local b = string.byte(s, j)
      if not b or b < 0x80 or b >= 0xc0 then return nil end
      cp = cp * 64 + b - 0x80
    end
    if more > 0 and cp < ({0x80, 0x800, 0x10000})[more] then return nil end -- overlong
    if cp < 0x80 then
      out[#out + 1] = string.char(cp)
    elseif cp == 0x85 or cp == 0xa0 or cp == 0x1680 or (cp >= 0x2000 and cp <= 0x200a) or
        cp == 0x2028 or cp == 0x2029 or cp == 0x202f or cp == 0x205f or cp == 0x3000 then
      out[#out + 1] = ' '
    else
      local d
      for _, z in ipairs(zeros) do
        if cp >= z and cp < z + 10 then d = cp - z break end
      end
      if not d then return nil end
      out[#out + 1] = string.char(48 + d)
    end
    i = i + more + 1
  end
  return table.concat(out)
end

-- pydigits returns d without its underscores if d is ASCII digits with
-- single underscores between two of them ('' included), else nil.
local function pydigits(d)
  if string.find(d, '[^0-9_]') or string.find(d, '^_') or string.find(d, '_$') or
      string.find(d, '__', 1, true) then
    return nil
  end
  return (string.gsub(d, '_', ''))
end

-- trim returns s without the whitespace around it, in one pass each way
-- (the pattern '^%s*(.-)%s*$' costs time quadratic in a run of inner
-- spaces: a value anyone can store must not hold the server).
local function trim(s)
  local i = string.find(s, '[^ \t\n\v\f\r]')
  if not i then return '' end
  local j = #s
  while true do
    local b = string.byte(s, j)
    if b ~= 32 and (b < 9 or b > 13) then break end
    j = j - 1
  end
  return string.sub(s, i, j)
end

-- pyfloat takes s apart as Python's float() reads a str: after pyascii,
-- the whitespace around the number is trimmed; then comes an optional sign
-- and either "inf", "infinity" or "nan" in any case, or digits with an
-- optional point and exponent, single underscores allowed between two
-- digits. It returns neg, special ('inf', 'nan' or false), the digits
-- before and after the point ('' if none: '.5', '5.', '5') and the
-- exponent with its sign if it has one ('' if none), underscores dropped;
-- or nil for any other text (hex, 'nan(1)', '1_', '').
local function pyfloat(s)
  if string.find(s, '[\128-\255]') then
    s = pyascii(s)
    if not s then return nil end
  end
  s = trim(s)
  local neg, c = false, string.sub(s, 1, 1)
  if c == '-' or c == '+' then neg, s = c == '-', string.sub(s, 2) end
  local low = string.lower(s)
  if low == 'inf' or low == 'infinity' or low == 'nan' then
    return neg, string.sub(low, 1, 3), '', '', ''
  end
  local mant, exp = string.match(s, '^([^eE]*)[eE](.*)$')
  if mant then
    local sign, d = string.match(exp, '^([-+]?)(.*)$')
    d = pydigits(d)
    if not d or d == '' then return nil end
    exp = sign .. d
  else
    mant, exp = s, ''
  end
  local whole, frac = string.match(mant, '^([^.]*)%.(.*)$')
  if not whole then whole, frac = mant, '' end
  whole, frac = pydigits(whole), pydigits(frac)
  if not whole or not frac or (whole == '' and frac == '') then return nil end
  return neg, false, whole, frac, exp
end
