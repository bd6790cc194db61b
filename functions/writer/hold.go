package writerfn

import (
	"slices"
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
// Nor would it see the rows still waiting in the destination's
// subscription: each destination has its own, and one over its capacity
// keeps a backlog there, in Pub/Sub, that the writer has not been pushed
// yet. Pub/Sub pushes a backlog about oldest first, so the writer also
// keeps the publish times of the last rows pushed to each destination:
// while the middle of those pushed in the last 10 s (lately) was
// published before the request, the backlog reaches back before it, and
// the request waits too. A quiet destination has no backlog: Pub/Sub
// would be pushing it. A request held past its attempts (Terraform's
// 20: a backlog of hours) is dead-lettered, and replayed.
//
// What it cannot see: a row not pushed once within the settle time while
// its destination is quiet otherwise, and, after the writer's instance
// restarts, the failing rows it had seen. docs/queued.md says so.
type hold struct {
	mu      sync.Mutex
	pending map[string]pendingRow // by message id
	recent  map[string]*pushed    // by destination
}

// pushed is the publish times of the last rows pushed to a destination,
// and when each was pushed.
type pushed struct {
	published [recentRows]time.Time
	at        [recentRows]time.Time
	n         int // rows recorded, all time
}

// recentRows is how many of a destination's last rows tell where its
// backlog is: their middle one ignores a few pushed out of order.
const recentRows = 31

type pendingRow struct {
	destination string
	published   time.Time
}

func newHold() *hold {
	return &hold{pending: map[string]pendingRow{}, recent: map[string]*pushed{}}
}

// begin records a row being written, pushed at now.
func (h *hold) begin(id, destination string, published, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending[id] = pendingRow{destination: destination, published: published}
	r := h.recent[destination]
	if r == nil {
		r = &pushed{}
		h.recent[destination] = r
	}
	r.published[r.n%recentRows] = published
	r.at[r.n%recentRows] = now
	r.n++
}

// behind reports whether the rows of a destination pushed lately (in the
// 10 s before now) were mostly published before t: its backlog in Pub/Sub
// reaches back before t.
func (h *hold) behind(destination string, t, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.recent[destination]
	if r == nil {
		return false
	}
	var ts []time.Time
	for i := range min(r.n, recentRows) {
		if now.Sub(r.at[i]) < lately {
			ts = append(ts, r.published[i])
		}
	}
	if len(ts) == 0 {
		return false
	}
	slices.SortFunc(ts, time.Time.Compare)
	return ts[len(ts)/2].Before(t)
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
