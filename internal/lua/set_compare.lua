-- set_compare: the sizes of two sets and of their intersection.
-- flags: readonly
-- KEYS[1] a set, KEYS[2] another set
-- Reply: {SCARD a, SCARD b, SINTERCARD a b}.
-- A script so the three counts describe one moment (IsSubset, IsSuperset,
-- IsDisjoint and Equal derive from them) and only counts cross the network.
return {
  redis.call('SCARD', KEYS[1]),
  redis.call('SCARD', KEYS[2]),
  redis.call('SINTERCARD', 2, KEYS[1], KEYS[2]),
}
