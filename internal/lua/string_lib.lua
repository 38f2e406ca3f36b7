-- string_lib: writing a String's whole value.

-- store replaces the string at key with v, keeping its expiry; '' deletes the key (an
-- empty String is never stored).
local function store(key, v)
  if v == '' then
    redis.call('DEL', key)
  else
    redis.call('SET', key, v, 'KEEPTTL')
  end
end
