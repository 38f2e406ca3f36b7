-- wg_state: what a WaitGroup's Wait and Count read.
-- libs: clock_lib wake_lib wg_lib
-- KEYS as in wg_lib.
-- Reply: {count, lost, the wake stream's last entry id, ms until the first member's
-- lease runs out (-1: no member)}, after counting members whose lease ran out done.
-- A script so that dead members are counted (and the waiters woken if that brings the
-- count to 0) before the count is read, and so that the count and the stream's last id
-- are one snapshot: a waiter that then reads the stream after that id misses no zero.
-- flags: guarded
local count, lost = open()
if not count then return lost end
return {count, lost, lastEntry(KEYS[3]), nextExpiry(KEYS[2])}
