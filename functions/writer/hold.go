package writerfn

import (
	"sync"
	"time"
)

// hold keeps an erasure or access request back until the rows published
// before it are written, so that it applies after them: an erasure that
// overtook the first delivery of its customer's order would find nothing
// to clear, and the order would land with the customer's pseudonym.
//
// Pub/Sub delivers in no particular order, and ordering keys would not
// do: a push subscription with ordering delivers one message of a key at
// a time, and a key per destination would leave the group commit one row
// per flush (55 rows a minute under the default quota). So the writer
// keeps the rows it has seen and not yet written (in flight, or failed
// and due again), and answers a request 429, for Pub/Sub to deliver it
// again later, while one of those was published before it in the same
// destination, or while the request is younger than the settle time (a
// row published just before it may not have been pushed yet). A row that
// failed its last attempt goes to the dead-letter topic and holds nothing
// back any longer; scripts/replay gives it back its first publish time.
//
// What it cannot see: a row not pushed once within the settle time (a
// backlog of pushes longer than it), and, after the writer's instance
// restarts, the failing rows it had seen. docs/queued.md says so.
type hold struct {
	mu      sync.Mutex
	pending map[string]pendingRow // by message id
}

type pendingRow struct {
	destination string
	published   time.Time
}

func newHold() *hold { return &hold{pending: map[string]pendingRow{}} }

// begin records a row being written.
func (h *hold) begin(id, destination string, published time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending[id] = pendingRow{destination: destination, published: published}
}

// end records how a row's attempt ended: settled (written, or out of
// attempts) forgets it; otherwise Pub/Sub delivers it again.
func (h *hold) end(id string, settled bool) {
	if !settled {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.pending, id)
}

// before counts the pending rows of a destination published before t.
func (h *hold) before(destination string, t time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.pending {
		if p.destination == destination && p.published.Before(t) {
			n++
		}
	}
	return n
}
