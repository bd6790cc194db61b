package gsheetstest

import (
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// Documented limits of Google Sheets.
const (
	maxCellsPerSpreadsheet = 10_000_000
	maxCharsPerCell        = 50_000
	defaultRowCount        = 1000
	defaultColumnCount     = 26
)

type valueKind uint8

const (
	kindEmpty valueKind = iota
	kindNumber
	kindString
	kindBool
	kindFormula
)

// value is what a user entered in a cell.
type value struct {
	kind valueKind
	num  float64
	str  string // the string, or the formula text including its leading '='
	b    bool
}

// cell is one cell of a grid. format is shared between versions of the grid
// and is never modified once stored: a change stores a new *sheets.CellFormat.
type cell struct {
	v      value
	format *sheets.CellFormat
	note   string
	// pivot is the pivot table anchored at the cell, stored as written
	// and never computed. Immutable once stored, as format is.
	pivot *sheets.PivotTable
}

func (c cell) zero() bool {
	return c.v.kind == kindEmpty && c.format == nil && c.note == "" && c.pivot == nil
}

// devMeta is developer metadata; its location is where it is stored. It is
// immutable: an update stores a new *devMeta.
type devMeta struct {
	id         int64
	key, value string
	visibility string
}

// dim holds the properties of one row or column. meta is never appended to in
// place, because older versions of the grid may share it.
type dim struct {
	hidden    bool
	pixelSize int64
	meta      []*devMeta
}

// row is one row of a grid: its properties and its cells, of which trailing
// zero cells may be missing.
type row struct {
	gen   uint64
	dim   dim
	cells []cell
}

// sheet is one tab. rows has one entry per row of the grid (nil for an
// untouched row) and cols one entry per column.
type sheet struct {
	gen       uint64
	props     sheets.SheetProperties // without index, sheetType and row and column counts
	rows      []*row
	cols      []dim
	meta      []*devMeta
	protected []*sheets.ProtectedRange
	filter    *sheets.BasicFilter
}

func (sh *sheet) id() int64     { return sh.props.SheetId }
func (sh *sheet) title() string { return sh.props.Title }
func (sh *sheet) rowCount() int { return len(sh.rows) }
func (sh *sheet) colCount() int { return len(sh.cols) }
func (sh *sheet) grid() rect    { return rect{0, len(sh.rows), 0, len(sh.cols)} }

// spreadsheet is one document. Versions of it share unchanged sheets and rows:
// a write works on a copy made by begin and replaces the whole document only
// when every change succeeded, so a failing batch leaves nothing behind.
type spreadsheet struct {
	gen    uint64
	id     string
	props  sheets.SpreadsheetProperties
	sheets []*sheet
	meta   []*devMeta
}

func (ss *spreadsheet) sheetByID(id int64) (int, *sheet) {
	for i, sh := range ss.sheets {
		if sh.id() == id {
			return i, sh
		}
	}
	return -1, nil
}

// sheetByTitle finds a sheet the way Google resolves names in ranges: an exact
// match first, then a case-insensitive one.
func (ss *spreadsheet) sheetByTitle(title string) (int, *sheet) {
	for i, sh := range ss.sheets {
		if sh.title() == title {
			return i, sh
		}
	}
	for i, sh := range ss.sheets {
		if strings.EqualFold(sh.title(), title) {
			return i, sh
		}
	}
	return -1, nil
}

func (ss *spreadsheet) cellCount() int {
	n := 0
	for _, sh := range ss.sheets {
		n += sh.rowCount() * sh.colCount()
	}
	return n
}

// tx is one atomic write to a spreadsheet.
type tx struct {
	gen     uint64
	ss      *spreadsheet
	srv     *Server
	metaIDs map[int64]bool // every metadata id in use, built on first need
}

func (s *Server) begin(orig *spreadsheet) *tx {
	s.gen++
	ss := *orig
	ss.gen = s.gen
	ss.sheets = slices.Clone(orig.sheets)
	return &tx{gen: s.gen, ss: &ss, srv: s}
}

// sheet returns the i-th sheet, copied for this write if it is still shared.
func (t *tx) sheet(i int) *sheet {
	sh := t.ss.sheets[i]
	if sh.gen == t.gen {
		return sh
	}
	c := *sh
	c.gen = t.gen
	c.rows = slices.Clone(sh.rows)
	c.cols = slices.Clone(sh.cols)
	t.ss.sheets[i] = &c
	return &c
}

// sheetByID returns a writable sheet by id.
func (t *tx) sheetByID(id int64) (*sheet, bool) {
	i, sh := t.ss.sheetByID(id)
	if sh == nil {
		return nil, false
	}
	return t.sheet(i), true
}

// mutRow returns row r ready to be changed. sh must already belong to the write.
func (sh *sheet) mutRow(r int) *row {
	rw := sh.rows[r]
	switch {
	case rw == nil:
		rw = &row{gen: sh.gen}
		sh.rows[r] = rw
	case rw.gen != sh.gen:
		c := *rw
		c.gen = sh.gen
		c.cells = slices.Clone(rw.cells)
		rw = &c
		sh.rows[r] = rw
	}
	return rw
}

func (sh *sheet) cell(r, c int) cell {
	rw := sh.rows[r]
	if rw == nil || c >= len(rw.cells) {
		return cell{}
	}
	return rw.cells[c]
}

func (sh *sheet) setCell(r, c int, v cell) {
	if v.zero() && sh.cell(r, c).zero() {
		return
	}
	rw := sh.mutRow(r)
	if c >= len(rw.cells) {
		rw.cells = append(rw.cells, make([]cell, c+1-len(rw.cells))...)
	}
	rw.cells[c] = v
	if v.zero() {
		rw.cells = trimCells(rw.cells)
	}
}

func trimCells(cs []cell) []cell {
	n := len(cs)
	for n > 0 && cs[n-1].zero() {
		n--
	}
	return cs[:n]
}

func (sh *sheet) rowDim(r int) dim {
	if rw := sh.rows[r]; rw != nil {
		return rw.dim
	}
	return dim{}
}

// lastValueRow returns the index of the last row holding a value in columns
// [c0, c1), or -1.
func (sh *sheet) lastValueRow(c0, c1 int) int {
	for r := len(sh.rows) - 1; r >= 0; r-- {
		if sh.rowHasValue(r, c0, c1) {
			return r
		}
	}
	return -1
}

func (sh *sheet) rowHasValue(r, c0, c1 int) bool {
	rw := sh.rows[r]
	if rw == nil {
		return false
	}
	for c := c0; c < min(c1, len(rw.cells)); c++ {
		if rw.cells[c].v.kind != kindEmpty {
			return true
		}
	}
	return false
}

// insertRows inserts n empty rows before row at. Each new row copies the
// properties and cell formats of row from, when from is a valid row, the way
// Google's inheritFromBefore does; it never copies values or metadata.
func (sh *sheet) insertRows(at, n, from int) {
	var tmpl *row
	if from >= 0 && from < len(sh.rows) && sh.rows[from] != nil {
		src := sh.rows[from]
		tmpl = &row{dim: dim{pixelSize: src.dim.pixelSize}}
		for _, c := range src.cells {
			tmpl.cells = append(tmpl.cells, cell{format: c.format})
		}
		tmpl.cells = trimCells(tmpl.cells)
	}
	fresh := make([]*row, n)
	for i := range fresh {
		if tmpl != nil && (tmpl.dim.pixelSize != 0 || len(tmpl.cells) > 0) {
			fresh[i] = &row{gen: sh.gen, dim: tmpl.dim, cells: slices.Clone(tmpl.cells)}
		}
	}
	sh.rows = slices.Insert(sh.rows, at, fresh...)
	sh.shiftRanges(true, at, n)
}

// deleteRows removes rows [start, end) with their metadata.
func (sh *sheet) deleteRows(start, end int) {
	sh.rows = slices.Delete(sh.rows, start, end)
	sh.shiftRanges(true, start, -(end - start))
}

// insertCols inserts n empty columns before column at, inheriting properties
// and formats from column from, as insertRows does for rows.
func (sh *sheet) insertCols(at, n, from int) {
	var d dim
	if from >= 0 && from < len(sh.cols) {
		d = dim{pixelSize: sh.cols[from].pixelSize}
	}
	fresh := make([]dim, n)
	for i := range fresh {
		fresh[i] = d
	}
	sh.cols = slices.Insert(sh.cols, at, fresh...)
	for r, rw := range sh.rows {
		if rw == nil {
			continue
		}
		var f *sheets.CellFormat
		if from >= 0 && from < len(rw.cells) {
			f = rw.cells[from].format
		}
		if at >= len(rw.cells) && f == nil {
			continue
		}
		rw = sh.mutRow(r)
		if at > len(rw.cells) {
			rw.cells = append(rw.cells, make([]cell, at-len(rw.cells))...)
		}
		add := make([]cell, n)
		for i := range add {
			add[i].format = f
		}
		rw.cells = trimCells(slices.Insert(rw.cells, at, add...))
	}
	sh.shiftRanges(false, at, n)
}

// deleteCols removes columns [start, end) with their metadata.
func (sh *sheet) deleteCols(start, end int) {
	sh.cols = slices.Delete(sh.cols, start, end)
	for r, rw := range sh.rows {
		if rw == nil || start >= len(rw.cells) {
			continue
		}
		rw = sh.mutRow(r)
		rw.cells = trimCells(slices.Delete(rw.cells, start, min(end, len(rw.cells))))
	}
	sh.shiftRanges(false, start, -(end - start))
}

// moveRows moves rows [start, end) so that they land before row dest, counted
// before the move, as moveDimension specifies. Rows carry their metadata.
func (sh *sheet) moveRows(start, end, dest int) {
	sh.rows = moveBlock(sh.rows, start, end, dest)
}

// moveCols moves columns as moveRows moves rows.
func (sh *sheet) moveCols(start, end, dest int) {
	sh.cols = moveBlock(sh.cols, start, end, dest)
	width := len(sh.cols)
	for r, rw := range sh.rows {
		if rw == nil || len(rw.cells) <= min(start, dest) {
			continue
		}
		rw = sh.mutRow(r)
		full := make([]cell, width)
		copy(full, rw.cells)
		rw.cells = trimCells(moveBlock(full, start, end, dest))
	}
}

func moveBlock[T any](s []T, start, end, dest int) []T {
	if dest >= start && dest <= end {
		return s
	}
	block := slices.Clone(s[start:end])
	rest := slices.Delete(slices.Clone(s), start, end)
	if dest > end {
		dest -= end - start
	}
	return slices.Insert(rest, dest, block...)
}

// resize grows or shrinks the grid to rows×cols.
func (sh *sheet) resize(rows, cols int) {
	if rows < len(sh.rows) {
		sh.deleteRows(rows, len(sh.rows))
	} else if rows > len(sh.rows) {
		sh.rows = append(sh.rows, make([]*row, rows-len(sh.rows))...)
	}
	if cols < len(sh.cols) {
		sh.deleteCols(cols, len(sh.cols))
	} else if cols > len(sh.cols) {
		sh.cols = append(sh.cols, make([]dim, cols-len(sh.cols))...)
	}
}

// shiftRanges keeps protected ranges and the basic filter on the same cells
// when rows (or columns) are inserted (n > 0) or deleted (n < 0) at index at.
func (sh *sheet) shiftRanges(rows bool, at, n int) {
	adjust := func(g *sheets.GridRange) *sheets.GridRange {
		if g == nil {
			return nil
		}
		c := *g
		start, end := &c.StartColumnIndex, &c.EndColumnIndex
		if rows {
			start, end = &c.StartRowIndex, &c.EndRowIndex
		}
		*start = shiftIndex(*start, at, n, false)
		if *end != 0 {
			*end = shiftIndex(*end, at, n, true)
		}
		return &c
	}
	prot := make([]*sheets.ProtectedRange, len(sh.protected))
	for i, p := range sh.protected {
		c := *p
		c.Range = adjust(p.Range)
		prot[i] = &c
	}
	sh.protected = prot
	if sh.filter != nil {
		f := *sh.filter
		f.Range = adjust(sh.filter.Range)
		sh.filter = &f
	}
}

func shiftIndex(i int64, at, n int, end bool) int64 {
	a := int64(at)
	if n >= 0 {
		if i > a || (i == a && !end) {
			return i + int64(n)
		}
		return i
	}
	d := int64(-n)
	switch {
	case i >= a+d:
		return i - d
	case i > a:
		return a
	}
	return i
}
