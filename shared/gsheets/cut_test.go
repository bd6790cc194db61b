package gsheets

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/model"
)

// A call cut by its callers' deadlines (the deliveries left before Google
// answered) says nothing of the request's size or of Google's health: the
// sink neither halves its next flushes nor backs off. It did both, and
// past the project's quota, where a sink's turn comes near the
// deliveries' deadline, its flushes fell to one key each while the
// retries piled up.
func TestCallCutByCallersShrinksNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(row("1000", 1, "paid"), model.Written) // indexed
	f.emu.SetLatency(300*time.Millisecond, 0)       // a read and a write: 600 ms
	var wg sync.WaitGroup
	for k := range 4 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
			defer cancel()
			if _, err := f.sink.Upsert(ctx, "Orders", row(strconv.Itoa(2000+k), 1, "paid")); !errors.Is(err, model.ErrUnavailable) {
				t.Errorf("Upsert within 350 ms = %v, want unavailable", err)
			}
		})
	}
	wg.Wait()
	// Once the flusher is idle, what it carries into the next flush.
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.sink.mu.Lock()
		idle := !f.sink.running
		f.sink.mu.Unlock()
		if idle || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.sink.mu.Lock()
	shrunk, backoff, retryAt := f.sink.shrunk, f.sink.backoff, f.sink.retryAt
	f.sink.mu.Unlock()
	if shrunk != 0 || backoff != 0 || time.Until(retryAt) > 0 {
		t.Errorf("after a call cut by its callers: flushes of %d keys (0: all), backoff %v until %v; want neither", shrunk, backoff, retryAt)
	}
}
