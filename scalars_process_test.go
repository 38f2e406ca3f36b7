package hotredis_test

import (
	"context"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hotredis/hotredis"
)

func init() {
	roles["scalar-worker"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		return scalarRounds(context.Background(), newScalars(os.Getenv("SCALAR_KEY")), scalarRoundsEach)
	}
}

const scalarRoundsEach = 50

// scalars are the objects TestScalarsAcrossProcesses updates, all under one
// hash tag so the test also runs on a Cluster.
type scalars struct {
	sum     *hotredis.Int
	half    *hotredis.Float
	doubled *hotredis.Float
	text    *hotredis.String
}

func newScalars(prefix string) scalars {
	return scalars{
		sum:     hotredis.NewInt(prefix + ":sum"),
		half:    hotredis.NewFloat(prefix + ":half"),
		doubled: hotredis.NewFloat(prefix + ":doubled"),
		text:    hotredis.NewString(prefix + ":text"),
	}
}

// scalarRounds applies n rounds of read-modify-write operations, each
// round: Int +3 -1, Float +0.5, Float *2, String += "a", String.Update
// appending "b". Every result is exact, so a lost update shows.
func scalarRounds(ctx context.Context, s scalars, n int) error {
	for range n {
		if _, err := s.sum.Add(ctx, 3); err != nil {
			return err
		}
		if _, err := s.sum.Sub(ctx, 1); err != nil {
			return err
		}
		if _, err := s.half.Add(ctx, 0.5); err != nil {
			return err
		}
		if _, err := s.doubled.Mul(ctx, 2); err != nil {
			return err
		}
		if _, err := s.text.Append(ctx, "a"); err != nil {
			return err
		}
		if _, err := s.text.Update(ctx, func(old string) string { return old + "b" }); err != nil {
			return err
		}
	}
	return nil
}

// TestScalarsAcrossProcesses has two OS processes and four goroutines
// update the same Int, Floats and String: no update is lost.
func TestScalarsAcrossProcesses(t *testing.T) {
	prefix := key(t)
	s := newScalars(prefix)
	if err := s.doubled.Store(ctx, 1); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, o := range []interface{ Delete(context.Context) error }{s.sum, s.half, s.doubled, s.text} {
			o.Delete(ctx)
		}
	}()
	const goroutines, processes = 4, 2
	var children []interface{ Wait() error }
	for range processes {
		children = append(children, startRole(t, "scalar-worker", "SCALAR_KEY="+prefix))
	}
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			if err := scalarRounds(ctx, s, scalarRoundsEach); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, c := range children {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	rounds := (goroutines + processes) * scalarRoundsEach
	if v, err := s.sum.Load(ctx); err != nil || v != int64(2*rounds) {
		t.Errorf("Int = %d, %v; want %d", v, err, 2*rounds)
	}
	if v, err := s.half.Load(ctx); err != nil || v != 0.5*float64(rounds) {
		t.Errorf("Float sum = %v, %v; want %v", v, err, 0.5*float64(rounds))
	}
	if v, err := s.doubled.Load(ctx); err != nil || v != math.Ldexp(1, rounds) {
		t.Errorf("Float product = %v, %v; want 2**%d", v, err, rounds)
	}
	text, err := s.text.Get(ctx)
	if err != nil || strings.Count(text, "a") != rounds || strings.Count(text, "b") != rounds || len(text) != 2*rounds {
		t.Errorf("String = %q, %v; want %d a's and %d b's", text, err, rounds, rounds)
	}
}
