package excel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/safeview/safeview/shared/model"
)

// tab is what the sink knows of one named table. Only the flusher
// touches it after New.
type tab struct {
	Table
	key      int   // index of the key in Headers
	personal []int // indexes of Table.Personal

	loaded bool
	sheet  string   // the worksheet that holds the table
	top    int      // the header's row on the sheet, 0-based
	left   int      // the table's first column on the sheet, 0-based
	header []string // the table's header row, as last read
	cols   []int    // the table column of each of Headers
	ver    int      // the table column of VersionHeader
	rows   int      // data rows
	index  map[string]entry
}

// entry is where an identity's row is, and what it holds.
type entry struct {
	row     int // data row, 0-based
	version int64
	erased  bool
}

func newTab(t Table) (*tab, error) {
	if t.Name == "" {
		return nil, fmt.Errorf("excel: table %q: no named table", t.Tab)
	}
	k := slices.Index(t.Headers, t.Key)
	if k < 0 {
		return nil, fmt.Errorf("excel: table %q: key %q is not one of its headers", t.Tab, t.Key)
	}
	if slices.Contains(t.Headers, VersionHeader) {
		return nil, fmt.Errorf("excel: table %q: header %q is reserved", t.Tab, VersionHeader)
	}
	tb := &tab{Table: t, key: k}
	for _, h := range t.Personal {
		i := slices.Index(t.Headers, h)
		if i < 0 || i == k {
			return nil, fmt.Errorf("excel: table %q: personal column %q is not one of its headers but the key", t.Tab, h)
		}
		tb.personal = append(tb.personal, i)
	}
	return tb, nil
}

// url is the table's Graph path below the workbook.
func (t *tab) url(base string) string { return base + "/tables/" + url.PathEscape(t.Name) }

// sheetRange is the path of a range of the table's worksheet: data rows
// from..to (0-based, inclusive), table columns c0..c1.
func (t *tab) sheetRange(base string, from, to, c0, c1 int) string {
	a := colName(t.left+c0) + strconv.Itoa(t.top+2+from) + ":" + colName(t.left+c1) + strconv.Itoa(t.top+2+to)
	return base + "/worksheets/" + url.PathEscape(t.sheet) + "/range(address='" + a + "')"
}

// span is the table columns a row write covers: from the first owned
// column to the last (the version column included).
func (t *tab) span() (int, int) {
	lo, hi := t.ver, t.ver
	for _, c := range t.cols {
		lo, hi = min(lo, c), max(hi, c)
	}
	return lo, hi
}

// idAt is the identity of a row as read (the table's values), "" for a
// row without a key (the team's).
func (t *tab) idAt(row []any) string {
	k := cellString(row, t.cols[t.key])
	if k == "" {
		return ""
	}
	src, _, _ := parseVersion(cellString(row, t.ver))
	return model.ID(src, k)
}

// colName is the letters of a 0-based column.
func colName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

// rangeAnswer is the part of a workbookRange the sink reads.
type rangeAnswer struct {
	Address      string  `json:"address"`
	RowCount     int     `json:"rowCount"`
	Values       [][]any `json:"values"`
	Formulas     [][]any `json:"formulas"`
	NumberFormat [][]any `json:"numberFormat"`
	Text         [][]any `json:"text"`
}

func decodeRange(r reply) (rangeAnswer, error) {
	var a rangeAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		return a, errors.New("excel: unreadable range")
	}
	return a, nil
}

// place reads a header range's address ("Orders!B3:H3", or
// "'My sheet'!B3:H3"): the sheet, the row and the first column.
func place(address string) (sheet string, top, left int, err error) {
	i := strings.LastIndex(address, "!")
	if i < 0 {
		return "", 0, 0, fmt.Errorf("excel: unreadable address %q", address)
	}
	sheet = address[:i]
	if strings.HasPrefix(sheet, "'") {
		sheet = strings.ReplaceAll(strings.Trim(sheet, "'"), "''", "'")
	}
	ref, _, _ := strings.Cut(address[i+1:], ":")
	n := 0
	for n < len(ref) && ref[n] >= 'A' && ref[n] <= 'Z' {
		left = left*26 + int(ref[n]-'A'+1)
		n++
	}
	row, err := strconv.Atoi(ref[n:])
	if n == 0 || err != nil {
		return "", 0, 0, fmt.Errorf("excel: unreadable address %q", address)
	}
	return sheet, row - 1, left - 1, nil
}

// headerCalls read a table's header row.
func (t *tab) headerCall(base string) call {
	return call{method: http.MethodGet, url: t.url(base) + "/headerRowRange?$select=address,values"}
}

// readHeader records a header row as read, and reports which owned
// headers (and whether the version header) are missing.
func (t *tab) readHeader(r reply) (missing []string, err error) {
	if r.status == http.StatusNotFound {
		return nil, fmt.Errorf("excel: no table named %q in the workbook (scripts/bootstrap-sheet creates it): %w", t.Name, errNoTable)
	}
	if !r.ok() {
		return nil, r.err("read the header of table " + t.Name)
	}
	a, err := decodeRange(r)
	if err != nil || len(a.Values) == 0 {
		return nil, fmt.Errorf("excel: table %q: unreadable header", t.Name)
	}
	if t.sheet, t.top, t.left, err = place(a.Address); err != nil {
		return nil, err
	}
	t.header = make([]string, len(a.Values[0]))
	for i := range t.header {
		t.header[i] = cellString(a.Values[0], i)
	}
	t.cols = make([]int, len(t.Headers))
	for i, h := range t.Headers {
		if t.cols[i] = slices.Index(t.header, h); t.cols[i] < 0 {
			missing = append(missing, h)
		}
	}
	if t.ver = slices.Index(t.header, VersionHeader); t.ver < 0 {
		missing = append(missing, VersionHeader)
	}
	return missing, nil
}

// errNoTable means the named table is not in the workbook.
var errNoTable = errors.New("named table missing")

// load indexes the tables that are not loaded, all in one go: their
// headers (and the marks), then the columns they lack, then their key and
// version columns.
func (s *Sink) load(ctx context.Context) error {
	var tabs []*tab
	for _, t := range s.order {
		if !t.loaded {
			tabs = append(tabs, t)
		}
	}
	if len(tabs) == 0 {
		return nil
	}
	var calls []call
	for _, t := range tabs {
		calls = append(calls, t.headerCall(s.base), call{method: http.MethodGet, url: t.url(s.base) + "/dataBodyRange?$select=rowCount"})
	}
	if !s.marks.loaded {
		calls = append(calls, s.marks.readCall(s.base))
	}
	rs, err := s.batch(ctx, calls)
	if err != nil {
		return err
	}
	var adds []call
	for i, t := range tabs {
		missing, err := t.readHeader(rs[2*i])
		if err != nil {
			return err
		}
		body, _ := decodeRange(rs[2*i+1])
		if slices.Contains(missing, t.Key) && body.RowCount > 1 {
			return fmt.Errorf("excel: table %q has no column %q: rename the column back (a new key column would add every order again): %w", t.Name, t.Key, errMoved)
		}
		for _, h := range missing {
			// Added at the end of the table: never between the team's
			// columns.
			adds = append(adds, call{method: http.MethodPost, url: t.url(s.base) + "/columns/add", body: map[string]any{"index": nil, "values": [][]string{{h}}}, after: true})
		}
	}
	if !s.marks.loaded {
		if err := s.marks.load(rs[2*len(tabs)]); err != nil {
			adds = append(adds, s.marks.createCalls(s.base)...)
		}
	}
	if len(adds) > 0 {
		if err := s.write(ctx, adds); err != nil {
			return err
		}
		if err := s.marks.named(ctx, s); err != nil {
			return err
		}
		calls = calls[:0]
		for _, t := range tabs {
			calls = append(calls, t.headerCall(s.base))
		}
		if rs, err = s.batch(ctx, calls); err != nil {
			return err
		}
		for i, t := range tabs {
			missing, err := t.readHeader(rs[i])
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return fmt.Errorf("excel: table %q: columns %q could not be added: %w", t.Name, missing, errMoved)
			}
			hide := colName(t.left+t.ver) + ":" + colName(t.left+t.ver)
			calls[i] = call{method: http.MethodPatch, url: s.base + "/worksheets/" + url.PathEscape(t.sheet) + "/range(address='" + hide + "')/format", body: map[string]any{"columnHidden": true}}
		}
		if err := s.write(ctx, calls); err != nil {
			return err
		}
	}
	calls = calls[:0]
	for _, t := range tabs {
		for _, h := range []string{t.Key, VersionHeader} {
			calls = append(calls, call{method: http.MethodGet, url: t.url(s.base) + "/columns/" + url.PathEscape(h) + "/dataBodyRange?$select=values"})
		}
	}
	if rs, err = s.batch(ctx, calls); err != nil {
		return err
	}
	for i, t := range tabs {
		keys, err := column(rs[2*i], t.Name)
		if err != nil {
			return err
		}
		vers, err := column(rs[2*i+1], t.Name)
		if err != nil {
			return err
		}
		t.index, t.rows = map[string]entry{}, len(keys)
		for r, k := range keys {
			if k == "" {
				continue // the team's row
			}
			src, v, erased := parseVersion(vers[r])
			id := model.ID(src, k)
			if old, dup := t.index[id]; dup && old.version >= v {
				continue // two rows of one identity: the newest is kept up to date
			}
			t.index[id] = entry{row: r, version: v, erased: erased}
		}
		t.loaded = true
	}
	s.count(func(st *model.Stats) { st.Reindexes++ })
	return nil
}

// column reads a column's data body as text.
func column(r reply, table string) ([]string, error) {
	if !r.ok() {
		return nil, r.err("read a column of table " + table)
	}
	a, err := decodeRange(r)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(a.Values))
	for i, row := range a.Values {
		out[i] = cellString(row, 0)
	}
	return out, nil
}
