package excel

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/model"
)

// run is the flusher: while ops are pending it takes them all and writes
// them in one verification $batch and one write $batch. It ends when the
// queue is empty; Upsert starts it again.
func (s *Sink) run() {
	for {
		s.mu.Lock()
		s.dropAbandoned()
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if wait := time.Until(s.retryAt); wait > 0 {
			time.Sleep(wait)
			continue
		}
		if s.opt.BatchWindow > 0 {
			time.Sleep(s.opt.BatchWindow)
		}
		rows := s.rowsThatFit(time.Now())
		s.mu.Lock()
		batch := s.take(rows)
		s.mu.Unlock()
		if len(batch) > 0 {
			s.flush(batch)
		}
	}
}

// dropAbandoned forgets the ops whose caller has gone. s.mu is held.
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

// rowsThatFit is how many rows the next flush takes: MaxRowsPerFlush, or
// fewer when only fewer fit in what Graph's limit has left in the
// window, at the operations a row cost lately. A flush that does not fit
// waits until enough of the window passes; while the queue is longer
// than a flush, that left the end of every window unused (flushes of 250
// rows at about one operation each: 4 in 10 s, 1,000 of 1,200). Fewer
// than a tenth of a flush waits instead: a flush costs round trips and
// operations of its own.
func (s *Sink) rowsThatFit(now time.Time) int {
	est := s.opsPerRow
	if est <= 0 {
		est = 3 // an update's cost, the most a row costs
	}
	room := float64(s.pace.room(now) - flushOverhead)
	n := int(room / est)
	if n >= s.opt.MaxRowsPerFlush || n < s.opt.MaxRowsPerFlush/10 {
		return s.opt.MaxRowsPerFlush
	}
	return max(1, n)
}

// flushOverhead is the operations a flush of one table costs besides its
// rows' (docs/excel.md): 2 to verify, 3 to write.
const flushOverhead = 5

// take removes from the queue the ops of at most rows identities, every
// op of an identity together. A request (Apply) is a barrier: it goes
// alone, after the upserts queued before it. s.mu is held.
func (s *Sink) take(rows int) []*op {
	s.dropAbandoned()
	if len(s.queue) > 0 && s.queue[0].req != nil {
		o := s.queue[0]
		s.queue = s.queue[1:]
		return []*op{o}
	}
	barrier := len(s.queue)
	for i, o := range s.queue {
		if o.req != nil {
			barrier = i
			break
		}
	}
	keys := map[string]bool{}
	var batch, rest []*op
	for _, o := range s.queue[:barrier] {
		k := o.tab.Tab + "\x00" + o.p.Row.ID()
		if keys[k] || len(keys) < rows {
			keys[k] = true
			batch = append(batch, o)
		} else {
			rest = append(rest, o)
		}
	}
	s.queue = append(rest, s.queue[barrier:]...)
	return batch
}

// flush writes one batch, or applies one request, and puts back what a
// passing failure left unsettled, behind a backoff that honours Graph's
// Retry-After.
func (s *Sink) flush(batch []*op) {
	ctx, cancel := s.deadline(batch)
	defer cancel()
	log := s.logger(batch[0].ctx)
	var err error
	if s.base == "" {
		// Calls are built from the workbook's ids: find them first.
		err = s.resolve(ctx)
	}
	switch {
	case err != nil:
	case batch[0].req != nil:
		err = s.untilSettled(ctx, func() error { return s.applyRequest(ctx, batch[0]) })
	default:
		s.sentOps = 0
		rows := len(groups(batch)) // identities: an order's ops are one row
		err = s.untilSettled(ctx, func() error { return s.attempt(ctx, batch) })
		if err == nil {
			s.leave(ctx, batch)
			s.learnCost(rows)
		}
	}
	var left []*op
	for _, o := range batch {
		if !o.finished() {
			left = append(left, o)
		}
	}
	if err == nil || len(left) == 0 {
		s.backoff = 0
		return
	}
	if !retryable(err) {
		for _, o := range left {
			o.finish("", unavailable(err))
		}
		return
	}
	s.backoff = min(max(2*s.backoff, backoffMin), backoffMax)
	d := max(s.backoff/2+rand.N(s.backoff/2+1), waitOf(err))
	s.retryAt = time.Now().Add(d)
	s.count(func(st *model.Stats) { st.Retries++ })
	log.Info("excel write failed; retrying", "rows", len(left), "backoff_ms", d.Milliseconds(), "error", err.Error())
	s.mu.Lock()
	s.queue = append(left, s.queue...)
	s.mu.Unlock()
}

// learnCost updates the operations a row costs from a flush of rows
// rows (identities) that sent s.sentOps: its verification and write, and
// whatever it read or sent again on the way (an index loaded, a table
// that moved), as Graph counts them.
func (s *Sink) learnCost(rows int) {
	if rows == 0 || s.sentOps == 0 {
		return
	}
	per := float64(s.sentOps) / float64(rows)
	if s.opsPerRow == 0 {
		s.opsPerRow = per
		return
	}
	s.opsPerRow = 0.7*s.opsPerRow + 0.3*per
}

// untilSettled runs try again while the table changed under the index,
// at most movedRetries times.
func (s *Sink) untilSettled(ctx context.Context, try func() error) error {
	for n := 1; ; n++ {
		err := try()
		if err == nil || !errors.Is(err, errMoved) || n >= movedRetries || ctx.Err() != nil {
			return err
		}
	}
}

// deadline bounds a flush by the last deadline of the ops it serves, but
// never below flushFloor: a flush its callers left still ends, so that
// their platforms' retries find the row written. Cut at the callers'
// deadlines, a flush slower than one delivery's wait (a slow Graph, a busy
// machine: a session, the index, the verification and the write are four
// round trips) started again from the verification at every retry and
// never wrote: the queued benchmark's workbook got no row at all.
func (s *Sink) deadline(batch []*op) (context.Context, context.CancelFunc) {
	latest := time.Now().Add(s.flushFloor())
	for _, o := range batch {
		d, ok := o.ctx.Deadline()
		if !ok {
			return context.WithTimeout(context.Background(), max(time.Minute, s.flushFloor()))
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(context.Background(), latest)
}

// flushFloor is the least time a flush is given: its four round trips
// (session, index, verification, write), each bounded by RequestTimeout.
func (s *Sink) flushFloor() time.Duration { return 4 * s.opt.RequestTimeout }

// batch sends calls as $batch requests, paced and in the workbook's
// session; each HTTP request is bounded by RequestTimeout.
func (s *Sink) batch(ctx context.Context, calls []call) ([]reply, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	if wait := s.pace.waitAt(time.Now(), len(calls)); wait > 0 {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Not sent: not counted.
			return nil, &callError{what: "pace under Graph's limit", status: http.StatusTooManyRequests, retryAfter: wait}
		}
		time.Sleep(wait)
	}
	s.pace.spend(time.Now(), len(calls))
	s.sentOps += len(calls)
	cctx, cancel := context.WithTimeout(ctx, s.opt.RequestTimeout)
	defer cancel()
	rs, err := s.g.batch(cctx, s.session, calls)
	if err == nil {
		s.sessionUsed = time.Now()
		for _, r := range rs {
			if r.status == http.StatusNotFound && strings.HasPrefix(r.code, "InvalidSession") {
				s.session = "" // expired: the next try opens another
				return nil, r.err("workbook session")
			}
		}
	}
	return rs, err
}

// write sends calls that change the workbook and fails on the first
// that did not succeed.
func (s *Sink) write(ctx context.Context, calls []call) error {
	rs, err := s.batch(ctx, calls)
	if err != nil {
		return err
	}
	for i, r := range rs {
		if !r.ok() {
			return r.err(calls[i].method + " " + opName(calls[i].url))
		}
	}
	s.count(func(st *model.Stats) { st.Flushes++ })
	return nil
}

// open resolves the workbook (once) and opens a persistent workbook
// session for the flushes to come, or reuses the one still alive.
func (s *Sink) open(ctx context.Context) error {
	if s.session != "" && time.Since(s.sessionUsed) < sessionIdle {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, s.opt.RequestTimeout)
	defer cancel()
	r, err := s.g.do(cctx, "", call{method: http.MethodPost, url: s.base + "/createSession", body: map[string]any{"persistChanges": true}})
	if err != nil {
		return err
	}
	if !r.ok() {
		return r.err("create a workbook session")
	}
	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.body, &in); err != nil || in.ID == "" {
		return errors.New("excel: unreadable workbook session")
	}
	s.session, s.sessionUsed = in.ID, time.Now()
	return nil
}

// Close ends the workbook session, if one is open. The sink must be idle.
func (s *Sink) Close(ctx context.Context) error {
	if s.session == "" {
		return nil
	}
	r, err := s.g.do(ctx, s.session, call{method: http.MethodPost, url: s.base + "/closeSession"})
	s.session = ""
	if err != nil {
		return err
	}
	if !r.ok() {
		return r.err("close the workbook session")
	}
	return nil
}

// resolve finds the drive and item ids of a workbook named by its
// SharePoint site and path.
func (s *Sink) resolve(ctx context.Context) error {
	drive, item, err := Resolve(ctx, s.g.hc, s.g.endpoint, s.wb.Site, s.wb.Path)
	if err != nil {
		return err
	}
	s.wb.DriveID, s.wb.ItemID = drive, item
	s.base = "/drives/" + url.PathEscape(drive) + "/items/" + url.PathEscape(item) + "/workbook"
	return nil
}

// Resolve finds the drive and item ids of a file named by its SharePoint
// site ("contoso.sharepoint.com:/sites/Finance", host, colon and the
// site's path) and its path in the site's default document library.
func Resolve(ctx context.Context, hc *http.Client, endpoint, site, path string) (drive, item string, err error) {
	g := &graph{hc: hc, endpoint: strings.TrimSuffix(endpoint, "/")}
	host, sitePath, ok := strings.Cut(site, ":")
	if !ok || host == "" || !strings.HasPrefix(sitePath, "/") {
		return "", "", errors.New("excel: a site is host:/path, such as contoso.sharepoint.com:/sites/Finance")
	}
	r, err := g.do(ctx, "", call{method: http.MethodGet, url: "/sites/" + host + ":" + sitePath})
	if err != nil {
		return "", "", err
	}
	if !r.ok() {
		return "", "", r.err("find the site")
	}
	var st struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &st)
	r, err = g.do(ctx, "", call{method: http.MethodGet, url: "/sites/" + url.PathEscape(st.ID) + "/drive/root:/" + strings.TrimPrefix(path, "/")})
	if err != nil {
		return "", "", err
	}
	if !r.ok() {
		return "", "", r.err("find the workbook in the site")
	}
	var it struct {
		ID  string `json:"id"`
		Ref struct {
			DriveID string `json:"driveId"`
		} `json:"parentReference"`
	}
	_ = json.Unmarshal(r.body, &it)
	if it.ID == "" || it.Ref.DriveID == "" {
		return "", "", errors.New("excel: unreadable drive item")
	}
	return it.Ref.DriveID, it.ID, nil
}
