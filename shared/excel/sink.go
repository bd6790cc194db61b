package excel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"strings"
	"sync"
	"time"

	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
)

// Defaults of Options.
const (
	// DefaultBatchWindow is how long a flush waits for company once a row
	// is pending.
	DefaultBatchWindow = 10 * time.Millisecond
	// DefaultMaxRowsPerFlush bounds the keys of one flush.
	DefaultMaxRowsPerFlush = 500
	// DefaultRequestTimeout bounds one HTTP request to Graph.
	DefaultRequestTimeout = 3 * time.Second
	// DefaultOperationsPer10s paces the sink under the Excel service's
	// documented limit of 1,500 requests every 10 seconds per app and
	// tenant, counted as Graph counts them: each request of a $batch.
	DefaultOperationsPer10s = 1200
	// sessionIdle is how long a workbook session is reused after its last
	// request: Graph ends a persistent session after about 5 minutes
	// without one.
	sessionIdle = 4 * time.Minute
	backoffMin  = 100 * time.Millisecond
	backoffMax  = 4 * time.Second
	// movedRetries bounds how often one flush rebuilds a changing index.
	movedRetries = 3
)

// Options tune a Sink; the zero value means the defaults.
type Options struct {
	Logger           *slog.Logger
	BatchWindow      time.Duration
	MaxRowsPerFlush  int
	RequestTimeout   time.Duration
	OperationsPer10s int
	// MarksTTL is how long a version kept out by a filter is remembered.
	MarksTTL time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BatchWindow == 0 {
		o.BatchWindow = DefaultBatchWindow
	}
	if o.MaxRowsPerFlush <= 0 {
		o.MaxRowsPerFlush = DefaultMaxRowsPerFlush
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.OperationsPer10s <= 0 {
		o.OperationsPer10s = DefaultOperationsPer10s
	}
	if o.MarksTTL <= 0 {
		o.MarksTTL = 48 * time.Hour
	}
}

// Workbook names the Excel file: its drive and item ids, or a SharePoint
// site ("contoso.sharepoint.com:/sites/Finance") and the file's path in
// its default library, resolved to ids once, at the first write.
type Workbook struct {
	DriveID, ItemID string
	Site, Path      string
}

// Table is one table the sink keeps: the configuration's table, and the
// name of the named table (Insert → Table, then Table Name) that holds it
// in the workbook.
type Table struct {
	model.Table
	Name string
}

// Sink writes rows to the named tables of one workbook through Microsoft
// Graph. It is the one writer of that workbook in an instance: every
// upsert joins a group commit, and one flusher sends each group.
type Sink struct {
	g     *graph
	wb    Workbook
	log   *slog.Logger
	opt   Options
	tabs  map[string]*tab
	order []*tab

	mu      sync.Mutex // guards the fields below
	queue   []*op
	running bool
	stats   model.Stats

	// Flusher only.
	base        string // /drives/{d}/items/{i}/workbook
	backoff     time.Duration
	retryAt     time.Time
	session     string
	sessionUsed time.Time
	marks       marks
	pace        pacer
	sentOps     int     // operations the flush under way sent
	opsPerRow   float64 // what a row cost lately, with its flush's share
}

// op is one Upsert, or one request (Apply), waiting for its flush.
type op struct {
	ctx     context.Context
	tab     *tab
	p       model.Pending
	req     *request
	done    chan struct{}
	res     model.Result
	err     error
	leaving bool
}

func (o *op) finish(res model.Result, err error) {
	o.res, o.err = res, err
	close(o.done)
}

func (o *op) finished() bool {
	select {
	case <-o.done:
		return true
	default:
		return false
	}
}

// New returns a sink for the given tables of a workbook, reached with hc
// (which authenticates: see NewHTTPClient) at endpoint
// (https://graph.microsoft.com/v1.0, or an emulator's). It does no I/O.
func New(hc *http.Client, endpoint string, wb Workbook, tables []Table, opt Options) (*Sink, error) {
	if wb.DriveID == "" || wb.ItemID == "" {
		if wb.Site == "" || wb.Path == "" {
			return nil, errors.New("excel: name the workbook by drive and item id, or by site and path")
		}
	}
	if hc == nil || endpoint == "" {
		return nil, errors.New("excel: no Graph client")
	}
	opt.defaults()
	s := &Sink{g: &graph{hc: hc, endpoint: strings.TrimSuffix(endpoint, "/")}, wb: wb, log: opt.Logger, opt: opt, tabs: map[string]*tab{},
		marks: newMarks(opt.MarksTTL), pace: pacer{limit: opt.OperationsPer10s, per: 10 * time.Second}}
	for _, t := range tables {
		tb, err := newTab(t)
		if err != nil {
			return nil, err
		}
		if _, dup := s.tabs[t.Tab]; dup {
			return nil, fmt.Errorf("excel: table %q configured twice", t.Tab)
		}
		s.tabs[t.Tab] = tb
		s.order = append(s.order, tb)
	}
	if wb.DriveID != "" {
		s.base = "/drives/" + url.PathEscape(wb.DriveID) + "/items/" + url.PathEscape(wb.ItemID) + "/workbook"
	}
	return s, nil
}

// Stats returns a copy of the counters.
func (s *Sink) Stats() model.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *Sink) count(f func(*model.Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.stats)
}

// Upsert creates or updates the row of r's identity in a table, unless
// the workbook holds that version or a newer one. It joins the next flush
// and returns once that flush is written: a nil error means the row is in
// the workbook. An error wrapping model.ErrUnavailable means it could not
// be written before ctx ended (Graph throttled, a person held the file):
// the platform should retry, and the retry finds whatever landed.
func (s *Sink) Upsert(ctx context.Context, table string, r model.Row) (model.Result, error) {
	t, ok := s.tabs[table]
	if !ok {
		return "", fmt.Errorf("excel: no table %q configured", table)
	}
	if err := r.Check(len(t.Headers), sourceSep); err != nil {
		return "", fmt.Errorf("excel: table %q: %w", table, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%w: table %q: %w", model.ErrUnavailable, table, err)
	}
	o := &op{ctx: ctx, tab: t, p: model.Pending{Row: r}, done: make(chan struct{})}
	if !s.enqueue(ctx, o) {
		return "", fmt.Errorf("%w: table %q: not written within the deadline: %w", model.ErrUnavailable, table, context.DeadlineExceeded)
	}
	return o.res, o.err
}

// enqueue queues o and waits until it is finished, or reports false when
// ctx ends first.
func (s *Sink) enqueue(ctx context.Context, o *op) bool {
	s.mu.Lock()
	s.queue = append(s.queue, o)
	if !s.running {
		s.running = true
		go s.run()
	}
	s.mu.Unlock()
	select {
	case <-o.done:
		return true
	case <-ctx.Done():
		return o.finished()
	}
}

func (s *Sink) logger(ctx context.Context) *slog.Logger {
	if l := logging.From(ctx); l != slog.Default() {
		return l
	}
	return s.log
}

// errMoved means the table no longer matches the index (the team sorted,
// inserted or deleted rows, or moved a column).
var errMoved = errors.New("table changed under the index")

func unavailable(err error) error {
	if errors.Is(err, model.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", model.ErrUnavailable, err)
}

// pacer keeps the operations sent in any window of per under limit, so
// that the sink waits rather than be throttled: Graph counts its limit
// per 10 seconds. A window that slides, rather than fixed windows, uses
// the whole of the limit: with fixed windows, a flush that no longer fits
// what is left of a window waits for the next one to start (at 250
// operations a flush, 4 flushes, 1,000 of 1,200), while across the
// border of two windows twice the limit may go out within 10 s.
type pacer struct {
	limit int
	per   time.Duration
	sent  []spent // within the last per, oldest first
	n     int     // their operations
}

// spent is operations sent at a time.
type spent struct {
	at time.Time
	n  int
}

// takeAt counts n operations to be sent at now and returns how long to
// wait before sending them.
func (p *pacer) takeAt(now time.Time, n int) time.Duration {
	wait := p.waitAt(now, n)
	p.spend(now.Add(wait), n)
	return wait
}

// room is how many operations may go at now without waiting.
func (p *pacer) room(now time.Time) int {
	p.forget(now)
	return p.limit - p.n
}

// forget drops what left the window by now.
func (p *pacer) forget(now time.Time) {
	for len(p.sent) > 0 && !p.sent[0].at.Add(p.per).After(now) {
		p.n -= p.sent[0].n
		p.sent = p.sent[1:]
	}
}

// waitAt is how long n operations wait from now, without counting them:
// until enough of the oldest leave the window (all of them for more than
// the limit at once).
func (p *pacer) waitAt(now time.Time, n int) time.Duration {
	p.forget(now)
	at := now
	if p.n+n > p.limit && p.n > 0 {
		left := p.n
		for _, e := range p.sent {
			left -= e.n
			at = e.at.Add(p.per)
			if left+n <= p.limit {
				break
			}
		}
	}
	return at.Sub(now)
}

// spend counts n operations sent at at.
func (p *pacer) spend(at time.Time, n int) {
	if k := len(p.sent); k > 0 && p.sent[k-1].at.After(at) {
		at = p.sent[k-1].at // oldest first
	}
	p.sent = append(p.sent, spent{at: at, n: n})
	p.n += n
}
