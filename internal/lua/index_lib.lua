-- index_lib: Python's slice bounds, shared by the scripts that take them.

-- clamp turns a Python slice bound i over a sequence of length n into an offset in
-- [0, n]: a negative i counts from the end, and bounds past either end are clamped.
local function clamp(i, n)
  if i < 0 then
    i = i + n
    if i < 0 then i = 0 end
  end
  if i > n then i = n end
  return i
end
