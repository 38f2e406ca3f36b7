package backend_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/backend"
)

// TestBatchesFollowAnAskOnACluster sends batches whose keys have moved
// while their slot is still migrating (the old owner answers ASK): a
// blocking one (a wait's XREAD) and a short one, which goes on a
// dedicated connection when few calls are in flight. rueidis v1.0.80
// panics following the ASK of a batch it takes for blocking, ending the
// program; each must instead reach the keys on their new node.
func TestBatchesFollowAnAskOnACluster(t *testing.T) {
	cl, r, ctx := clusterBackend(t)
	const tag = "{ask}"
	rdb := cl.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	for i := range 3 {
		if err := rdb.Set(ctx, fmt.Sprintf("%s:k%d", tag, i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: tag + ":s", Values: []any{"f", "v"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	m := startMigration(t, ctx, cl, int(rdb.ClusterKeySlot(ctx, tag).Val()))
	if n, err := m.MoveKeys(ctx, 0); err != nil || n != 4 {
		t.Fatalf("moved %d keys: %v", n, err)
	}

	rs := r.DoMulti(ctx, []backend.Cmd{{
		Name: []string{"XREAD", "COUNT", "1", "BLOCK", "200", "STREAMS"}, Keys: []string{tag + ":s"}, Args: []string{"0-0"}, Blocking: true,
	}})
	if rs[0].Err != nil || !containsString(rs[0].Val, id) {
		t.Errorf("a blocking XREAD of a moved stream mid-migration = %v, %v; want its entry %s", rs[0].Val, rs[0].Err, id)
	}
	rs = r.DoMulti(ctx, []backend.Cmd{
		{Name: []string{"GET"}, Keys: []string{tag + ":k1"}},
		{Name: []string{"GET"}, Keys: []string{tag + ":k2"}},
	})
	for i, want := range []string{"1", "2"} {
		if rs[i].Err != nil || rs[i].Val != want {
			t.Errorf("GET %d of a batch mid-migration = %v, %v; want %s", i, rs[i].Val, rs[i].Err, want)
		}
	}
	// A blocking batch of several commands: in order, each where its key is.
	rs = r.DoMulti(ctx, []backend.Cmd{
		{Name: []string{"INCR"}, Keys: []string{tag + ":k0"}},
		{Name: []string{"BLPOP"}, Keys: []string{tag + ":none"}, Args: []string{"0.1"}, Blocking: true},
		{Name: []string{"GET"}, Keys: []string{tag + ":k0"}},
	})
	if rs[0].Err != nil || rs[0].Val != int64(1) || rs[1].Err != nil || rs[1].Val != nil || rs[2].Err != nil || rs[2].Val != "1" {
		t.Errorf("INCR, BLPOP, GET mid-migration = %+v", rs)
	}
	if _, err := m.MoveKeys(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestScriptStoppedMidMigrationIsInDoubt: a script on a slot's old owner
// (MIGRATING) that empties, so deletes, a key of its own and then names
// it again is stopped there, its writes before kept: not a refusal (a
// ServerError, after which nothing ran) but an InDoubtError.
func TestScriptStoppedMidMigrationIsInDoubt(t *testing.T) {
	cl, r, ctx := clusterBackend(t)
	const k = "{doubt}:k"
	rdb := cl.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Set(ctx, k, "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	m := startMigration(t, ctx, cl, int(rdb.ClusterKeySlot(ctx, k).Val())) // the key stays on its owner
	const script = "redis.call('INCR', KEYS[1]) redis.call('DEL', KEYS[1]) return redis.call('GET', KEYS[1])"
	_, err := r.Do(ctx, backend.Cmd{Name: []string{"EVAL", script, "1"}, Keys: []string{k}})
	var de *backend.InDoubtError
	var se *backend.ServerError
	if !errors.As(err, &de) || errors.As(err, &se) {
		t.Errorf("a script stopped midway by the migration = %#v, want an InDoubtError (not a ServerError)", err)
	}
	if _, err := m.MoveKeys(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

// clusterBackend starts a cluster and a rueidis backend on it, and gives a
// context for the test's calls.
func clusterBackend(t *testing.T) (*hotredistest.Cluster, *backend.Rueidis, context.Context) {
	cl := hotredistest.NewCluster(t)
	r, err := backend.NewRueidis(rueidis.ClientOption{InitAddress: cl.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return cl, r, ctx
}

// startMigration starts moving slot from its owner to another master.
func startMigration(t *testing.T, ctx context.Context, cl *hotredistest.Cluster, slot int) *hotredistest.SlotMigration {
	m, err := cl.StartSlotMigration(ctx, slot, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// containsString reports whether v, a reply, holds s somewhere.
func containsString(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case []any:
		for _, e := range x {
			if containsString(e, s) {
				return true
			}
		}
	case []string:
		for _, e := range x {
			if e == s {
				return true
			}
		}
	}
	return false
}
