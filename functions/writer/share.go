package writerfn

import (
	"sync"
	"time"
)

// share keeps one destination over its capacity from holding the
// writer's concurrency: the destinations share one instance (Cloud Run
// serves it at most Concurrency requests at once), and a push waits in
// its destination's sink until its flush. A workbook past Graph's pace
// held up to every one of them, and the spreadsheets, under their quota,
// waited behind it (the queued benchmark's full run: 57 rows a flush
// where 250 were possible).
//
// So while the writer is crowded (three quarters of its concurrency in
// use), a destination that is behind (one of its pushes took half the
// push deadline or more, lately) and already holds its fair share (the
// concurrency over the number of destinations) is answered 429 at once,
// for Pub/Sub to push its message again after its backoff, as long as
// another destination with pushes in flight is writing (one of its
// pushes was written lately): there is someone to make room for. A
// refusal spends one of the message's attempts: refusing a destination
// that keeps up, or refusing while every destination fails (an outage,
// where nobody gains the room), sent a burst's backlog to the
// dead-letter topic (the queued benchmark's quick outage: 2,569 dead
// letters where, waiting, there had been none). A destination that is
// behind spends attempts anyway: its pushes are answered 503 at the
// push deadline.
type share struct {
	mu       sync.Mutex
	capacity int           // the instance's concurrency
	fair     int           // each destination's share of it
	slow     time.Duration // a push this long says its destination is behind
	total    int
	by       map[string]int
	behind   map[string]time.Time // when a push of the destination last took slow or more
	written  map[string]time.Time // when a push of the destination was last written
}

// lately is how long a slow push marks its destination as behind, and a
// written one as writing.
const lately = 10 * time.Second

// newShare shares capacity among n destinations; a push that takes slow
// or more says its destination is behind.
func newShare(capacity, n int, slow time.Duration) *share {
	return &share{capacity: capacity, fair: max(1, capacity/max(1, n)), slow: slow,
		by: map[string]int{}, behind: map[string]time.Time{}, written: map[string]time.Time{}}
}

// enter counts a push of a destination in at now, or reports false when
// it is to make room for the others (see share); a push that must be
// served (its message's last attempt) is counted in always.
func (s *share) enter(dest string, now time.Time, must bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !must && s.by[dest] >= s.fair && 4*s.total >= 3*s.capacity && now.Sub(s.behind[dest]) < lately && s.othersWriting(dest, now) {
		return false
	}
	s.by[dest]++
	s.total++
	return true
}

// othersWriting reports another destination with pushes in flight that
// wrote lately. s.mu is held.
func (s *share) othersWriting(dest string, now time.Time) bool {
	for d, n := range s.by {
		if d != dest && n > 0 && now.Sub(s.written[d]) < lately {
			return true
		}
	}
	return false
}

// leave counts a push of a destination out at now, after it took took;
// ok says it was written (or known unchanged).
func (s *share) leave(dest string, took time.Duration, ok bool, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by[dest]--
	s.total--
	if took >= s.slow {
		s.behind[dest] = now
	}
	if ok {
		s.written[dest] = now
	}
}
