package excel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Prepared is what Prepare found, or did, for one named table.
type Prepared struct {
	Table string // the configuration's table (tab)
	Name  string // the named table
	// Sheet is the worksheet holding it.
	Sheet string
	// Created: the named table was missing and Prepare made it.
	Created bool
	// Header is the table's header row once prepared: the team's
	// columns, the owned ones, the hidden version column.
	Header []string
}

// Workbook returns the drive and item ids of the workbook, once resolved
// (by Prepare, or the first write).
func (s *Sink) Workbook() Workbook { return s.wb }

// Prepare makes the workbook ready before the first order, as
// scripts/bootstrap-sheet does: each missing named table is created, on a
// new worksheet of the table's name, headed by its owned columns; then
// every table gets what the first write would give it (the columns it
// lacks, at its end, the hidden version column, the hidden marks table).
// An existing table is otherwise left as the team made it. The sink must
// be idle.
func (s *Sink) Prepare(ctx context.Context) ([]Prepared, error) {
	if s.base == "" {
		if err := s.resolve(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	list, err := s.listTables(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Prepared, len(s.order))
	for i, t := range s.order {
		out[i] = Prepared{Table: t.Tab, Name: t.Name}
		if slices.ContainsFunc(list, func(l listedTable) bool { return l.Name == t.Name }) {
			continue
		}
		if err := s.createTable(ctx, t); err != nil {
			return nil, err
		}
		out[i].Created = true
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	for i, t := range s.order {
		out[i].Sheet, out[i].Header = t.sheet, t.header
	}
	return out, nil
}

// listedTable is a table of the workbook's table list.
type listedTable struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Worksheet struct {
		Name string `json:"name"`
	} `json:"worksheet"`
}

// listTables lists the workbook's tables, with their worksheets.
func (s *Sink) listTables(ctx context.Context) ([]listedTable, error) {
	r, err := s.g.do(ctx, s.session, call{method: http.MethodGet, url: s.base + "/tables?$expand=worksheet($select=name)"})
	if err != nil {
		return nil, err
	}
	if !r.ok() {
		return nil, r.err("list tables")
	}
	var in struct {
		Value []listedTable `json:"value"`
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errors.New("excel: unreadable table list")
	}
	return in.Value, nil
}

// createTable adds a worksheet named after a missing named table, writes
// the owned headers in its first row as text, converts that row to a
// table (Insert → Table) and names it. A worksheet of that name already
// there is the team's: Prepare does not write into it.
func (s *Sink) createTable(ctx context.Context, t *tab) error {
	sheet := s.base + "/worksheets/" + url.PathEscape(t.Name)
	header := make([]string, len(t.Headers))
	for i, h := range t.Headers {
		header[i] = "'" + h // typed input: a header is text, whatever it reads like
	}
	address := "A1:" + colName(len(header)-1) + "1"
	rs, err := s.batch(ctx, []call{
		{method: http.MethodPost, url: s.base + "/worksheets/add", body: map[string]any{"name": t.Name}, after: true},
		{method: http.MethodPatch, url: sheet + "/range(address='" + address + "')", body: map[string]any{"values": [][]string{header}}, after: true},
		{method: http.MethodPost, url: sheet + "/tables/add", body: map[string]any{"address": address, "hasHeaders": true}, after: true},
	})
	if err != nil {
		return err
	}
	if !rs[0].ok() {
		return fmt.Errorf("excel: no table named %q, and a worksheet %q could not be added for it (is there one already? convert its range to a table of that name: Insert → Table): %w", t.Name, t.Name, rs[0].err("add a worksheet"))
	}
	for i, what := range []string{"", "write the header", "convert the header to a table"} {
		if i > 0 && !rs[i].ok() {
			return rs[i].err(what)
		}
	}
	var added listedTable
	if err := json.Unmarshal(rs[2].body, &added); err != nil || added.ID == "" {
		return errors.New("excel: unreadable new table")
	}
	return s.write(ctx, []call{{method: http.MethodPatch, url: s.base + "/tables/" + url.PathEscape(added.ID), body: map[string]any{"name": t.Name}}})
}
