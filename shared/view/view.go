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
	"slices"
	"sync"
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
	// destinations.
	Config *config.Config
	// Secrets resolves privacy.pseudonym_key.
	Secrets secrets.Resolver
	// Sheets is the client of the Sheets API, for the spreadsheet of
	// cfg.Spreadsheet.ID. Nil, and no Destinations, builds a View that
	// runs the pipelines but writes nothing (a dry run).
	Sheets *sheets.Service
	// SheetsFor returns the Sheets client a destination of the
	// configuration is written with: its own service account. Nil writes
	// every destination with Sheets.
	SheetsFor func(ctx context.Context, name string) (*sheets.Service, error)
	// Graph connects the Excel destinations of the configuration to
	// Microsoft Graph (see Graph); required when it has one.
	Graph func(ctx context.Context, name string, d *config.Destination) (GraphConn, error)
	// Destinations, when set, are the destinations by name, "" for the
	// main spreadsheet, instead of those New would build (tests of the
	// service, other kinds of destination).
	Destinations map[string]Destination
	// Logger receives the destinations' lines.
	Logger *slog.Logger
}

// View is one configuration's tables, compiled, and the destinations of
// their rows: the main spreadsheet, which takes every row its tables
// admit, then the configuration's destinations, each the rows its where
// chooses, in the columns it keeps.
type View struct {
	cfg       *config.Config
	zones     map[string]*time.Location
	pipelines map[string]*pipeline.Pipeline
	keys      *privacy.Keys
	targets   []*target // the main one first; none: a dry run
	// project paces the Google spreadsheets' requests all together,
	// under the quota of the project their service accounts share.
	project *gsheets.Project
	// pending are the destinations not written yet: no spreadsheet id.
	pending []string
}

// Pending lists the destinations of the configuration that the view does
// not write, for want of a spreadsheet id: scripts/bootstrap-sheet
// creates their spreadsheets.
func (v *View) Pending() []string { return v.pending }

// target is one destination and what it holds of each table.
type target struct {
	name   string // "" for the main spreadsheet
	dest   Destination
	tables map[string]*held // by tab
	// landed answers the retries of rows the destination already holds;
	// nil without destinations besides the main spreadsheet (see landed).
	landed *landed
}

// held is what a destination holds of one table.
type held struct {
	table model.Table
	where *pipeline.Where // nil: every row the table admits
	cols  []int           // the cells it keeps, by index in the pipeline's row; nil: all
}

// New reads the pseudonym key, compiles every table and every
// destination's where, and, when d.Sheets (or d.Destinations) is set,
// builds the destinations. It does no I/O but the secret's lookup: a
// destination reads each table on its first upsert.
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
	wheres, err := pipeline.CompileWheres(cfg)
	if err != nil {
		return nil, err
	}
	if d.Destinations == nil && d.Sheets == nil {
		return v, nil
	}
	main := &target{tables: map[string]*held{}}
	for _, t := range cfg.Tables {
		main.tables[t.Tab] = &held{table: v.pipelines[t.Tab].SinkTable()}
	}
	v.targets = append(v.targets, main)
	for _, name := range cfg.DestinationNames {
		dc := cfg.Destinations[name]
		if dc.Kind != config.KindExcel && dc.Spreadsheet.ID == "" && d.Destinations[name] == nil {
			// Pending: its spreadsheet does not exist yet, so nothing
			// of it can be lost. The backfill that fills a new
			// destination with the orders from before it also fills
			// those from until its spreadsheet is made.
			v.pending = append(v.pending, name)
			if d.Logger != nil {
				d.Logger.Warn("destination pending: no spreadsheet id yet, its rows are not written; scripts/bootstrap-sheet creates the spreadsheet, then set its id and backfill it (docs/deploy.md)", "destination", name)
			}
			continue
		}
		tg := &target{name: name, tables: map[string]*held{}}
		for _, t := range cfg.DestinationTables(dc) {
			tg.tables[t.Tab] = project(v.pipelines[t.Tab].SinkTable(), cfg.ColumnsFor(dc, t), wheres[name][t.Tab])
		}
		v.targets = append(v.targets, tg)
	}
	v.project = projectOf(cfg.Sheet)
	for _, tg := range v.targets {
		if len(v.targets) > 1 {
			tg.landed = newLanded()
		}
		if tg.dest = d.Destinations[tg.name]; tg.dest != nil {
			continue
		}
		if tg.dest, err = v.open(ctx, d, tg); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// open builds the destination of a target: an Excel workbook, or a
// Google spreadsheet.
func (v *View) open(ctx context.Context, d Deps, tg *target) (Destination, error) {
	cfg := v.cfg
	if tg.name != "" && cfg.Destinations[tg.name].Kind == config.KindExcel {
		return v.openExcel(ctx, d, tg)
	}
	id, svc, what := cfg.Spreadsheet.ID, d.Sheets, "the main spreadsheet"
	if tg.name != "" {
		id, what = cfg.Destinations[tg.name].Spreadsheet.ID, "destination "+tg.name
		if d.SheetsFor != nil {
			var err error
			if svc, err = d.SheetsFor(ctx, tg.name); err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	if svc == nil {
		return nil, fmt.Errorf("%s: no Sheets client", what)
	}
	var tables []model.Table
	for _, t := range cfg.Tables {
		if h := tg.tables[t.Tab]; h != nil {
			tables = append(tables, h.table)
		}
	}
	log := d.Logger
	if log != nil && tg.name != "" {
		log = log.With("destination", tg.name)
	}
	s, err := gsheets.New(svc, id, tables, gsheets.Options{
		Logger:                 log,
		WriteRequestsPerMinute: cfg.Sheet.WriteRequestsPerMinute,
		ReadRequestsPerMinute:  cfg.Sheet.ReadRequestsPerMinute,
		BatchWindow:            time.Duration(cfg.Sheet.BatchWindow),
		MaxRowsPerFlush:        cfg.Sheet.MaxRowsPerFlush,
		RequestTimeout:         time.Duration(cfg.Sheet.RequestTimeout),
		MarksTTL:               time.Duration(cfg.Sheet.RememberFiltered),
		Project:                v.project,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return s, nil
}

// projectOf paces every spreadsheet of a configuration together: at the
// project rates of its sheet block, by default 280 a minute, or the
// per-account rate when that is more (a per-user quota raised past the
// project's default means the project's was raised too).
func projectOf(sh config.Sheet) *gsheets.Project {
	writes, reads := sh.ProjectWriteRequestsPerMinute, sh.ProjectReadRequestsPerMinute
	if writes == 0 {
		writes = max(gsheets.DefaultProjectRequestsPerMinute, sh.WriteRequestsPerMinute)
	}
	if reads == 0 {
		reads = max(gsheets.DefaultProjectRequestsPerMinute, sh.ReadRequestsPerMinute)
	}
	return gsheets.NewProject(writes, reads)
}

// project is what a destination that keeps the given headers holds of a
// table.
func project(t model.Table, keep []string, where *pipeline.Where) *held {
	h := &held{where: where, table: model.Table{Tab: t.Tab, Key: t.Key}}
	for i, name := range t.Headers {
		if slices.Contains(keep, name) {
			h.cols = append(h.cols, i)
			h.table.Headers = append(h.table.Headers, name)
		}
	}
	if len(h.cols) == len(t.Headers) {
		h.cols = nil
	}
	for _, p := range t.Personal {
		if slices.Contains(keep, p) {
			h.table.Personal = append(h.table.Personal, p)
		}
	}
	for _, m := range t.Match {
		if slices.Contains(keep, m) {
			h.table.Match = append(h.table.Match, m)
		}
	}
	return h
}

// row is the row a destination gets of an event: its cells, and, when
// its where does not choose the event, a row that leaves it. Whether it
// may change a row the destination holds (Update) is the table's update
// policy's, as in the main spreadsheet: with updates: filter, a row that
// stopped matching both the filter and the where stays as the main
// spreadsheet keeps it.
func (h *held) row(in *pipeline.Input, r model.Row) (model.Row, error) {
	if h.cols != nil {
		cells := make([]model.Cell, len(h.cols))
		for i, c := range h.cols {
			cells[i] = r.Cells[c]
		}
		r.Cells = cells
	}
	holds, err := h.where.Holds(in)
	if err != nil {
		return model.Row{}, err
	}
	if !holds {
		r.Insert, r.Leave = false, true
	}
	return r, nil
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

// Stats counts what the destinations did, all together; zero for a dry
// run.
func (v *View) Stats() model.Stats {
	var st model.Stats
	for _, tg := range v.targets {
		st.Add(tg.dest.Stats())
	}
	return st
}

// StatsOf counts what one destination did ("" the main spreadsheet).
func (v *View) StatsOf(name string) model.Stats {
	for _, tg := range v.targets {
		if tg.name == name {
			return tg.dest.Stats()
		}
	}
	return model.Stats{}
}

// Row is what one table made of an event.
type Row struct {
	Table string
	pipeline.Result
}

// Outcome is what one table did with an event.
type Outcome struct {
	Table string
	// Result is the main spreadsheet's, and Destinations the other
	// destinations' that hold the table, by name.
	Result       model.Result
	Destinations map[string]model.Result
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
	// Destination names the destination that failed, "" for the main
	// spreadsheet (or a rejection, which is every destination's).
	Destination string
	// Rejected says the table's pipeline refused the event (no value for
	// the key column, a filter that could not be evaluated): the event's
	// fault, which no retry mends. Otherwise a destination failed; the
	// error wraps model.ErrUnavailable when a retry later may succeed.
	Rejected bool
	Err      error
}

func (e *Error) Error() string {
	if e.Destination != "" {
		return fmt.Sprintf("table %q, destination %q: %v", e.Table, e.Destination, e.Err)
	}
	return fmt.Sprintf("table %q: %v", e.Table, e.Err)
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Run builds the row of every table that takes the event from the source,
// in the order of the configuration, and writes nothing. It is pure, and
// safe for concurrent use.
func (v *View) Run(source string, ev *platform.Event) ([]Row, error) {
	var rows []Row
	err := v.each(source, ev, func(_ *pipeline.Input, tab string, out pipeline.Result) error {
		rows = append(rows, Row{Table: tab, Result: out})
		return nil
	})
	return rows, err
}

// Write runs the event through every table that takes it and upserts each
// row, table after table, as a live delivery does, in every destination
// that holds the table at once. It stops at the first table that fails,
// an *Error, and returns what the tables before it did. Each upsert
// returns once its row is durably written; a row is written in every
// destination, or the delivery is answered with an error the platform
// retries, which finds what already landed.
func (v *View) Write(ctx context.Context, source string, ev *platform.Event) ([]Outcome, error) {
	if len(v.targets) == 0 {
		return nil, errNoDestination
	}
	var outs []Outcome
	err := v.each(source, ev, func(in *pipeline.Input, tab string, out pipeline.Result) error {
		o := Outcome{Table: tab, Masked: out.Masked, Cut: out.Cut}
		res, err := v.upsert(ctx, in, tab, out.Row)
		for i, tg := range v.targets {
			switch {
			case tg.tables[tab] == nil:
			case tg.name == "":
				o.Result = res[i]
			default:
				if o.Destinations == nil {
					o.Destinations = map[string]model.Result{}
				}
				o.Destinations[tg.name] = res[i]
			}
		}
		if err != nil {
			return err
		}
		outs = append(outs, o)
		return nil
	})
	return outs, err
}

// upsert writes a table's row in every destination that holds the table,
// at once, and returns each one's result by target.
func (v *View) upsert(ctx context.Context, in *pipeline.Input, tab string, r model.Row) ([]model.Result, error) {
	res := make([]model.Result, len(v.targets))
	errs := make([]error, len(v.targets))
	var wg sync.WaitGroup
	for i, tg := range v.targets {
		h := tg.tables[tab]
		if h == nil {
			continue
		}
		row, err := h.row(in, r)
		if err != nil {
			return nil, &Error{Table: tab, Rejected: true, Err: err}
		}
		wg.Go(func() {
			if known, ok := tg.landed.answer(tab, row); ok {
				res[i] = known
				return
			}
			res[i], errs[i] = tg.dest.Upsert(ctx, tab, row)
			if errs[i] != nil {
				errs[i] = &Error{Table: tab, Destination: tg.name, Err: errs[i]}
				return
			}
			tg.landed.record(tab, row, res[i])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// each runs the pipeline of every table that takes the event and hands
// each result to fn before the next table runs. An unknown source runs in
// UTC.
func (v *View) each(source string, ev *platform.Event, fn func(in *pipeline.Input, tab string, out pipeline.Result) error) error {
	in := pipeline.NewInput(ev, source, v.zones[source])
	for _, t := range v.cfg.TablesFor(source, string(ev.Kind)) {
		out, err := v.pipelines[t.Tab].Run(in)
		if err != nil {
			return &Error{Table: t.Tab, Rejected: true, Err: err}
		}
		if err := fn(in, t.Tab, out); err != nil {
			return err
		}
	}
	return nil
}

// errNoDestination is the error of a View built without a destination
// when asked to write.
var errNoDestination = errors.New("view: built without a destination (a dry run)")

// Done is what a data subject's or a shop's request found, and did.
type Done struct {
	// Report is the main spreadsheet's: every other destination holds
	// copies of some of its rows, in some of its columns, and no more.
	model.Report
	// Destinations are the other destinations' reports, by name: an
	// erasure reaches every one of them.
	Destinations map[string]model.Report
	// Unmatched lists the tables where a shop's removal left the rows
	// written before rows named their source: other sources feed them
	// too, so those rows cannot be tied to the shop.
	Unmatched []string
}

// Erase serves an erasure: it clears the personal cells of a customer's
// rows (r.Scope customer), or removes every row of a shop (r.Scope shop),
// in every destination, each in one turn of its writes. With dryRun it
// only counts the rows it would change. A replayed request changes
// nothing.
func (v *View) Erase(ctx context.Context, r erasure.Request, dryRun bool) (Done, error) {
	a := model.Clear
	switch {
	case dryRun:
		a = model.Count
	case r.Scope == platform.EraseShop:
		a = model.Delete
	}
	return v.apply(ctx, r, a, true)
}

// Access serves an access request: it counts the customer's rows, or,
// with read, returns them whole as the main spreadsheet shows them. The
// other destinations hold copies of some of those rows, and no more.
func (v *View) Access(ctx context.Context, r erasure.Request, read bool) (Done, error) {
	a := model.Count
	if read {
		a = model.Read
	}
	return v.apply(ctx, r, a, false)
}

// apply finds the rows a request concerns (package erasure) and has the
// main spreadsheet, and with every the other destinations, do a with
// them.
func (v *View) apply(ctx context.Context, r erasure.Request, a model.Action, every bool) (Done, error) {
	plan, err := erasure.Resolve(v.cfg, v.keys, r)
	if err != nil {
		return Done{}, err
	}
	if len(v.targets) == 0 {
		return Done{}, errNoDestination
	}
	done := Done{Unmatched: plan.Unmatched}
	var found map[string][]string
	if every && a != model.Clear {
		// A destination may not keep the column a selection names (the
		// store column of a shop's removal): the main spreadsheet, which
		// keeps every column, tells the keys of the rows it picks.
		if found, err = v.keysOf(ctx, plan.Select); err != nil {
			return Done{}, err
		}
	}
	for _, tg := range v.targets {
		if tg.name != "" && !every {
			break
		}
		sel := tg.selections(plan.Select, found)
		if len(sel) == 0 && tg.name != "" {
			continue
		}
		rep, err := tg.dest.Apply(ctx, a, sel)
		if a == model.Clear || a == model.Delete {
			tg.landed.forget()
		}
		if err != nil {
			if tg.name != "" {
				err = fmt.Errorf("destination %q: %w", tg.name, err)
			}
			return Done{}, err
		}
		if tg.name == "" {
			done.Report = rep
			continue
		}
		if done.Destinations == nil {
			done.Destinations = map[string]model.Report{}
		}
		done.Destinations[tg.name] = rep
	}
	return done, nil
}

// keysOf reads in the main spreadsheet the keys of the rows that the
// selections pick by cells some destination does not keep, by tab. A
// customer's erasure needs none: a destination without the customer's
// cells holds nothing of theirs to clear.
func (v *View) keysOf(ctx context.Context, sel []model.Select) (map[string][]string, error) {
	var need []model.Select
	for _, sl := range sel {
		for _, tg := range v.targets[1:] {
			if h := tg.tables[sl.Tab]; h != nil && len(sl.Any) > 0 && slices.ContainsFunc(sl.Any, func(c model.Cells) bool { return !slices.Contains(h.table.Headers, c.Header) }) {
				need = append(need, sl)
				break
			}
		}
	}
	if len(need) == 0 || v.targets[0].name != "" {
		return nil, nil
	}
	rep, err := v.targets[0].dest.Apply(ctx, model.Read, need)
	if err != nil {
		return nil, err
	}
	found := map[string][]string{}
	for _, t := range rep.Tabs {
		key := slices.Index(t.Header, v.pipelines[t.Tab].SinkTable().Key)
		if key < 0 {
			continue
		}
		for _, r := range t.Rows {
			if key < len(r) && r[key] != "" {
				found[t.Tab] = append(found[t.Tab], r[key])
			}
		}
	}
	return found, nil
}

// selections narrows a request's selections to what a destination holds:
// its tables, and its columns (a cell it does not keep cannot pick a row
// there; the row's key and source still can, and found gives, by tab, the
// keys of the rows the main spreadsheet picked by such cells).
func (tg *target) selections(sel []model.Select, found map[string][]string) []model.Select {
	var out []model.Select
	for _, sl := range sel {
		h := tg.tables[sl.Tab]
		if h == nil {
			continue
		}
		if sl.Where != nil && !slices.Contains(h.table.Headers, sl.Where.Header) {
			// Where tells apart the rows of sources written before rows
			// named their source; a destination's rows always name theirs.
			sl.Where = nil
		}
		kept := slices.DeleteFunc(slices.Clone(sl.Any), func(c model.Cells) bool { return !slices.Contains(h.table.Headers, c.Header) })
		if len(kept) < len(sl.Any) && len(found[sl.Tab]) > 0 {
			sl.Keys = append(slices.Clone(sl.Keys), found[sl.Tab]...)
		}
		sl.Any = kept
		if !sl.All && len(sl.Keys) == 0 && len(sl.Any) == 0 {
			continue
		}
		out = append(out, sl)
	}
	return out
}
