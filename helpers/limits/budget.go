package limits

import (
	"context"
	"sync"
)

// Budget is a weighted semaphore of bytes: work that will hold n bytes
// acquires n first and releases them when done, so that parallel workers
// together stay within the budget whatever the number of cores. A request
// larger than the whole budget is granted alone (it waits until nothing
// else holds any), so no single large input deadlocks. Waiters are served
// in order.
type Budget struct {
	mu      sync.Mutex
	total   int64
	held    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{}
}

// NewBudget returns a Budget of total bytes (at least 1).
func NewBudget(total int64) *Budget { return &Budget{total: max(total, 1)} }

var (
	decodeBudgetOnce sync.Once
	decodeBudget     *Budget
)

// DecodeBudget returns the process-wide Budget of DecodeMemory bytes that
// image decodes share (sized when first called).
func DecodeBudget() *Budget {
	decodeBudgetOnce.Do(func() { decodeBudget = NewBudget(DecodeMemory.Get()) })
	return decodeBudget
}

// Total returns the budget's size.
func (b *Budget) Total() int64 { return b.total }

// Acquire waits until n bytes (n clamped to the total) are free and takes
// them, or returns ctx's error. It returns the amount taken, to give back
// with Release.
func (b *Budget) Acquire(ctx context.Context, n int64) (int64, error) {
	n = max(0, min(n, b.total))
	b.mu.Lock()
	if len(b.waiters) == 0 && b.held+n <= b.total {
		b.held += n
		b.mu.Unlock()
		return n, nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready: // granted meanwhile: give it back
			b.held -= n
		default:
			for i, x := range b.waiters {
				if x == w {
					b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
					break
				}
			}
		}
		b.grant()
		b.mu.Unlock()
		return 0, ctx.Err()
	}
}

// Release gives back n bytes taken by Acquire.
func (b *Budget) Release(n int64) {
	b.mu.Lock()
	b.held -= n
	if b.held < 0 {
		b.mu.Unlock()
		panic("limits: Budget.Release of more than was acquired")
	}
	b.grant()
	b.mu.Unlock()
}

// grant wakes waiters in order while they fit; b.mu is held.
func (b *Budget) grant() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.held+w.n > b.total {
			return
		}
		b.held += w.n
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}
