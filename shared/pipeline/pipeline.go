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
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/sheets"
)

// Pipeline is one compiled table.
type Pipeline struct {
	Table   *config.Table
	Headers []string // the owned headers, in column order
	key     int
	columns []column
	filter  *filter
	keys    *privacy.Keys
}

// column produces one cell.
type column struct {
	header string
	get    func(in *Input) (any, bool)
	// format renders a value; what it masks on the way (the item names of
	// a summary) it counts in c.
	format func(v any, in *Input, c *privacy.Counts) sheets.Cell
}

// ErrNoKey means the event lacks the value of the table's key column.
var ErrNoKey = errors.New("event has no value for the key column")

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
	p := &Pipeline{Table: t, keys: keys}
	var errs []error
	for j, c := range t.Columns {
		col, err := compileColumn(cfg, c, fmt.Sprintf("%s.columns[%d]", path, j), keys)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.Header == t.Key {
			p.key = len(p.columns)
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
// in the order of the row's cells, its key, and the columns an erasure
// clears (config.Column.IsPersonal).
func (p *Pipeline) SinkTable() sheets.Table {
	return sheets.Table{Tab: p.Table.Tab, Headers: p.Headers, Key: p.Table.Key, Personal: p.Table.PersonalHeaders()}
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
	Row sheets.Row
	// Passed says the filter let the event in.
	Passed bool
	// Masked counts what the guard masked in the row's text cells, by
	// kind: the only trace of it that may be logged.
	Masked privacy.Counts
	// Cut counts the text cells cut to fit sheets.MaxCellChars.
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
	row := sheets.Row{
		Version: in.Event.Version,
		Cells:   make([]sheets.Cell, len(p.columns)),
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
		if cell.Text != "" {
			var n privacy.Counts
			var cut bool
			cell.Text, n, cut = privacy.GuardFit(cell.Text, sheets.MaxCellChars)
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
	return Result{Row: row, Passed: passed, Masked: masked, Cut: cuts}, nil
}
