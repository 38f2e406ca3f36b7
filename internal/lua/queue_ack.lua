-- queue_ack: acknowledge a reserved item: it is done and leaves for good.
-- KEYS[1] reservations (sorted set), KEYS[2] the reservation's list
-- ARGV[1] reservation id
-- Reply: 1, or a NOTHELD error when the reservation is gone (its deadline passed and the
-- item was put back in the queue, or it was acked already): an error, so that an Ack
-- queued in a transaction fails the transaction's commit too.
-- A script so that an ack and a recovery of the same reservation cannot
-- both succeed: either the item is acked or it is delivered again.
if redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('LLEN', KEYS[2]) > 0 then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return redis.error_reply('NOTHELD reservation ' .. ARGV[1] ..
  ' is gone: it expired and its item was put back in the queue, or it was acked already')
