package hotredis

import (
	"context"
	"strconv"
)

// chunkSize bounds how many elements one command or one step of a script
// moves, so that no reply, argument list or Lua table grows with the
// collection.
const chunkSize = 1000

// chunkText is chunkSize as a script's argument.
var chunkText = strconv.Itoa(chunkSize)

// maxIndex bounds the indexes sent to scripts: Lua numbers are exact only
// up to 2^53, and every collection is far smaller.
const maxIndex = 1 << 52

// clampIndex keeps an index within what Lua numbers represent exactly.
func clampIndex(i int) int { return max(-maxIndex, min(maxIndex, i)) }

// stepBound is the bound n a script is given before a change goes in
// steps instead (the bytes it may copy, the elements it may walk), as its
// argument: no bound ("0") inside a transaction, which cannot go in steps.
func (o *object) stepBound(ctx context.Context, n int) string {
	if o.queuing(ctx) {
		return "0"
	}
	return strconv.Itoa(n)
}
