// Package pipeline compiles a table of the configuration into the pure
// function that turns a canonical event into the row of that table:
// extract the declared fields, filter, project them through their
// operators, and guard every text.
//
// Only declared columns ever leave: the row is built column by column from
// the configuration, never from the payload, so a field nobody declared has
// no way into the sheet. The pipeline does no I/O and reads no clock.
package pipeline

import (
	"errors"
	"fmt"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// Pipeline is one compiled table.
type Pipeline struct {
	Table   *config.Table
	Headers []string // the owned headers, in column order
	key     int
	store   int // the column of the table's store field, -1 when none
	columns []column
	filter  *filter
	keys    *privacy.Keys
}

// column produces one cell.
type column struct {
	header string
	// key marks the key column, and pseudonym a pseudonym column: both
	// find rows (upserts, erasure requests), so the guard never rewrites
	// them. A key is checked instead (checkKey); a pseudonym is Safeview's
	// own HMAC, which holds nothing of the value it was made from.
	key, pseudonym bool
	get            func(in *Input) (any, bool)
	// format renders a value; what it masks on the way (the item names of
	// a summary) it counts in c.
	format func(v any, in *Input, c *privacy.Counts) model.Cell
}

// guarded reports whether the guard runs on the column's text.
func (c column) guarded() bool { return !c.key && !c.pseudonym }

// ErrNoKey means the event lacks the value of the table's key column.
var ErrNoKey = errors.New("event has no value for the key column")

// ErrBadKey means the value of the key column cannot identify a row: it
// holds personal data (a generic platform keyed by an email address),
// control or invisible characters, or more than a cell holds. The key is
// an identifier, found again at every update, so it is never masked,
// cleaned or cut: two keys masked alike would become one row.
var ErrBadKey = errors.New("the key column's value cannot identify a row")

// KeyError is ErrBadKey with the column and the reason, never the value.
type KeyError struct {
	Column string
	Reason string // "holds an email address", …
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("column %q: %v: it %s", e.Column, ErrBadKey, e.Reason)
}

// Unwrap returns ErrBadKey.
func (e *KeyError) Unwrap() error { return ErrBadKey }

// Compile compiles every table of a configuration. Errors name the path
// of each mistake in the file.
func Compile(cfg *config.Config, keys *privacy.Keys) (map[string]*Pipeline, error) {
	out := make(map[string]*Pipeline, len(cfg.Tables))
	var errs []error
	for i, t := range cfg.Tables {
		p, err := compileTable(cfg, t, fmt.Sprintf("tables[%d]", i), keys)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[t.Tab] = p
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func compileTable(cfg *config.Config, t *config.Table, path string, keys *privacy.Keys) (*Pipeline, error) {
	p := &Pipeline{Table: t, keys: keys, store: -1}
	var errs []error
	for j, c := range t.Columns {
		col, err := compileColumn(cfg, c, fmt.Sprintf("%s.columns[%d]", path, j), keys)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.Header == t.Key {
			p.key = len(p.columns)
			col.key = true
		}
		if c.Field == t.Kind+".store" && c.Op == "" && p.store < 0 {
			p.store = len(p.columns)
		}
		p.columns = append(p.columns, col)
		p.Headers = append(p.Headers, c.Header)
	}
	f, err := compileFilter(cfg, t, path+".filter")
	if err != nil {
		errs = append(errs, err)
	}
	p.filter = f
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// SinkTable describes the table to the sink: its tab, its owned headers
// in the order of the row's cells, its key, the columns an erasure clears
// (config.Column.IsPersonal), and the store column, which tells apart the
// orders of two sources that share a key in rows written before rows
// named their source.
func (p *Pipeline) SinkTable() model.Table {
	t := model.Table{Tab: p.Table.Tab, Headers: p.Headers, Key: p.Table.Key, Personal: p.Table.PersonalHeaders()}
	if p.store >= 0 {
		t.Match = []string{p.Headers[p.store]}
	}
	return t
}

// Input is one event on its way through the pipelines of every table.
type Input struct {
	Event  *platform.Event
	Source string         // the configured source's name
	Zone   *time.Location // the store's time zone
}

// NewInput prepares an event for the pipelines; zone nil means UTC.
func NewInput(ev *platform.Event, source string, zone *time.Location) *Input {
	if zone == nil {
		zone = time.UTC
	}
	return &Input{Event: ev, Source: source, Zone: zone}
}

// Result is what a pipeline made of an event.
type Result struct {
	Row model.Row
	// Passed says the filter let the event in.
	Passed bool
	// Masked counts what the guard masked in the row's text cells, by
	// kind: the only trace of it that may be logged.
	Masked privacy.Counts
	// Cut counts the text cells cut to fit model.MaxCellChars.
	Cut int
}

// Run builds the table's row for an event: filter, project the declared
// columns through their operators, and guard every text cell
// (privacy.Guard: personal data found in it is masked, formulas
// neutralized), whatever the configuration says. Run is safe for
// concurrent use.
func (p *Pipeline) Run(in *Input) (Result, error) {
	passed, err := p.filter.eval(in)
	if err != nil {
		return Result{}, err
	}
	row := model.Row{
		Source:  in.Source,
		Version: in.Event.Version,
		Cells:   make([]model.Cell, len(p.columns)),
		Insert:  passed,
		Update:  passed || p.Table.Updates == config.UpdatesAlways,
	}
	var masked privacy.Counts
	cuts := 0
	for i, c := range p.columns {
		v, ok := c.get(in)
		if !ok {
			continue
		}
		cell := c.format(v, in, &masked)
		if cell.Text != "" && c.guarded() {
			var n privacy.Counts
			var cut bool
			cell.Text, n, cut = privacy.GuardFit(cell.Text, model.MaxCellChars)
			masked.Add(n)
			if cut {
				cuts++
			}
		}
		row.Cells[i] = cell
	}
	k := row.Cells[p.key]
	row.Key = k.Text
	if row.Key == "" {
		row.Key = k.Number
	}
	if row.Key == "" {
		return Result{}, ErrNoKey
	}
	if err := checkKey(row.Key); err != "" {
		return Result{}, &KeyError{Column: p.Headers[p.key], Reason: err}
	}
	// Neutralized as every text is (a key "=1+1" stays text in a CSV
	// export): the same key always reads the same, so it still finds its
	// row.
	row.Cells[p.key].Text = privacy.Neutralize(row.Cells[p.key].Text)
	row.Key = row.Cells[p.key].Text + row.Cells[p.key].Number
	return Result{Row: row, Passed: passed, Masked: masked, Cut: cuts}, nil
}

// checkKey says why a key cannot identify a row, "" when it can.
func checkKey(k string) string {
	switch kind, ok := privacy.InIdentifier(k); {
	case ok:
		return "holds personal data (" + kind.String() + ")"
	case privacy.HasUnclean(k):
		return "holds control or invisible characters"
	case !model.FitsCell(k, model.MaxCellChars):
		return fmt.Sprintf("is longer than a cell holds (%d characters)", model.MaxCellChars)
	}
	return ""
}
