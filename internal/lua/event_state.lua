-- event_state: what a Wait of an Event starts from: the flag and the wake stream's end.
-- libs: clock_lib wake_lib
-- flags: readonly primary
-- KEYS[1] the flag (string "1" while set), KEYS[2] the wake stream. No ARGV.
-- Reply: {1 when set else 0, the id of the stream's last entry ("0-0": none)}.
-- A script so that the flag and the stream position are read together: a Set made after
-- this read adds an entry after that id, which wakes the waiter at once.
local set = 0
if redis.call('GET', KEYS[1]) then set = 1 end
return {set, lastEntry(KEYS[2])}
