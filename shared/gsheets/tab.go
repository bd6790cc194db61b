package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// tab is what the sink knows of one configured tab. Only the flusher
// touches it.
type tab struct {
	model.Table
	headers  []string // Headers and VersionHeader
	key      int      // index of Key in headers
	version  int      // index of VersionHeader in headers
	personal []int    // indexes of Personal in headers
	match    []int    // indexes of Match in headers

	loaded   bool // the index below matches the sheet as last verified
	indexed  bool // the key column was read at least once
	sheetID  int64
	title    string // the tab's current title: the team may rename it
	tagged   bool   // the tab carries the sink's developer metadata
	rowCount int64
	colCount int64
	cols     []int            // sheet column of each of headers
	index    map[string]entry // by identity (ID)
	lastRow  int              // last row holding a key; 0 when only the header
	unsure   *unsure          // rows a write may have inserted, its answer lost
	// mergeToken is the id of the tab's MergeTokenKey metadata when it
	// was last listed, 0 when it had none.
	mergeToken int64
	// fresh says the index was just read, versions included: the next
	// flush need not verify it.
	fresh bool
}

// entry is where a key's row is.
type entry struct {
	row int
	// version and erased are as read by the last load; meaningful while
	// the tab is fresh.
	version int64
	erased  bool
}

func newTab(t model.Table, key int) *tab {
	headers := append(append([]string(nil), t.Headers...), VersionHeader)
	tb := &tab{Table: t, headers: headers, key: key, version: len(headers) - 1}
	for _, h := range t.Personal {
		tb.personal = append(tb.personal, slices.Index(headers, h))
	}
	for _, h := range t.Match {
		tb.match = append(tb.match, slices.Index(headers, h))
	}
	return tb
}

// idIn returns the identity of a row as read, its cells at the given
// sheet columns (indexed like headers): its source and key, "" when it
// holds no key.
func (t *tab) idIn(row []any, cols []int) string {
	if cols[t.key] < 0 {
		return ""
	}
	k := cellString(row, cols[t.key])
	if k == "" {
		return ""
	}
	src := ""
	if c := cols[t.version]; c >= 0 {
		src = sourceOf(row, c)
	}
	return model.ID(src, k)
}

// idAt is idIn at the columns of the index.
func (t *tab) idAt(row []any) string { return t.idIn(row, t.cols) }

// headerMatches reports whether every owned header is still where the
// index expects it.
func (t *tab) headerMatches(header []any) bool {
	for i, col := range t.cols {
		if cellString(header, col) != t.headers[i] {
			return false
		}
	}
	return true
}

// a1 returns the A1 range of a whole row, with the tab's current title.
func (t *tab) a1Row(row int) string { return RowRange(t.title, row) }

// rowGrid is the grid range of a whole row.
func (t *tab) rowGrid(row int) *sheets.GridRange {
	return &sheets.GridRange{SheetId: t.sheetID, StartRowIndex: int64(row), EndRowIndex: int64(row) + 1,
		ForceSendFields: []string{"SheetId", "StartRowIndex"}}
}

// colGrid is the grid range of a whole column.
func (t *tab) colGrid(col int) *sheets.GridRange {
	return &sheets.GridRange{SheetId: t.sheetID, StartColumnIndex: int64(col), EndColumnIndex: int64(col) + 1,
		ForceSendFields: []string{"SheetId", "StartColumnIndex"}}
}

// runs groups sheet columns into runs of adjacent columns, so that one
// updateCells writes each run; skip leaves one owned column out (the key,
// which an update never rewrites). Each run lists the indexes into headers.
func (t *tab) runs(skip int) [][]int {
	order := make([]int, 0, len(t.cols))
	for i := range t.cols {
		if i != skip {
			order = append(order, i)
		}
	}
	return t.runsOf(order)
}

// runsOf groups the given owned columns (indexes into headers) into runs
// of columns adjacent in the sheet.
func (t *tab) runsOf(idx []int) [][]int {
	order := slices.Clone(idx)
	slices.SortFunc(order, func(a, b int) int { return t.cols[a] - t.cols[b] })
	var out [][]int
	for _, i := range order {
		if n := len(out); n > 0 {
			last := out[n-1]
			if t.cols[last[len(last)-1]]+1 == t.cols[i] {
				out[n-1] = append(last, i)
				continue
			}
		}
		out = append(out, []int{i})
	}
	return out
}

// cellOf returns the cell of owned column i for row r: its cells, then
// its version, marked when the row is erased.
func (t *tab) cellOf(r model.Row, erased bool, i int) model.Cell {
	if i == t.version {
		return model.Cell{Text: versionText(r.Source, r.Version, erased)}
	}
	return r.Cells[i]
}

// erasedMark follows the version in the version cell of a row whose
// personal cells an erasure cleared. Later upserts of its key keep them
// empty: a delivery in flight when the erasure was written, or a platform
// that keeps sending the customer, must not bring them back.
const erasedMark = model.ErasedMark

// versionText is the version cell of a row: model.VersionCell.
func versionText(source string, v int64, erased bool) string {
	return model.VersionCell(source, v, erased)
}

// sourceSep ends the source in a version cell: source names hold none.
const sourceSep = model.SourceSep

// versionOf reads a stored version; an empty or foreign value is 0, so
// that any delivery may replace it.
func versionOf(row []any, col int) int64 {
	_, v, _ := model.ParseVersionCell(cellString(row, col))
	return v
}

// sourceOf reads the source of a stored row from its version cell, ""
// when it names none.
func sourceOf(row []any, col int) string {
	src, _, _ := model.ParseVersionCell(cellString(row, col))
	return src
}

// erasedOf reads whether a stored row was erased.
func erasedOf(row []any, col int) bool {
	return strings.HasSuffix(cellString(row, col), erasedMark)
}

// keepErased returns r as a row the sheet holds as erased may take: its
// personal cells empty (cellOf marks its version).
func (t *tab) keepErased(r model.Row) model.Row {
	r.Cells = slices.Clone(r.Cells)
	for _, i := range t.personal {
		r.Cells[i] = model.Cell{}
	}
	return r
}

// cellString renders an unformatted cell value as text: strings as they
// are, numbers without exponent.
func cellString(row []any, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	switch v := row[i].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	return fmt.Sprint(row[i])
}

// extString renders a value of grid data as cellString renders values.
func extString(v *sheets.ExtendedValue) string {
	switch {
	case v == nil:
		return ""
	case v.StringValue != nil:
		return *v.StringValue
	case v.NumberValue != nil:
		return strconv.FormatFloat(*v.NumberValue, 'f', -1, 64)
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue)
	case v.FormulaValue != nil:
		return *v.FormulaValue
	}
	return ""
}

// ParseVersion reads a version cell as the sink writes it: the row's
// source ("" for a row written before rows named their source), its
// version, and whether an erasure cleared it. A cell that is not one
// reads as version 0.
func ParseVersion(cell string) (source string, version int64, erased bool) {
	return model.ParseVersionCell(cell)
}
