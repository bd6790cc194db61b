package gsheets

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/safeview/safeview/shared/model"
)

// run is the flusher: while rows are pending it waits for a write token,
// takes every pending row and writes them in one request. It ends when the
// queue is empty, so that an idle sink holds no goroutine; Upsert starts
// it again.
func (s *Sink) run() {
	for {
		s.mu.Lock()
		s.dropAbandoned()
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		latest := s.latestDeadline()
		s.mu.Unlock()

		// Back off after a 429 or a 5xx, then wait for a write and a read
		// token. Both are taken before the batch, so that rows arriving
		// meanwhile join it, and so that nothing but one round trip
		// separates the verification read from the write.
		if wait := time.Until(s.retryAt); wait > 0 {
			sleep(min(wait, untilOr(latest, wait)))
			continue
		}
		wait := max(s.writes.reserve(), s.reads.reserve())
		if wait > 0 && !latest.IsZero() && time.Until(latest) < wait {
			// Nobody waiting would still be there: let them go.
			s.writes.cancel()
			s.reads.cancel()
			sleep(max(time.Until(latest), time.Millisecond))
			continue
		}
		sleep(wait + s.opt.BatchWindow)

		s.mu.Lock()
		batch := s.take()
		s.mu.Unlock()
		fs := &flushState{token: true, readToken: true}
		if len(batch) > 0 {
			fs.log = s.logger(batch[0].ctx)
			s.flushSafely(fs, batch)
		}
		// Tokens the flush did not need go back.
		if fs.token {
			s.writes.cancel()
		}
		if fs.readToken {
			s.reads.cancel()
		}
	}
}

func sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
}

// untilOr returns the time until t, or def when t is zero.
func untilOr(t time.Time, def time.Duration) time.Duration {
	if t.IsZero() {
		return def
	}
	return max(time.Until(t), 0)
}

// dropAbandoned forgets the ops whose caller has gone. The caller holds s.mu.
func (s *Sink) dropAbandoned() {
	live := s.queue[:0]
	for _, o := range s.queue {
		if o.ctx.Err() == nil {
			live = append(live, o)
		}
	}
	clear(s.queue[len(live):])
	s.queue = live
}

// latestDeadline returns the last deadline of the pending ops, zero when
// one of them has none. The caller holds s.mu.
func (s *Sink) latestDeadline() time.Time {
	var latest time.Time
	for _, o := range s.queue {
		dl, ok := o.ctx.Deadline()
		if !ok {
			return time.Time{}
		}
		if dl.After(latest) {
			latest = dl
		}
	}
	return latest
}

// take removes from the queue the ops of at most flushKeys keys, in
// arrival order, every op of a key together so that a key's versions are
// never split across flushes. A request (Apply) is a barrier: the upserts
// queued before it go first, it goes alone, and the upserts queued after
// it wait for it. The caller holds s.mu.
func (s *Sink) take() []*op {
	s.dropAbandoned()
	if len(s.queue) > 0 && s.queue[0].req != nil {
		o := s.queue[0]
		s.queue = slices.Delete(s.queue, 0, 1)
		return []*op{o}
	}
	barrier := slices.IndexFunc(s.queue, func(o *op) bool { return o.req != nil })
	if barrier < 0 {
		barrier = len(s.queue)
	}
	type tk struct {
		t   *tab
		key string
	}
	keys := map[tk]bool{}
	var batch, rest []*op
	for _, o := range s.queue[:barrier] {
		k := tk{o.tab, o.row.ID()}
		if keys[k] || len(keys) < s.flushKeys() {
			keys[k] = true
			batch = append(batch, o)
		} else {
			rest = append(rest, o)
		}
	}
	s.queue = append(rest, s.queue[barrier:]...)
	return batch
}

// flush writes one batch, or applies one request. Ops it cannot settle
// because of a transient failure go back to the front of the queue,
// where the next flush finds them together with whatever arrived
// meanwhile.
func (s *Sink) flush(fs *flushState, batch []*op) {
	var err error
	if batch[0].req != nil {
		err = s.applyRequest(fs, batch[0])
	} else {
		err = s.attempt(fs, batch)
	}
	if err == nil {
		s.leave(fs, batch)
	}
	var left []*op
	for _, o := range batch {
		select {
		case <-o.done:
		default:
			left = append(left, o)
		}
	}
	if err == nil || len(left) == 0 {
		s.backoff = 0
		if s.shrunk > 0 {
			s.shrunk *= 2 // it went through: grow back
			if s.shrunk >= s.opt.MaxRowsPerFlush {
				s.shrunk = 0
			}
		}
		return
	}
	if timedOut(err) && callersGone(left) {
		// Cut by its callers' deadlines (callContext), not by Google:
		// nothing says the request was too large or Google unwell, and
		// nobody is left to answer. Halving the next flushes and backing
		// off punished the next callers for a wait the quota imposed: past
		// the project's quota, where a sink's turn comes near the
		// deliveries' deadline, flushes fell to one key each while the
		// retries piled up (a burst into 21 spreadsheets left hundreds of
		// deliveries unanswered after five minutes). Their retries find
		// whatever the call wrote.
		fs.log.Info("sheet call outlived its callers; their platforms retry", "rows", len(left), "error", err.Error())
		return
	}
	if timedOut(err) {
		// A write too large to be answered within RequestTimeout would be
		// sent again whole, and time out again, for ever: the next ones
		// carry half as many keys, until one goes through.
		s.shrunk = max(1, distinctKeys(batch)/2)
	}
	if !retryable(err) {
		for _, o := range left {
			o.finish("", unavailable(err))
		}
		return
	}
	s.backoff = min(max(2*s.backoff, backoffMin), backoffMax)
	// Equal jitter: at least half the backoff, so that retries thin out.
	d := s.backoff/2 + rand.N(s.backoff/2+1)
	s.retryAt = time.Now().Add(d)
	if isQuota(err) {
		s.writes.penalize(d)
	}
	s.count(func(st *model.Stats) { st.Retries++ })
	fs.log.Info("sheet write failed; retrying", "rows", len(left), "backoff_ms", d.Milliseconds(), "error", err.Error())
	s.mu.Lock()
	s.queue = append(left, s.queue...)
	s.mu.Unlock()
}

// callersGone reports whether every op's caller has gone: the deadline
// of the last of them, which bounds the batch's calls, has passed. The
// deadline is read, not only ctx.Err: the call's own timer may fire an
// instant before the caller's context says so.
func callersGone(ops []*op) bool {
	now := time.Now()
	for _, o := range ops {
		if dl, ok := o.ctx.Deadline(); o.ctx.Err() == nil && (!ok || now.Before(dl)) {
			return false
		}
	}
	return true
}

// callContext bounds one API call by the request timeout and by the last
// deadline of the ops it serves: nobody waits beyond that.
func (s *Sink) callContext(batch []*op) (context.Context, context.CancelFunc) {
	dl := time.Now().Add(s.opt.RequestTimeout)
	var latest time.Time
	for _, o := range batch {
		d, ok := o.ctx.Deadline()
		if !ok {
			latest = time.Time{}
			break
		}
		if d.After(latest) {
			latest = d
		}
	}
	if !latest.IsZero() && latest.Before(dl) {
		dl = latest
	}
	return context.WithDeadline(context.Background(), dl)
}

// flushKeys is how many keys a flush may carry now.
func (s *Sink) flushKeys() int {
	if s.shrunk > 0 {
		return s.shrunk
	}
	return s.opt.MaxRowsPerFlush
}

// distinctKeys counts the keys of the upserts of a batch.
func distinctKeys(batch []*op) int {
	seen := map[string]bool{}
	for _, o := range batch {
		if o.tab != nil {
			seen[o.tab.Tab+"\x00"+o.row.ID()] = true
		}
	}
	return len(seen)
}

// leave deletes the rows of the ops whose row left the destination
// (model.Row.Leave), once the flush that recorded their marks landed, as
// a request of its own: the deletion of a request reads the whole tab
// first, so that a row a team edit moved under it is put back (see
// deleteRows), and deletes a row only if no newer version was written since.
// A row leaves rarely (a partner's order whose store changed): that read
// is worth its cost. The ops are answered Removed, or, when the deletion
// could not be done, with an error the platform retries: the mark is
// written, and the retry finds the row again.
func (s *Sink) leave(fs *flushState, batch []*op) {
	var leaving []*op
	var sel []model.Select
	for _, o := range batch {
		if !o.leaving {
			continue
		}
		select {
		case <-o.done:
			continue
		default:
		}
		o.leaving = false
		leaving = append(leaving, o)
		// Before: a row at this version or older (a row written before
		// the where changed leaves at its own version).
		sl := model.Select{Tab: o.tab.Tab, Keys: []string{o.row.Key}, Before: o.row.Version + 1, Legacy: o.row.Source == ""}
		if o.row.Source != "" {
			sl.Sources = []string{o.row.Source}
		}
		sel = append(sel, sl)
	}
	if len(leaving) == 0 {
		return
	}
	req := &op{ctx: leaving[0].ctx, req: &request{action: model.Delete, sel: sel, sent: map[*tab]map[string]bool{}}, done: make(chan struct{})}
	err := s.applyRequest(fs, req)
	select {
	case <-req.done:
		err = req.err
	default:
		if err == nil {
			err = errMoved // the request did not settle: the sheet kept changing
		}
	}
	for _, o := range leaving {
		if err != nil {
			o.finish("", unavailable(err))
			continue
		}
		o.finish(model.Removed, nil)
	}
}
