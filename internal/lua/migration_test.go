package lua_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/lua"
)

// While a Cluster slot migrates, Redis 7.0 runs a script on the slot's
// owner only if every key it declares is still there (on the new owner,
// with ASKING, only if every key has arrived), and then checks each
// command the script makes: one that names a key the owner no longer
// has, or (on the new owner) a command on several keys one of which is
// missing, stops the script with "Script attempted to access a non local
// key", keeping the writes made before it. A script can meet that only
// by naming again a key it emptied itself (so deleted): every case's
// script is run here on each side of a migration, from the case's set-up,
// and must either be refused whole (TRYAGAIN, ASK) or run to the end
// with the reply it gives on a single server.
func TestScriptsMidMigration(t *testing.T) {
	ctx := context.Background()
	cl := hotredistest.NewCluster(t)
	cc := cl.GoRedis()
	defer cc.Close()
	runs++
	ran, refused := 0, 0
	for _, c := range cases {
		for _, side := range []string{"owner", "importer"} {
			tag := fmt.Sprintf("{%s/%s #%d %s}", c.script, c.name, runs, side)
			for _, cm := range c.setup {
				if err := cc.Do(ctx, retag(cm, tag)...).Err(); err != nil && err != redis.Nil {
					t.Fatalf("%s/%s: setup %s: %v", c.script, c.name, describe(cm), err)
				}
			}
			m, err := cl.StartSlotMigration(ctx, int(cc.ClusterKeySlot(ctx, tag).Val()), nil)
			if err != nil {
				t.Fatal(err)
			}
			node := m.From()
			if side == "importer" {
				if _, err := m.MoveKeys(ctx, 0); err != nil {
					t.Fatal(err)
				}
				node = m.To()
			}
			got := runOn(ctx, node, side == "importer", c, tag)
			switch err, _ := got.(error); {
			case err != nil && strings.Contains(err.Error(), "non local key"):
				t.Errorf("%s/%s: stopped halfway on the %s: %v", c.script, c.name, side, err)
			case err != nil && (strings.HasPrefix(err.Error(), "TRYAGAIN") || strings.HasPrefix(err.Error(), "ASK")):
				refused++
			case guarded(lua.Load(c.script), c.keys):
				t.Errorf("%s/%s: declares keys.Absent's, and ran on the %s: %v", c.script, c.name, side, got)
			default:
				ran++
				if err := compare(got, retag(c.want, tag)); err != nil && c.bug == "" {
					t.Errorf("%s/%s: on the %s: %v", c.script, c.name, side, err)
				}
			}
			if side == "owner" {
				err = m.Abort(ctx)
			} else {
				err = m.Finish(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d runs went to the end, %d were refused whole", ran, refused)
}

// runOn runs c's script on node, after ASKING when asking.
func runOn(ctx context.Context, node *hotredistest.Server, asking bool, c scriptCase, tag string) any {
	r := node.GoRedis()
	defer r.Close()
	s := lua.Load(c.script)
	var got *redis.Cmd
	_, _ = r.Pipelined(ctx, func(p redis.Pipeliner) error {
		if asking {
			p.Do(ctx, "ASKING")
		}
		if s.ReadOnly {
			got = p.EvalRO(ctx, s.Src, retag(keysFor(s, c.keys), tag), retag(c.args, tag)...)
		} else {
			got = p.Eval(ctx, s.Src, retag(keysFor(s, c.keys), tag), retag(c.args, tag)...)
		}
		return nil
	})
	return reply(got)
}
