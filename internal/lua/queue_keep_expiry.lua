-- queue_keep_expiry: give a take that the native take (queueOf.Get's MULTI/EXEC, which
-- cannot branch) made on a queue whose list had an expiry, or whose registrations had
-- one the list had not, what queue_take would have given it (see keepExpiry).
-- libs: queue_lib
-- KEYS[1] the take's list, KEYS[2] registrations (sorted set)
-- ARGV[1] the queue's list's PTTL, read in the take's own MULTI/EXEC before it took
-- Reply: 1.
-- A script so that the NX and GT expiries of the registrations are one step with the
-- list's: a Queue.Expire or Persist between them would otherwise be half undone.
keepExpiry(tonumber(ARGV[1]), KEYS[1], KEYS[2])
return 1
