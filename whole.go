package hotredis

import "context"

// Reads of a whole set or hash (Set.Members, Map.Items, Keys, Values,
// Counter.Items): SMEMBERS or HGETALL of a million entries keeps Redis from
// everyone else for a few hundred milliseconds. A value of up to readStep
// entries still comes in one command (an SSCAN or HSCAN that covers it
// all); a bigger one is read readStep entries a step while its key is
// WATCHed, and read again if it changed meanwhile (see object.snapshot),
// so that the result is still one snapshot.

// readWhole returns every member of o's set (verb SSCAN, width 1) or every
// field and value of its hash (HSCAN, width 2), flat, as one snapshot.
func (o *object) readWhole(ctx context.Context, op, verb string, width int) ([]any, error) {
	next, first, err := scanN(ctx, o, verb, "0", readStep)
	if err != nil || next == "0" {
		return first, err // one command: a snapshot by itself
	}
	var all []any
	var size int64
	read := func(ctx context.Context) error {
		all = all[:0]
		var err error
		if size, err = asInt(o.read(ctx, cmd(sizeVerb[verb], o.keys[:1]))); err != nil {
			return err
		}
		for cursor := "0"; ; {
			next, part, err := scanN(ctx, o, verb, cursor, readStep)
			if err != nil {
				return err
			}
			all = append(all, part...)
			if next == "0" {
				return nil
			}
			cursor = next
		}
	}
	if err := o.snapshot(ctx, op, read); err != nil {
		return nil, err
	}
	if int64(len(all)/width) == size {
		return all, nil
	}
	// A scan returns an entry twice when the table was resized between
	// two of its steps, which a snapshot allows (rehashing goes on without
	// writes).
	return once(all, width), nil
}

// sizeVerb names the command counting what a scan command returns.
var sizeVerb = map[string]string{"SSCAN": "SCARD", "HSCAN": "HLEN"}

// once returns the entries of all (width items each, the first a string
// naming it) without repeats, in place.
func once(all []any, width int) []any {
	seen := make(map[string]struct{}, len(all)/width)
	out := all[:0]
	for i := 0; i+width <= len(all); i += width {
		k, _ := all[i].(string)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, all[i:i+width]...)
	}
	return out
}
