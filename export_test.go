package hotredis

import (
	"context"
	"errors"
)

func (l *lockCore) core() *lockCore { return l }

// JoinLine puts a wait of l's handle (a Lock or RLock) in line, as a
// blocked Acquire does, but never reads its grants; leave gives the wait
// up as a cancelled Acquire does. Tests use it to keep a grant unread.
func JoinLine(ctx context.Context, l interface{ core() *lockCore }) (leave func(context.Context), err error) {
	c := l.core()
	w := &wait{id: ownerID()}
	ok, _, err := c.try(ctx, w)
	if err == nil && ok {
		err = errors.New("JoinLine: the lock was free")
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) { c.cancelWait(ctx, w) }, nil
}

// JoinSemaphoreLine is JoinLine for n permits of s.
func JoinSemaphoreLine(ctx context.Context, s *Semaphore, n int64) (leave func(context.Context), err error) {
	w := &wait{id: ownerID()}
	ok, _, err := s.try(ctx, n, w)
	if err == nil && ok {
		err = errors.New("JoinSemaphoreLine: the permits were free")
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) { s.cancelWait(ctx, w) }, nil
}

// LostReplies is how many abandoned blocking pipelines lost their reply to
// a connection error (see lostReplies).
func LostReplies() int64 { return lostReplies.Load() }

// RebuildTries is how many rebuild attempts have started (see rebuild).
func RebuildTries() int64 { return rebuildTries.Load() }
