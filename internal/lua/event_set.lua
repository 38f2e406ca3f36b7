-- event_set: set an Event and wake everyone waiting for it.
-- libs: clock_lib wake_lib
-- KEYS[1] the flag (string "1" while set), KEYS[2] the wake stream. No ARGV.
-- Reply: 1 when the event was not set before, 0 when it was (nothing announced: nobody
-- can be waiting for a set event, since each waiter read it clear before the Set that
-- set it, which woke it).
-- A script so that setting and announcing are one step: a waiter that read the flag
-- clear is woken by this entry even when a Clear follows at once.
if redis.call('GET', KEYS[1]) then return 0 end
-- The announcement first: a stream key of another type fails it (WRONGTYPE) before the
-- flag is written, as a script's error undoes nothing.
wake(KEYS[2], 'set', '1')
redis.call('SET', KEYS[1], '1')
return 1
