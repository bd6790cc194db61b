package view

import (
	"sync"

	"github.com/safeview/safeview/shared/model"
)

// landed remembers, for the recent rows of one destination, the newest
// version the destination answered for: so that a delivery sent again
// after a 503 is answered at once by the destinations its row already
// reached, and waits only for the others.
//
// Why: a delivery is answered 200 once its row is in every destination.
// When the destinations outnumber what the project's quota allows at one
// write a second each (more than five), each one flushes every few
// seconds, and a delivery that must catch the next flush of all of them
// within limits.deadline often does not: it is answered 503 and sent
// again. Without this memory the retry would wait for a flush of every
// destination again, the one it missed as well as those it reached, and
// could miss again as often as it is sent. With it, each retry waits only
// for the destinations it has not reached yet, which only shrink:
// latency grows with the number of destinations, and nothing is lost.
//
// It answers only what the destination would answer without writing: a
// version older than one it holds (stale) or the same (unchanged), and a
// version no newer than one it called stale. A row that leaves, and
// anything newer, goes to the destination. What it gives up: a row the
// team deleted by hand is not written again by a retry of the same
// version (the destination would add it again), only by the order's next
// version. It is used only when the configuration has destinations
// besides the main spreadsheet, so that a configuration without them
// behaves exactly as before.
type landed struct {
	mu       sync.Mutex
	cur, old map[string]landing // two generations: at most 2 × landedPerGeneration
}

// landing is what a destination said of an identity.
type landing struct {
	held  int64 // the newest version answered written or unchanged
	stale int64 // the newest version answered stale
}

// landedPerGeneration bounds the memory: the rows of a sale's last
// minutes, where retries and duplicates fall, at ~100 bytes a row.
const landedPerGeneration = 20_000

func newLanded() *landed { return &landed{cur: map[string]landing{}} }

func landedKey(tab string, r model.Row) string { return tab + "\x00" + r.ID() }

// answer returns what the destination would answer for r without
// writing, if that is known.
func (l *landed) answer(tab string, r model.Row) (model.Result, bool) {
	if l == nil || r.Leave {
		return "", false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := landedKey(tab, r)
	e, ok := l.cur[k]
	if !ok {
		e, ok = l.old[k]
	}
	switch {
	case !ok:
		return "", false
	case r.Version < e.held || r.Version <= e.stale:
		return model.Stale, true
	case r.Version == e.held:
		return model.Unchanged, true
	}
	return "", false
}

// record notes what the destination answered for r.
func (l *landed) record(tab string, r model.Row, res model.Result) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := landedKey(tab, r)
	e, ok := l.cur[k]
	if !ok {
		e = l.old[k]
	}
	switch res {
	case model.Written, model.Unchanged:
		e.held = max(e.held, r.Version)
	case model.Stale:
		e.stale = max(e.stale, r.Version)
	default:
		// Removed or filtered: whether the destination holds the row
		// is its own to say from now on.
		delete(l.cur, k)
		delete(l.old, k)
		return
	}
	if !ok && len(l.cur) >= landedPerGeneration {
		l.old, l.cur = l.cur, map[string]landing{}
	}
	l.cur[k] = e
}

// forget drops everything: after an erasure changed or removed rows.
func (l *landed) forget() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur, l.old = map[string]landing{}, nil
}
