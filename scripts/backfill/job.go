package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/view"
)

// job is one run over one export.
type job struct {
	view        *view.View
	deps        view.Deps // to build the sink that settles the run
	cfg         *config.Config
	source      string
	format      string
	path        string
	opts        export.Options
	dryRun      bool
	concurrency int
	retryFor    time.Duration
	con         *console
	d           deps
	resumePath  string

	mu   sync.Mutex
	last map[platform.Kind]platform.Event // the last event written, by kind
}

// What a record came to. The sink's results, and:
const (
	ignored = "ignored" // no table takes its kind of event
	failed  = "failed"  // reported by line, with the reason
	// updateOnly is a dry run's filtered record that would still update
	// the order's row if the sheet has one (updates always apply).
	updateOnly = "update-only"
)

// outcome is what became of one record.
type outcome struct {
	seq           int
	line, endLine int
	token         export.Token // resumes after the record
	result        string
	reason        string // of a failure: lines and a reason, never content
	// stop is set when the record's row could not be written (the sheet
	// unavailable past -retry-for, or the run stopped at once): the record
	// is not done, and the run stops before it.
	stop error
}

func (j *job) run(ctx context.Context) error {
	f, err := os.Open(j.path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}

	st := &state{Export: j.path, Format: j.format, Source: j.source, Spreadsheet: j.cfg.Spreadsheet.ID}
	if !j.dryRun {
		prev, err := loadState(j.resumePath)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return err
		default:
			if err := prev.matches(st); err != nil {
				return fmt.Errorf("resume file %s: %w; give the same arguments, or remove it to start from the beginning", j.resumePath, err)
			}
			st = prev
			if j.opts.Resume, err = export.ParseToken(st.Token); err != nil {
				return fmt.Errorf("resume file %s: %w: remove it to start from the beginning", j.resumePath, err)
			}
		}
	}
	r, err := export.Open(j.format, f, j.opts)
	switch {
	case errors.Is(err, export.ErrResume):
		return fmt.Errorf("%w: %s is not the file %s was saved for, or it changed since: remove %s to start from the beginning (rows already written are then answered unchanged)",
			err, j.path, j.resumePath, j.resumePath)
	case err != nil:
		return err
	}
	src := j.cfg.Sources[j.source]
	if p := r.Format().Platform; p != src.Platform {
		return fmt.Errorf("-format %s reads %s exports; source %q is %s", j.format, p, j.source, src.Platform)
	}
	if !j.dryRun {
		// Fail now rather than after an hour, if the position cannot be kept.
		if err := st.save(j.resumePath); err != nil {
			return fmt.Errorf("resume file: %w (give -resume elsewhere)", err)
		}
	}
	j.note(r.Format(), st)

	t := newTracker(st, j.opts.Resume, 4*j.concurrency)
	done := make(chan struct{})
	var tickers sync.WaitGroup
	tickers.Go(func() { j.show(t, fi.Size(), done) })
	if !j.dryRun {
		tickers.Go(func() { j.persist(t, done) })
	}
	start := time.Now()
	eof, readErr := j.read(ctx, r, t)
	close(done)
	tickers.Wait()
	elapsed := time.Since(start)

	snap := t.snapshot()
	complete := eof && snap.stop == nil && snap.pending == 0
	if complete && !j.dryRun {
		j.settle(ctx)
	}
	if !j.dryRun {
		var err error
		if complete {
			err = removeState(j.resumePath)
		} else {
			err = snap.state.save(j.resumePath)
		}
		if err != nil {
			j.con.note(fmt.Sprintf("resume file %s: %v", j.resumePath, err))
		}
	}
	j.summary(snap, elapsed, complete)
	switch {
	case readErr != nil:
		return fmt.Errorf("%w: reading %s: %w", errStopped, j.path, readErr)
	case snap.stop != nil:
		return fmt.Errorf("%w: %w", errStopped, snap.stop)
	case !complete:
		return fmt.Errorf("%w: interrupted", errStopped)
	case snap.state.Counts.Failed > 0:
		return errFailed
	}
	return nil
}

// note says what is about to happen, and what may not join live rows.
func (j *job) note(f export.Format, st *state) {
	what := "backfill"
	if j.dryRun {
		what = "dry run (nothing is written)"
	}
	j.con.note(fmt.Sprintf("%s: %s as %s (%s) for source %q into spreadsheet %s", what, j.path, f.Name, f.Layout, j.source, j.cfg.Spreadsheet.ID))
	if f.Name == export.WooCommerceCSV || f.Name == export.LightspeedXSeriesCSV {
		j.con.note(fmt.Sprintf("times without a zone are read in %s (-time-zone)", j.opts.Location))
	}
	if st.Token != "" {
		j.con.note(fmt.Sprintf("resuming at line %d after %d records (%s)", j.opts.Resume.Line, j.opts.Resume.Records, j.resumePath))
		for _, fl := range st.Failures {
			j.con.report(fl + " (reported by an earlier run)")
		}
	}
	for _, t := range j.cfg.TablesFor(j.source, string(platform.KindOrder)) {
		if k := keyOf(t); k != f.LiveKey {
			j.con.note(fmt.Sprintf("warning: table %q is keyed by %s, but this export's records share rows with live deliveries only under %s: they get rows of their own (docs/backfill.md, \"Keys\")", t.Tab, k, f.LiveKey))
		}
	}
}

// keyOf describes a table's key column as Format.LiveKey does.
func keyOf(t *config.Table) string {
	for _, c := range t.Columns {
		if c.Header == t.Key {
			if c.Path != "" {
				return "path:" + c.Path
			}
			return "field:" + c.Field
		}
	}
	return ""
}

// read hands the records to the workers until the end of the export, a
// record the sheet did not take, a graceful stop (deps.stop) or ctx's
// end. It returns once every record it started is done; eof says it read
// to the end, err is the input's failure.
func (j *job) read(ctx context.Context, r *export.Reader, t *tracker) (eof bool, err error) {
	sem := make(chan struct{}, j.concurrency)
	var workers sync.WaitGroup
	defer workers.Wait()
	// acquire takes a slot of the window (released when the record is
	// committed), then of the records in flight (released when done).
	acquire := func() bool {
		for _, ch := range []chan struct{}{t.window, sem} {
			select {
			case <-j.d.stop:
				j.con.note(fmt.Sprintf("stopping: waiting for the rows in flight (%d at most); Ctrl-C again to stop at once", j.concurrency))
				return false
			case <-ctx.Done():
				return false
			case <-t.stopping:
				j.con.note("stopping: waiting for the rows in flight")
				return false
			case ch <- struct{}{}:
			}
		}
		return true
	}
	for seq := 0; acquire(); seq++ {
		rec, err := r.Next()
		var le *export.LineError
		switch {
		case errors.Is(err, io.EOF):
			return true, nil
		case errors.As(err, &le):
			<-sem
			j.finish(t, outcome{seq: seq, line: le.Line, endLine: le.EndLine, token: le.Resume, result: failed, reason: le.Error()})
			continue
		case err != nil:
			return false, err
		}
		workers.Go(func() {
			defer func() { <-sem }()
			j.finish(t, j.process(ctx, seq, rec))
		})
	}
	return false, nil
}

// finish reports a failed record and hands the outcome to the tracker.
func (j *job) finish(t *tracker, o outcome) {
	if o.reason != "" {
		j.con.report(o.reason)
	}
	t.done(o, j.d.afterRecord)
}

// process runs one record through the tables that take it, and upserts
// the rows unless this is a dry run.
func (j *job) process(ctx context.Context, seq int, rec export.Record) outcome {
	o := outcome{seq: seq, line: rec.Line, endLine: rec.EndLine, token: rec.Resume}
	ev := rec.Event
	if ev.Platform == "" {
		ev.Platform = j.cfg.Sources[j.source].Platform
	}
	if (ev.Kind != platform.KindOrder && ev.Kind != platform.KindBooking) || len(j.cfg.TablesFor(j.source, string(ev.Kind))) == 0 {
		o.result = ignored
		return o
	}
	var err error
	if j.dryRun {
		o.result, err = j.dry(&ev)
	} else {
		o.result, err = j.write(ctx, &ev)
		if err == nil {
			j.mu.Lock()
			if j.last == nil {
				j.last = map[platform.Kind]platform.Event{}
			}
			j.last[ev.Kind] = ev
			j.mu.Unlock()
		}
	}
	switch {
	case errors.Is(err, model.ErrUnavailable):
		o.result = ""
		o.stop = fmt.Errorf("%s: the sheet did not take the row within -retry-for %s: %w", lines(o.line, o.endLine), j.retryFor, err)
	case err != nil:
		// A table that refused the event, or a sink error: they name
		// tables, columns and HTTP statuses, never a value.
		o.result, o.reason = failed, fmt.Sprintf("%s: %v", lines(o.line, o.endLine), err)
	}
	return o
}

// write upserts the event's rows and returns the most significant result.
// It waits for the sheet, through the sink's retries, up to -retry-for,
// or until ctx ends.
func (j *job) write(ctx context.Context, ev *platform.Event) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, j.retryFor)
	defer cancel()
	outs, err := j.view.Write(ctx, j.source, ev)
	var results []model.Result
	for _, out := range outs {
		results = append(results, out.Result)
	}
	return string(model.Combine(results)), err
}

// settle indexes the tabs the run wrote once more, with a sink of its
// own, which merges the rows of one order that two writers added: the
// sink of this run knows the rows that were in the sheet when it indexed
// the tab, so an order the function added live after that, and which this
// run then backfilled, is on two rows (and the other way round). Indexing
// is how the sink finds and merges them (newest cells kept, in the row the
// team annotated). The index is loaded by an upsert: that of the last
// event written again, which changes nothing (unchanged, or stale).
func (j *job) settle(ctx context.Context) {
	j.mu.Lock()
	events := j.last
	j.mu.Unlock()
	if len(events) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, j.retryFor)
	defer cancel()
	v, err := view.New(ctx, j.deps)
	if err == nil {
		for _, ev := range events {
			if _, err = v.Write(ctx, j.source, &ev); err != nil {
				break
			}
		}
	}
	if err != nil {
		j.con.note(fmt.Sprintf("indexing the sheet once more, to merge rows a live delivery added meanwhile: %v (running the backfill again does it)", err))
		return
	}
	if n := v.Stats().DuplicatesRemoved; n > 0 {
		j.con.note(fmt.Sprintf("merged %d rows of orders that live deliveries and this run both added", n))
	}
}

// dry tells what a write would do, as far as it can without the sheet: a
// row that may enter counts as written; one the filter keeps out counts as
// updateOnly when it would still update the order's row if the sheet has
// one (updates always apply), else as filtered.
func (j *job) dry(ev *platform.Event) (string, error) {
	rows, err := j.view.Run(j.source, ev)
	if err != nil {
		return "", err
	}
	res := string(model.Filtered)
	for _, r := range rows {
		switch {
		case r.Row.Insert:
			return string(model.Written), nil
		case r.Row.Update:
			res = updateOnly
		}
	}
	return res, nil
}

// lines names a record's lines as export.LineError does.
func lines(line, end int) string {
	if end > line {
		return fmt.Sprintf("lines %d-%d", line, end)
	}
	return fmt.Sprintf("line %d", line)
}
