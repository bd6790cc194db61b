package writerfn

import "sync"

// share keeps one destination over its capacity from holding the
// writer's concurrency: the destinations share one instance (Cloud Run
// serves it at most Concurrency requests at once), and a push waits in
// its destination's sink until its flush. A workbook past Graph's pace
// held up to every one of them, and the spreadsheets, under their quota,
// waited behind it (the queued benchmark's full run: 57 rows a flush
// where 250 were possible).
//
// So while the writer is crowded (three quarters of its concurrency in
// use), a destination already holding its fair share (the concurrency
// over the number of destinations) is answered 429 at once, for Pub/Sub
// to push its message again after its backoff; a destination alone uses
// as much as it needs. The message spends an attempt, as it would have
// waiting past the push deadline, without holding a request slot while
// it waits.
type share struct {
	mu       sync.Mutex
	capacity int // the instance's concurrency
	fair     int // each destination's share of it
	total    int
	by       map[string]int
}

// newShare shares capacity among n destinations.
func newShare(capacity, n int) *share {
	return &share{capacity: capacity, fair: max(1, capacity/max(1, n)), by: map[string]int{}}
}

// enter counts a push of a destination in, or reports false when the
// writer is crowded and the destination holds its share.
func (s *share) enter(dest string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by[dest] >= s.fair && 4*s.total >= 3*s.capacity {
		return false
	}
	s.by[dest]++
	s.total++
	return true
}

// leave counts a push of a destination out.
func (s *share) leave(dest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by[dest]--
	s.total--
}
