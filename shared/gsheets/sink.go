package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/logging"
)

// VersionHeader is the header of the hidden column that holds each row's
// source and version ("shopify:1712345678000000"): with the key, the
// source is the row's identity.
const VersionHeader = "_safeview_version"

// errMoved means the index no longer matches the sheet (the team sorted,
// inserted or deleted rows, or moved a column).
var errMoved = errors.New("sheet changed under the index")

// Defaults of Options.
const (
	// DefaultWriteRequestsPerMinute leaves a margin under Google's default
	// quota of 60 write requests per minute per user: with a burst of
	// writeBurst, the sink sends at most 57 in any 60 seconds.
	DefaultWriteRequestsPerMinute = 55
	// DefaultReadRequestsPerMinute does the same for reads, which Google
	// counts apart: at most 59 in any 60 seconds with readBurst.
	DefaultReadRequestsPerMinute = 55
	// DefaultBatchWindow is how long a flush waits for company once a row
	// is pending and a request may be sent.
	DefaultBatchWindow = 10 * time.Millisecond
	// DefaultMaxRowsPerFlush bounds the size of one request.
	DefaultMaxRowsPerFlush = 500
	// DefaultRequestTimeout bounds one API call, so that a hung call
	// leaves time for a retry inside the delivery's deadline.
	DefaultRequestTimeout = 2 * time.Second

	// writeBurst and readBurst are how many requests may go back to back
	// after a quiet spell. A flush takes one of each; indexing every tab
	// takes three reads, which a cold start should not wait for.
	writeBurst = 2
	readBurst  = 4
	// backoffMin and backoffMax bound the pause after a 429 or a 5xx.
	backoffMin = 100 * time.Millisecond
	backoffMax = 4 * time.Second
	// movedRetries bounds how often one flush rebuilds a changing index.
	movedRetries = 3
)

// Options tune a Sink. The zero value means the defaults.
type Options struct {
	// Logger receives the sink's own lines (never a cell value).
	Logger *slog.Logger
	// WriteRequestsPerMinute paces write requests (a token bucket); see
	// DefaultWriteRequestsPerMinute.
	WriteRequestsPerMinute int
	// ReadRequestsPerMinute paces read requests.
	ReadRequestsPerMinute int
	// BatchWindow is how long a flush waits, once it may go, for more rows.
	BatchWindow time.Duration
	// MaxRowsPerFlush caps the keys written by one request.
	MaxRowsPerFlush int
	// RequestTimeout caps one API call.
	RequestTimeout time.Duration
	// MarksTTL is how long a version kept out by a filter is remembered
	// (see MarksTab); MaxMarks caps how many are.
	MarksTTL time.Duration
	MaxMarks int
	// Project, when set, paces this sink's requests together with those
	// of every other sink given the same Project: the quota of their
	// Google Cloud project (see Project). Nil paces the sink alone.
	Project *Project
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.WriteRequestsPerMinute <= 0 {
		o.WriteRequestsPerMinute = DefaultWriteRequestsPerMinute
	}
	if o.ReadRequestsPerMinute <= 0 {
		o.ReadRequestsPerMinute = DefaultReadRequestsPerMinute
	}
	if o.BatchWindow < 0 {
		o.BatchWindow = 0
	} else if o.BatchWindow == 0 {
		o.BatchWindow = DefaultBatchWindow
	}
	if o.MaxRowsPerFlush <= 0 {
		o.MaxRowsPerFlush = DefaultMaxRowsPerFlush
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MarksTTL <= 0 {
		o.MarksTTL = DefaultMarksTTL
	}
	if o.MaxMarks <= 0 {
		o.MaxMarks = DefaultMaxMarks
	}
}

// Sink writes rows to the tabs of one spreadsheet. It is the one writer of
// that spreadsheet in an instance: every upsert joins a group commit, and
// one flusher sends each group as one write request.
type Sink struct {
	svc    *sheets.Service
	id     string
	log    *slog.Logger
	opt    Options
	writes pacer
	reads  pacer
	tabs   map[string]*tab // read-only after New; each tab is the flusher's
	order  []*tab

	mu      sync.Mutex // guards the fields below
	queue   []*op
	running bool
	closed  bool // by Close: no more ops
	stats   model.Stats
	cells   int64 // the spreadsheet's cells at the last flush (see fill)

	// Flusher only.
	backoff time.Duration
	retryAt time.Time
	undo    undoTab
	marks   marks
	fill    fill
	// hasArchived says the spreadsheet has an ArchivedTab, of sheet id
	// archivedSheet; archived are the rows it lists.
	hasArchived   bool
	archivedSheet int64
	archived      map[markKey]bool
	// shrunk caps the keys of a flush below MaxRowsPerFlush after a write
	// timed out; 0 when it does not.
	shrunk int
	// hook, set by tests, runs at the start of every flush.
	hook func(batch []*op)
}

// op is one Upsert, or one request (Apply), waiting for its flush.
type op struct {
	ctx  context.Context
	tab  *tab
	row  model.Row
	req  *request // an Apply; tab and row are unset
	done chan struct{}
	res  model.Result
	err  error
	// sent says a write carrying this op went out and its answer was
	// lost: if the sheet now holds its version, it was this op's write.
	sent bool
	// leaving says the op's row leaves the destination: the flush wrote
	// its mark, and the row is deleted next (see leave).
	leaving bool
}

func (o *op) finish(res model.Result, err error) {
	o.res, o.err = res, err
	close(o.done)
}

// New returns a sink for the given tables of a spreadsheet. It does no
// I/O: each tab is read on its first upsert.
func New(svc *sheets.Service, spreadsheetID string, tables []model.Table, opt Options) (*Sink, error) {
	if spreadsheetID == "" {
		return nil, errors.New("sheets: no spreadsheet id")
	}
	opt.defaults()
	s := &Sink{
		svc: svc, id: spreadsheetID, log: opt.Logger, opt: opt, tabs: map[string]*tab{},
		writes: pacer{own: newLimiter(opt.WriteRequestsPerMinute, writeBurst, nil)},
		reads:  pacer{own: newLimiter(opt.ReadRequestsPerMinute, readBurst, nil)},
		marks:  newMarks(opt.MarksTTL, opt.MaxMarks),
	}
	if p := opt.Project; p != nil {
		s.writes.shared, s.reads.shared = p.writes, p.reads
	}
	for _, t := range tables {
		k := slices.Index(t.Headers, t.Key)
		if k < 0 {
			return nil, fmt.Errorf("sheets: tab %q: key %q is not one of its headers", t.Tab, t.Key)
		}
		if slices.Contains(t.Headers, VersionHeader) {
			return nil, fmt.Errorf("sheets: tab %q: header %q is reserved", t.Tab, VersionHeader)
		}
		for _, h := range t.Match {
			if !slices.Contains(t.Headers, h) {
				return nil, fmt.Errorf("sheets: tab %q: match column %q is not one of its headers", t.Tab, h)
			}
		}
		for _, h := range t.Personal {
			if h == t.Key || !slices.Contains(t.Headers, h) {
				return nil, fmt.Errorf("sheets: tab %q: personal column %q is not one of its headers but the key", t.Tab, h)
			}
		}
		if _, dup := s.tabs[t.Tab]; dup {
			return nil, fmt.Errorf("sheets: tab %q configured twice", t.Tab)
		}
		tb := newTab(t, k)
		s.tabs[t.Tab] = tb
		s.order = append(s.order, tb)
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

// Upsert creates or updates the row of r.Key in tab, unless the sheet
// already holds that version or a newer one. It joins the next flush and
// returns once that flush is written, so that a nil error means the row is
// in the sheet. An error wrapping model.ErrUnavailable means the sheet could not
// be written before ctx ended: the caller should have the platform retry,
// and the retry finds whatever landed. A row with a text cell longer than
// Google allows is refused with ErrCellTooLong before it can join a flush.
func (s *Sink) Upsert(ctx context.Context, tabName string, r model.Row) (model.Result, error) {
	t, ok := s.tabs[tabName]
	if !ok {
		return "", fmt.Errorf("sheets: no tab %q configured", tabName)
	}
	if err := r.Check(len(t.Headers), sourceSep); err != nil {
		return "", fmt.Errorf("sheets: tab %q: %w", tabName, err)
	}
	for i, c := range r.Cells {
		if !fits(c.Text) || !fits(c.Number) {
			// Refused here, alone: in a flush, Google would refuse every row.
			return "", fmt.Errorf("sheets: tab %q, column %q: %w (%d characters, at most %d)", tabName, t.Headers[i], ErrCellTooLong, max(model.CellLen(c.Text), model.CellLen(c.Number)), model.MaxCellChars)
		}
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%w: tab %q: %w", model.ErrUnavailable, tabName, err)
	}
	o := &op{ctx: ctx, tab: t, row: r, done: make(chan struct{})}
	if !s.enqueue(ctx, o) {
		return "", fmt.Errorf("%w: tab %q: not written within the deadline: %w", model.ErrUnavailable, tabName, context.DeadlineExceeded)
	}
	return o.res, o.err
}

// enqueue queues o for the flusher and waits until it is finished, or
// reports false when ctx ends first.
func (s *Sink) enqueue(ctx context.Context, o *op) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		o.finish("", ErrClosed)
		return true
	}
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
		select {
		case <-o.done: // finished at the same instant: the answer is known
			return true
		default:
		}
		return false
	}
}

// logger returns the request's logger when the context carries one, so that
// the sink's lines carry the request id too.
func (s *Sink) logger(ctx context.Context) *slog.Logger {
	if l := logging.From(ctx); l != slog.Default() {
		return l
	}
	return s.log
}
