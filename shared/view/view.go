// Package view is the service that turns events into writes: it makes a
// configuration runnable (the pipelines of its tables, keyed with the
// pseudonym key read from the secrets) and keeps their rows in the
// destinations, and it serves the requests of data subjects and shops
// (erasure, access) there too. The webhook function, the backfill and
// the data subject request script all go through it and never reach a
// destination themselves, so that a past order from an export and a live
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
	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/secrets"
)

// Destination keeps the rows of a configuration's tables somewhere: a
// Google spreadsheet (package gsheets), an Excel workbook, a queue. Every
// implementation passes the same contract (package viewtest): one row per
// identity, newest version wins, duplicates and reordering harmless, a
// version older than one a filter kept out never enters, and the erasure
// and access requests of package model.
type Destination interface {
	// Upsert creates or updates the row of r's identity in a table,
	// unless the destination holds that version or a newer one. A nil
	// error means the row is durably there; an error wrapping
	// model.ErrUnavailable means the platform should retry later.
	Upsert(ctx context.Context, table string, r model.Row) (model.Result, error)
	// Apply counts, reads, clears or deletes the rows the selections
	// pick, between the upserts queued before it and those after it.
	Apply(ctx context.Context, a model.Action, sel []model.Select) (model.Report, error)
	// Stats counts what the destination did.
	Stats() model.Stats
}

// Deps are what a View is built from.
type Deps struct {
	// Config is the validated configuration; its sheet block paces the
	// sink.
	Config *config.Config
	// Secrets resolves privacy.pseudonym_key.
	Secrets secrets.Resolver
	// Sheets is the client of the Sheets API, for the spreadsheet of
	// cfg.Spreadsheet.ID. Nil, and no Destination, builds a View that
	// runs the pipelines but writes nothing (a dry run).
	Sheets *sheets.Service
	// Destination, when set, is where the rows go instead (tests of the
	// service, another kind of destination).
	Destination Destination
	// Logger receives the sink's lines.
	Logger *slog.Logger
}

// View is one configuration's tables, compiled, and the destination of
// their rows.
type View struct {
	cfg       *config.Config
	zones     map[string]*time.Location
	pipelines map[string]*pipeline.Pipeline
	keys      *privacy.Keys
	dest      Destination // nil: a dry run
}

// New reads the pseudonym key, compiles every table and, when d.Sheets is
// set, builds the destination of cfg.Spreadsheet.ID. It does no I/O but
// the secret's lookup: the destination reads each table on its first
// upsert.
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
	if d.Destination != nil || d.Sheets == nil {
		v.dest = d.Destination
		return v, nil
	}
	var tables []model.Table
	for _, t := range cfg.Tables {
		tables = append(tables, v.pipelines[t.Tab].SinkTable())
	}
	if v.dest, err = gsheets.New(d.Sheets, cfg.Spreadsheet.ID, tables, gsheets.Options{
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

// Stats counts what the destinations did; zero for a dry run.
func (v *View) Stats() model.Stats {
	if v.dest == nil {
		return model.Stats{}
	}
	return v.dest.Stats()
}

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
	if v.dest == nil {
		return nil, errNoDestination
	}
	var outs []Outcome
	err := v.each(source, ev, func(tab string, out pipeline.Result) error {
		res, err := v.dest.Upsert(ctx, tab, out.Row)
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

// errNoDestination is the error of a View built without a destination
// when asked to write.
var errNoDestination = errors.New("view: built without a destination (a dry run)")

// Done is what a data subject's or a shop's request found, and did, in
// every destination.
type Done struct {
	model.Report
	// Unmatched lists the tables where a shop's removal left the rows
	// written before rows named their source: other sources feed them
	// too, so those rows cannot be tied to the shop.
	Unmatched []string
}

// Erase serves an erasure: it clears the personal cells of a customer's
// rows (r.Scope customer), or removes every row of a shop (r.Scope shop),
// in one turn of each destination's writes. With dryRun it only counts
// the rows it would change. A replayed request changes nothing.
func (v *View) Erase(ctx context.Context, r erasure.Request, dryRun bool) (Done, error) {
	a := model.Clear
	switch {
	case dryRun:
		a = model.Count
	case r.Scope == platform.EraseShop:
		a = model.Delete
	}
	return v.apply(ctx, r, a)
}

// Access serves an access request: it counts the customer's rows, or,
// with read, returns them whole as the destination shows them.
func (v *View) Access(ctx context.Context, r erasure.Request, read bool) (Done, error) {
	a := model.Count
	if read {
		a = model.Read
	}
	return v.apply(ctx, r, a)
}

// apply finds the rows a request concerns (package erasure) and has the
// destination do a with them.
func (v *View) apply(ctx context.Context, r erasure.Request, a model.Action) (Done, error) {
	plan, err := erasure.Resolve(v.cfg, v.keys, r)
	if err != nil {
		return Done{}, err
	}
	if v.dest == nil {
		return Done{}, errNoDestination
	}
	rep, err := v.dest.Apply(ctx, a, plan.Select)
	if err != nil {
		return Done{}, err
	}
	return Done{Report: rep, Unmatched: plan.Unmatched}, nil
}
