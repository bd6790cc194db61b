// Package view makes a configuration runnable: the pipelines of its
// tables, keyed with the pseudonym key read from the secrets, and the sink
// that keeps their rows in the spreadsheet. The webhook function and the
// backfill both build one, so that a past order from an export and a live
// delivery of the same order become the same row: the same filter, the
// same operators, the same pseudonyms, the same key.
package view

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/secrets"
)

// Deps are what a View is built from.
type Deps struct {
	// Config is the validated configuration; its sheet block paces the
	// sink.
	Config *config.Config
	// Secrets resolves privacy.pseudonym_key.
	Secrets secrets.Resolver
	// Sheets is the client of the Sheets API. Nil builds a View that runs
	// the pipelines but writes nothing (a dry run).
	Sheets *sheets.Service
	// Logger receives the sink's lines.
	Logger *slog.Logger
}

// View is one configuration's tables, compiled, and their sink.
type View struct {
	cfg       *config.Config
	zones     map[string]*time.Location
	pipelines map[string]*pipeline.Pipeline
	keys      *privacy.Keys
	sink      *gsheets.Sink
}

// New reads the pseudonym key, compiles every table and, when d.Sheets is
// set, builds the sink of cfg.Spreadsheet.ID. It does no I/O but the
// secret's lookup: the sink reads each tab on its first upsert.
func New(ctx context.Context, d Deps) (*View, error) {
	cfg := d.Config
	v := &View{cfg: cfg, zones: map[string]*time.Location{}}
	for _, name := range cfg.SourceNames {
		zone, err := time.LoadLocation(cfg.Sources[name].TimeZone)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", name, err)
		}
		v.zones[name] = zone
	}
	keys, err := PseudonymKeys(ctx, cfg, d.Secrets)
	if err != nil {
		return nil, err
	}
	v.keys = keys
	if v.pipelines, err = pipeline.Compile(cfg, keys); err != nil {
		return nil, err
	}
	if d.Sheets == nil {
		return v, nil
	}
	var tables []model.Table
	for _, t := range cfg.Tables {
		tables = append(tables, v.pipelines[t.Tab].SinkTable())
	}
	if v.sink, err = gsheets.New(d.Sheets, cfg.Spreadsheet.ID, tables, gsheets.Options{
		Logger:                 d.Logger,
		WriteRequestsPerMinute: cfg.Sheet.WriteRequestsPerMinute,
		ReadRequestsPerMinute:  cfg.Sheet.ReadRequestsPerMinute,
		BatchWindow:            time.Duration(cfg.Sheet.BatchWindow),
		MaxRowsPerFlush:        cfg.Sheet.MaxRowsPerFlush,
		RequestTimeout:         time.Duration(cfg.Sheet.RequestTimeout),
		MarksTTL:               time.Duration(cfg.Sheet.RememberFiltered),
	}); err != nil {
		return nil, err
	}
	return v, nil
}

// PseudonymKeys reads the key of the pseudonym operator, the newest live
// value of privacy.pseudonym_key; nil when the configuration names none.
func PseudonymKeys(ctx context.Context, cfg *config.Config, res secrets.Resolver) (*privacy.Keys, error) {
	name := cfg.Privacy.PseudonymKey
	if name == "" {
		return nil, nil
	}
	vals, err := res.Lookup(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("privacy.pseudonym_key: %w", err)
	}
	keys, err := privacy.NewKeys([]byte(vals[0]))
	if err != nil {
		return nil, fmt.Errorf("privacy.pseudonym_key %q: %w", name, err)
	}
	return keys, nil
}

// Keys returns the pseudonym key, nil when the configuration names none:
// an erasure request computes a customer's pseudonyms with it.
func (v *View) Keys() *privacy.Keys { return v.keys }

// Sink returns the sink, nil for a View built without a Sheets client.
func (v *View) Sink() *gsheets.Sink { return v.sink }

// Row is what one table made of an event.
type Row struct {
	Table string
	pipeline.Result
}

// Outcome is what one table did with an event.
type Outcome struct {
	Table  string
	Result model.Result
	// Masked counts what the guard masked in the row: the only trace of
	// it a log may carry.
	Masked privacy.Counts
	// Cut counts the text cells cut to fit a cell of the sheet.
	Cut int
}

// Error is one table's failure to take an event. Its message names the
// table and the reason, never a value of the event.
type Error struct {
	Table string
	// Rejected says the table's pipeline refused the event (no value for
	// the key column, a filter that could not be evaluated): the event's
	// fault, which no retry mends. Otherwise the sink failed; the error
	// wraps model.ErrUnavailable when a retry later may succeed.
	Rejected bool
	Err      error
}

func (e *Error) Error() string { return fmt.Sprintf("table %q: %v", e.Table, e.Err) }

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Run builds the row of every table that takes the event from the source,
// in the order of the configuration, and writes nothing. It is pure, and
// safe for concurrent use.
func (v *View) Run(source string, ev *platform.Event) ([]Row, error) {
	var rows []Row
	err := v.each(source, ev, func(tab string, out pipeline.Result) error {
		rows = append(rows, Row{Table: tab, Result: out})
		return nil
	})
	return rows, err
}

// Write runs the event through every table that takes it and upserts each
// row, table after table, as a live delivery does. It stops at the first
// failure, an *Error, and returns what the tables before it did. Each
// upsert returns once its row is durably written.
func (v *View) Write(ctx context.Context, source string, ev *platform.Event) ([]Outcome, error) {
	if v.sink == nil {
		return nil, errors.New("view: built without a Sheets client")
	}
	var outs []Outcome
	err := v.each(source, ev, func(tab string, out pipeline.Result) error {
		res, err := v.sink.Upsert(ctx, tab, out.Row)
		if err != nil {
			return &Error{Table: tab, Err: err}
		}
		outs = append(outs, Outcome{Table: tab, Result: res, Masked: out.Masked, Cut: out.Cut})
		return nil
	})
	return outs, err
}

// each runs the pipeline of every table that takes the event and hands
// each result to fn before the next table runs. An unknown source runs in
// UTC.
func (v *View) each(source string, ev *platform.Event, fn func(tab string, out pipeline.Result) error) error {
	in := pipeline.NewInput(ev, source, v.zones[source])
	for _, t := range v.cfg.TablesFor(source, string(ev.Kind)) {
		out, err := v.pipelines[t.Tab].Run(in)
		if err != nil {
			return &Error{Table: t.Tab, Rejected: true, Err: err}
		}
		if err := fn(t.Tab, out); err != nil {
			return err
		}
	}
	return nil
}

// Combine returns the most significant of several results, as a
// delivery's answer reports it: written, then unchanged, stale, filtered;
// "" for none.
func Combine(results []model.Result) model.Result {
	for _, r := range []model.Result{model.Written, model.Unchanged, model.Stale, model.Filtered} {
		for _, got := range results {
			if got == r {
				return r
			}
		}
	}
	return ""
}
