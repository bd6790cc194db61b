package gsheets

import (
	"context"
	"sync"
	"time"
)

// limiter is a token bucket in its GCRA form: one token every interval,
// at most burst of them saved up. In any window of length T it lets
// through at most burst + T/interval requests, which is what keeps the
// sink under a per-minute quota however the quota's minutes are aligned.
//
// Why not golang.org/x/time/rate? Its Limiter keeps the same bound, and
// its Wait, like wait here, fails at once, taking nothing, when the token
// is due after the context's deadline. But it lacks two things the sink
// needs:
//
//   - Giving back a token after its time. The flusher takes a write and a
//     read token before each flush, and gives back after it the ones the
//     flush did not use: a flush whose rows are all unchanged writes
//     nothing, and a tab indexed by the same flush needs no verification
//     read. rate's Reservation.Cancel restores nothing once the
//     reservation's time has passed, and a token taken by Wait has no
//     Reservation to cancel, so each of those tokens would be lost. Here
//     tokens are interchangeable: cancel gives back one interval,
//     whichever token was not used.
//   - penalize: after a 429, nothing before the backoff ends, and then no
//     saved-up burst. rate has no call that moves its next token later;
//     it would take ReserveN calls of at most burst tokens each, counted
//     from TokensAt under another lock.
type limiter struct {
	interval time.Duration
	burst    int
	now      func() time.Time

	mu  sync.Mutex
	tat time.Time // theoretical arrival time of the next request
	// jumped is how far the last reservation moved tat beyond one
	// interval (see pacer.reserve), given back with its token.
	jumped time.Duration
}

func newLimiter(perMinute, burst int, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	return &limiter{interval: time.Minute / time.Duration(perMinute), burst: max(burst, 1), now: now}
}

// reserve takes a token and returns how long the caller must wait before
// using it.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jumped = 0
	now := l.now()
	if l.tat.Before(now) {
		l.tat = now
	}
	allowAt := l.tat.Add(-time.Duration(l.burst-1) * l.interval)
	l.tat = l.tat.Add(l.interval)
	if allowAt.After(now) {
		return allowAt.Sub(now)
	}
	return 0
}

// cancel gives back a token reserved but not used.
func (l *limiter) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tat = l.tat.Add(-l.interval - l.jumped)
	l.jumped = 0
}

// wait takes a token, sleeping until it is due. It fails without
// consuming anything when ctx ends first.
func (l *limiter) wait(ctx context.Context) error { return waitFor(ctx, l.reserve(), l.cancel) }

// waitFor sleeps the wait d of a reservation; when ctx ends first, or
// would end before d, it gives the reservation back with cancel.
func waitFor(ctx context.Context, d time.Duration, cancel func()) error {
	if d == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		cancel()
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		cancel()
		return ctx.Err()
	}
}

// penalize pushes the next token at least d into the future: after a 429
// the quota is spent, and nothing should be sent before the backoff ends.
func (l *limiter) penalize(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jumped = 0
	next := l.now().Add(d + time.Duration(l.burst-1)*l.interval)
	if l.tat.Before(next) {
		l.tat = next
	}
}
