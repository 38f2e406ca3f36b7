package backend_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/backend"
)

// TestDoScalarIsDosReply: DoScalar gives the reply Do gives, as a
// Scalar (backend.ScalarOf of it), on both backends: a string, an
// integer, a nil, any other reply in Any, and the same error; and on
// rueidis a string or an integer reply costs no allocation more than the
// command does.
func TestDoScalarIsDosReply(t *testing.T) {
	srv := hotredistest.NewServer(t)
	ctx := context.Background()
	c := func(name string, keys []string, args ...string) backend.Cmd {
		return backend.Cmd{Name: []string{name}, Keys: keys, Args: args}
	}
	strs := func(name string, keys []string, args ...string) backend.Cmd {
		cmd := c(name, keys, args...)
		cmd.Strings = true
		return cmd
	}
	setup := []backend.Cmd{
		c("SADD", []string{"set"}, "a", "b"),
		c("RPUSH", []string{"l"}, "x", "y"),
		c("SET", []string{"s"}, "text"),
		c("HSET", []string{"h"}, "f", "v"),
		c("ZADD", []string{"z"}, "1.5", "m"),
	}
	cmds := []backend.Cmd{
		c("GET", []string{"s"}),                // a string
		c("GET", []string{"missing"}),          // nil
		c("INCRBY", []string{"n"}, "300"),      // an integer over 255
		c("INCRBYFLOAT", []string{"f"}, "1.5"), // a string
		c("HGETALL", []string{"h"}),            // a map or an array: Any
		c("ZSCORE", []string{"z"}, "m"),        // a double in RESP3
		c("LPUSH", []string{"s"}, "x"),         // WRONGTYPE
		c("EXISTS", []string{"s", "missing"}),  // a small integer
		c("EVAL", nil, "return {1, 'a'}", "0"), // an array: Any
		c("EVAL", nil, "return redis.status_reply('OK')", "0"),
		strs("SMEMBERS", []string{"set"}), // strings: Strs on rueidis
		strs("LRANGE", []string{"l"}, "0", "-1"),
		strs("LRANGE", []string{"missing"}, "0", "-1"),
		strs("SSCAN", []string{"set"}, "0"), // nested: Any
		strs("HGETALL", []string{"h"}),      // a map: Any
		strs("EVAL", nil, "return {1, 'a'}", "0"),
	}
	backends := map[string]backend.Backend{
		"rueidis":  rueidisAt(t, srv.URL()),
		"go-redis": backend.NewGoRedis(srv.GoRedis(), true),
	}
	for name, b := range backends {
		t.Run(name, func(t *testing.T) {
			for _, s := range setup {
				if _, err := b.Do(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			for _, cmd := range cmds {
				// INCRBY and INCRBYFLOAT answer what they made: each side
				// gets a key of its own, new.
				scmd := cmd
				if cmd.Name[0] == "INCRBY" || cmd.Name[0] == "INCRBYFLOAT" {
					cmd.Keys = []string{cmd.Keys[0] + ":" + name + ":do"}
					scmd.Keys = []string{scmd.Keys[0] + ":" + name + ":scalar"}
				}
				v, err := b.Do(ctx, cmd)
				got, serr := b.DoScalar(ctx, scmd)
				if want := backend.ScalarOf(v); !reflect.DeepEqual(got, want) {
					t.Errorf("%v: DoScalar = %#v, want %#v (Do's %#v)", cmd.Argv(), got, want, v)
				}
				if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
					t.Errorf("%v: DoScalar's error %v, Do's %v", cmd.Argv(), serr, err)
				}
				var se *backend.ServerError
				if err != nil && !errors.As(serr, &se) {
					t.Errorf("%v: DoScalar's error %T, want a *ServerError", cmd.Argv(), serr)
				}
			}
		})
	}

	r := backends["rueidis"]
	for _, cmd := range []backend.Cmd{c("GET", []string{"s"}), c("INCRBY", []string{"big"}, "1000"), strs("SMEMBERS", []string{"set"})} {
		// (AllocsPerRun counts the whole process's, the client's own
		// goroutines too: over 2,000 runs their few, under load, round to
		// nothing; over 200 they once made DoScalar's 0 a 1.)
		scalar := testing.AllocsPerRun(2000, func() { _, _ = r.DoScalar(ctx, cmd) })
		boxed := testing.AllocsPerRun(2000, func() { _, _ = r.Do(ctx, cmd) })
		if scalar >= boxed {
			t.Errorf("%v: DoScalar makes %v allocations, Do %v: want fewer (no boxing)", cmd.Argv(), scalar, boxed)
		}
	}
}
