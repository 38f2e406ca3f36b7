-- wg_go: start a WaitGroup member (Go): count it and lease it.
-- libs: clock_lib wake_lib wg_lib
-- KEYS as in wg_lib. ARGV[1] the member's id, ARGV[2] its lease in ms.
-- Reply: the new count, or an error reply TOOBIG (no change) when it would reach 2^52; a
-- second run of the same member's start counts nothing more.
-- A script so that the member and its count come and go together: whoever finds its
-- lease run out counts it done exactly once.
-- flags: guarded
local count, lost = open()
if not count then return lost end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  -- This member joined already: the command ran twice (a client that sends again
  -- after a lost connection). Counted once: its lease renewed, the same count.
  leaseMember(KEYS[2], ARGV[1], ARGV[2])
  return count
end
local c, l = join(count, lost, 1)
if not c then return l end
leaseMember(KEYS[2], ARGV[1], ARGV[2])
store(count, c, l)
together()
return c
