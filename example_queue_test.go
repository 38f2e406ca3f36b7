package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotredis/hotredis"
)

// A Queue is Python's queue.Queue over Redis: producers and consumers in
// any number of processes share it by its key.
func ExampleQueue() {
	ctx := context.Background()
	q := hotredis.NewQueue[string]("example:jobs", hotredis.WithMaxSize(2))
	defer q.Delete(ctx)

	_ = q.Put(ctx, "resize a.png")
	_ = q.Put(ctx, "resize b.png")
	err := q.TryPut(ctx, "resize c.png") // bounded: no room
	fmt.Println(errors.Is(err, hotredis.ErrFull))

	job, _ := q.Get(ctx) // waits for an item when the queue is empty
	fmt.Println(job)
	jobs, _ := q.GetMany(ctx, 10)
	fmt.Println(jobs)

	ctx2, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = q.Get(ctx2) // nothing comes: the deadline ends the wait
	fmt.Println(err)
	// Output:
	// true
	// resize a.png
	// [resize b.png]
	// context deadline exceeded
}

// TaskDone and Join let a producer wait until consumers have finished
// every item, as in Python.
func ExampleQueue_Join() {
	ctx := context.Background()
	q := hotredis.NewQueue[int]("example:tasks")
	defer q.Delete(ctx)

	consumer, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { // a consumer, which could run in another process
		defer close(stopped)
		for {
			n, err := q.Get(consumer)
			if err != nil {
				return
			}
			fmt.Println("squared:", n*n)
			_ = q.TaskDone(ctx)
		}
	}()
	_ = q.PutMany(ctx, 1, 2, 3)
	_ = q.Join(ctx) // returns once all three are done
	fmt.Println("all done")
	stop()
	<-stopped
	// Output:
	// squared: 1
	// squared: 4
	// squared: 9
	// all done
}

// Reserve and Ack give at-least-once delivery: an item whose consumer dies
// before Ack comes back after the visibility timeout.
func ExampleQueue_Reserve() {
	ctx := context.Background()
	q := hotredis.NewQueue[string]("example:emails")
	defer q.Delete(ctx)
	_ = q.Put(ctx, "welcome bob")

	// A consumer reserves the item and crashes before acknowledging it.
	v, _, _ := q.Reserve(ctx, 100*time.Millisecond)
	fmt.Println("reserved:", v)

	// After the visibility timeout the item is delivered again.
	time.Sleep(150 * time.Millisecond)
	v, r, _ := q.Reserve(ctx, time.Minute)
	fmt.Println("reserved again:", v)
	fmt.Println(q.Ack(ctx, r)) // done: the item is gone for good
	// Output:
	// reserved: welcome bob
	// reserved again: welcome bob
	// <nil>
}

// A LifoQueue is a stack: the newest item comes out first.
func ExampleLifoQueue() {
	ctx := context.Background()
	q := hotredis.NewLifoQueue[int]("example:stack")
	defer q.Delete(ctx)

	_ = q.PutMany(ctx, 1, 2, 3)
	a, _ := q.Get(ctx)
	b, _ := q.TryGet(ctx)
	fmt.Println(a, b)
	// Output: 3 2
}

// A SetQueue ignores an item that is already queued. Its items are also a
// Redis set at key-set, as in HOT Redis; on a Cluster, give the key a hash
// tag ("{crawl}") so both keys share a slot.
func ExampleSetQueue() {
	ctx := context.Background()
	q := hotredis.NewSetQueue[string]("{example:crawl}")
	defer q.Delete(ctx)

	added, _ := q.Put(ctx, "https://example.com/")
	again, _ := q.Put(ctx, "https://example.com/")
	n, _ := q.PutMany(ctx, "https://example.com/a", "https://example.com/")
	size, _ := q.Len(ctx)
	fmt.Println(added, again, n, size)

	url, _ := q.Get(ctx)
	added, _ = q.Put(ctx, url) // no longer queued: added again
	fmt.Println(url, added)
	// Output:
	// true false 1 2
	// https://example.com/ true
}

// A set queue's reserved item is no longer queued: an equal item can be
// put again while the first is processed, and is then delivered again.
func ExampleSetQueue_Reserve() {
	ctx := context.Background()
	q := hotredis.NewSetQueue[string]("{example:pages}")
	defer q.Delete(ctx)
	_, _ = q.Put(ctx, "/index.html")

	page, r, _ := q.Reserve(ctx, time.Minute)
	fmt.Println("crawling", page)
	again, _ := q.Put(ctx, "/index.html") // changed meanwhile: crawl it again
	fmt.Println("queued again:", again)
	fmt.Println(q.Ack(ctx, r))
	n, _ := q.Len(ctx)
	fmt.Println("still queued:", n)
	// Output:
	// crawling /index.html
	// queued again: true
	// <nil>
	// still queued: 1
}

// A LifoSetQueue is a stack of unique items.
func ExampleLifoSetQueue() {
	ctx := context.Background()
	q := hotredis.NewLifoSetQueue[string]("{example:undo}")
	defer q.Delete(ctx)

	_, _ = q.PutMany(ctx, "type a", "type b", "type a")
	vs, _ := q.GetMany(ctx, 5)
	fmt.Println(vs)
	// Output: [type b type a]
}
