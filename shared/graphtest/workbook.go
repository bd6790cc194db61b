package graphtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// workbook is one Excel file of a drive: its worksheets and named tables.
type workbook struct {
	drive, item, name string
	sheets            []*worksheet
	tables            []*table
	sessions          map[string]*session
	lock              int // 0, or 409/423 while a person holds the file
	nextID            int
}

// worksheet is a grid of cells, sparse.
type worksheet struct {
	id, name string
	hidden   bool
	cells    map[pos]cell
	// hiddenCols are the columns hidden (range format columnHidden).
	hiddenCols map[int]bool
}

type pos struct{ r, c int } // 0-based

// table is a named table: a header row at (top, left) and rows data
// rows below it, cols columns wide.
type table struct {
	id, name        string
	sheet           *worksheet
	top, left, rows int
	cols            int
}

func (t *table) bottom() int { return t.top + t.rows } // last row, 0-based

// session is a workbook session.
type session struct {
	id      string
	persist bool
	last    int64 // unix nanoseconds of its last use
}

func (w *workbook) sheet(name string) *worksheet {
	for _, s := range w.sheets {
		if strings.EqualFold(s.name, name) || s.id == name {
			return s
		}
	}
	return nil
}

func (w *workbook) table(name string) *table {
	for _, t := range w.tables {
		if strings.EqualFold(t.name, name) || t.id == name {
			return t
		}
	}
	return nil
}

func (w *workbook) addSheet(name string) *worksheet {
	w.nextID++
	s := &worksheet{id: fmt.Sprintf("{%08d-0001-0000-0000-000000000000}", w.nextID), name: name, cells: map[pos]cell{}, hiddenCols: map[int]bool{}}
	w.sheets = append(w.sheets, s)
	return s
}

// addTable makes a table of the header's width at (top, left) of s.
func (w *workbook) addTable(s *worksheet, name string, top, left int, header []string) (*table, error) {
	if name == "" || w.table(name) != nil {
		return nil, fmt.Errorf("a table named %q exists already", name)
	}
	for _, t := range w.tables {
		if t.sheet == s && top <= t.bottom() && t.top <= top && left < t.left+t.cols && t.left < left+len(header) {
			return nil, fmt.Errorf("a table cannot overlap another table")
		}
	}
	w.nextID++
	t := &table{id: "{" + strconv.Itoa(w.nextID) + "}", name: name, sheet: s, top: top, left: left, cols: len(header)}
	for i, h := range header {
		s.cells[pos{top, left + i}] = cell{value: h}
	}
	w.tables = append(w.tables, t)
	return t, nil
}

// headers are the table's column names.
func (t *table) headers() []string {
	out := make([]string, t.cols)
	for i := range out {
		out[i] = t.sheet.cells[pos{t.top, t.left + i}].text()
	}
	return out
}

// insertRows inserts n blank rows into the table before data row at
// (0-based, rows for the end), shifting the cells below, in the table's
// columns, down. (A table below another one in the same columns is not
// modelled: Excel would move it; the emulator refuses to make one.)
func (t *table) insertRows(at, n int) {
	s := t.sheet
	first := t.top + 1 + at
	moved := map[pos]cell{}
	for p, c := range s.cells {
		if p.r >= first && p.c >= t.left && p.c < t.left+t.cols {
			moved[pos{p.r + n, p.c}] = c
			delete(s.cells, p)
		}
	}
	maps(s.cells, moved)
	t.rows += n
}

// deleteRow removes data row at (0-based), shifting the cells below up.
func (t *table) deleteRow(at int) {
	s := t.sheet
	row := t.top + 1 + at
	moved := map[pos]cell{}
	for p, c := range s.cells {
		if p.c < t.left || p.c >= t.left+t.cols || p.r < row {
			continue
		}
		delete(s.cells, p)
		if p.r > row {
			moved[pos{p.r - 1, p.c}] = c
		}
	}
	maps(s.cells, moved)
	t.rows--
}

func maps(dst, src map[pos]cell) {
	for p, c := range src {
		dst[p] = c
	}
}

// insertColumn inserts a column into the table at index (0-based; cols
// for the end) named name, shifting the cells to its right, in the
// table's rows, right.
func (t *table) insertColumn(index int, name string) {
	s := t.sheet
	col := t.left + index
	moved := map[pos]cell{}
	for p, c := range s.cells {
		if p.r >= t.top && p.r <= t.bottom() && p.c >= col {
			moved[pos{p.r, p.c + 1}] = c
			delete(s.cells, p)
		}
	}
	maps(s.cells, moved)
	s.cells[pos{t.top, col}] = cell{value: name}
	t.cols++
}

// row returns data row i's cells.
func (t *table) row(i int) []cell {
	out := make([]cell, t.cols)
	for c := range out {
		out[c] = t.sheet.cells[pos{t.top + 1 + i, t.left + c}]
	}
	return out
}

// sortBy sorts the data rows by column col, as a person does with the
// table's sort: whole rows move, cells and formats alike.
func (t *table) sortBy(col int, desc bool) {
	rows := make([][]cell, t.rows)
	for i := range rows {
		rows[i] = t.row(i)
	}
	slices.SortStableFunc(rows, func(a, b []cell) int {
		x, y := a[col].text(), b[col].text()
		fx, ex := a[col].value.(float64)
		fy, ey := b[col].value.(float64)
		r := strings.Compare(x, y)
		if ex && ey {
			r = 0
			if fx < fy {
				r = -1
			} else if fx > fy {
				r = 1
			}
		}
		if desc {
			r = -r
		}
		return r
	})
	for i, r := range rows {
		for c, v := range r {
			p := pos{t.top + 1 + i, t.left + c}
			if v.empty() && v.format == "" {
				delete(t.sheet.cells, p)
			} else {
				t.sheet.cells[p] = v
			}
		}
	}
}

// moveColumn moves the table's column from to index to, as a person
// dragging it.
func (t *table) moveColumn(from, to int) {
	cols := make([][]cell, t.cols)
	for c := range cols {
		for r := 0; r <= t.rows; r++ {
			cols[c] = append(cols[c], t.sheet.cells[pos{t.top + r, t.left + c}])
		}
	}
	col := cols[from]
	cols = slices.Delete(cols, from, from+1)
	cols = slices.Insert(cols, to, col)
	for c, cs := range cols {
		for r, v := range cs {
			p := pos{t.top + r, t.left + c}
			if v.empty() && v.format == "" {
				delete(t.sheet.cells, p)
			} else {
				t.sheet.cells[p] = v
			}
		}
	}
}

// colName is the letters of 0-based column c.
func colName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

// rect is a range of a worksheet, 0-based, inclusive.
type rect struct {
	sheet          *worksheet
	r0, c0, r1, c1 int
}

func (r rect) address() string {
	name := r.sheet.name
	if strings.ContainsAny(name, " '!") {
		name = "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	a := colName(r.c0) + strconv.Itoa(r.r0+1)
	if r.r1 != r.r0 || r.c1 != r.c0 {
		a += ":" + colName(r.c1) + strconv.Itoa(r.r1+1)
	}
	return name + "!" + a
}

// parseA1 reads "B3", "B3:D9", "B:D" or "3:5" on s.
func parseA1(s *worksheet, a string) (rect, error) {
	from, to, found := strings.Cut(strings.ReplaceAll(a, "$", ""), ":")
	if !found {
		to = from
	}
	r0, c0, ok0 := cellRef(from)
	r1, c1, ok1 := cellRef(to)
	if !ok0 || !ok1 {
		return rect{}, fmt.Errorf("the address %q is not valid", a)
	}
	const maxRow, maxCol = 1048575, 16383
	if r0 < 0 { // columns only
		r0, r1 = 0, maxRow
	}
	if c0 < 0 { // rows only
		c0, c1 = 0, maxCol
	}
	if r1 < r0 || c1 < c0 || r1 > maxRow || c1 > maxCol {
		return rect{}, fmt.Errorf("the address %q is not valid", a)
	}
	return rect{sheet: s, r0: r0, c0: c0, r1: r1, c1: c1}, nil
}

// cellRef reads "B3" (1, 2), "B" (-1, 1) or "3" (2, -1).
func cellRef(s string) (r, c int, ok bool) {
	i := 0
	c = 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		c = c*26 + int((s[i]|0x20)-'a'+1)
		i++
	}
	if i > 3 {
		return 0, 0, false
	}
	c--
	if i == len(s) {
		return -1, c, i > 0
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil || n < 1 {
		return 0, 0, false
	}
	return n - 1, c, true
}
