-- counter_lib: exact decimal counts, shared by counter_combine, hash_step and
-- counter_most_common, which are sent with this text in front of them
-- (see -- libs: in each script). Counts are compared as decimal strings (sign, length, digits),
-- never as Lua numbers, so every int64 is exact.

-- valid returns c, the count of field f of hash k, if it is a canonical decimal
-- integer; otherwise it fails the script with NOTINT, which changes nothing.
local function valid(k, f, c)
  if c == '0' or string.find(c, '^%-?[1-9]%d*$') then return c end
  error({err = 'NOTINT field ' .. f .. ' of ' .. k .. ' holds ' .. c .. ', not an integer'})
end
-- cmp compares two canonical decimal integers: -1, 0 or 1.
local function cmp(a, b)
  if a == b then return 0 end
  local na, nb = string.byte(a, 1) == 45, string.byte(b, 1) == 45
  if na ~= nb then
    if na then return -1 end
    return 1
  end
  local r
  if #a ~= #b then
    if #a < #b then r = -1 else r = 1 end
  else
    if a < b then r = -1 else r = 1 end
  end
  if na then r = -r end
  return r
end
-- positive reports whether a canonical decimal count is above zero.
local function positive(c) return c ~= '0' and string.byte(c, 1) ~= 45 end
