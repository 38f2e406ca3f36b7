package hotredis

// chunkSize bounds how many elements one command or one step of a script
// moves, so that no reply, argument list or Lua table grows with the
// collection.
const chunkSize = 1000

// maxIndex bounds the indexes sent to scripts: Lua numbers are exact only
// up to 2^53, and every collection is far smaller.
const maxIndex = 1 << 52

// clampIndex keeps an index within what Lua numbers represent exactly.
func clampIndex(i int) int { return max(-maxIndex, min(maxIndex, i)) }
