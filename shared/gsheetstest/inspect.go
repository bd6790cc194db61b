package gsheetstest

import (
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/api/sheets/v4"
)

// CreateSpreadsheet makes a spreadsheet with the given tabs ("Sheet1" when
// none) and returns its id. Unlike spreadsheets.create, which gives the first
// sheet id 0 as Google does, every tab gets a random sheet id, like a
// spreadsheet that was copied or imported, so that code cannot come to rely on
// id 0. It panics on duplicate tab titles, a mistake in the calling test.
func (s *Server) CreateSpreadsheet(title string, tabs ...string) string {
	var props []*sheets.SheetProperties
	for _, t := range tabs {
		props = append(props, &sheets.SheetProperties{Title: t})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, err := s.create(&sheets.SpreadsheetProperties{Title: title}, props, true)
	if err != nil {
		panic(fmt.Sprintf("gsheetstest: CreateSpreadsheet(%q): %v", title, err))
	}
	return ss.id
}

// ErrNotFound is returned by the inspection methods for an unknown spreadsheet or tab.
var ErrNotFound = errors.New("gsheetstest: not found")

func (s *Server) tab(spreadsheetID, tab string) (*sheet, error) {
	ss := s.books[spreadsheetID]
	if ss == nil {
		return nil, fmt.Errorf("spreadsheet %q: %w", spreadsheetID, ErrNotFound)
	}
	_, sh := ss.sheetByTitle(tab)
	if sh == nil {
		return nil, fmt.Errorf("tab %q: %w", tab, ErrNotFound)
	}
	return sh, nil
}

// Snapshot returns the formatted values of a tab as the UI shows them, without
// trailing empty rows and columns; rows keep their full width.
func (s *Server) Snapshot(spreadsheetID, tab string) ([][]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return nil, err
	}
	last, width := -1, 0
	for r, rw := range sh.rows {
		if rw == nil {
			continue
		}
		for c, cl := range rw.cells {
			if cl.v.kind != kindEmpty {
				last, width = r, max(width, c+1)
			}
		}
	}
	out := make([][]string, last+1)
	for r := range out {
		out[r] = make([]string, width)
		for c := range width {
			out[r][c] = sh.cell(r, c).formatted()
		}
	}
	return out, nil
}

// Cell describes one cell for assertions.
type Cell struct {
	// Value is the effective value: nil, float64, string or bool. A formula's
	// value is its text, since gsheetstest does not evaluate formulas.
	Value any
	// Formatted is the text the UI shows.
	Formatted string
	// Formula is the formula text, or "".
	Formula string
	// Format is the user-entered format, or nil.
	Format *sheets.CellFormat
	// Note is the cell's note.
	Note string
}

// Cell returns one cell of a tab, addressed in A1 notation such as "B2".
func (s *Server) Cell(spreadsheetID, tab, a1 string) (Cell, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return Cell{}, err
	}
	a, ok := parseA1(a1)
	if !ok || !a.cell || a.hasSheet {
		return Cell{}, fmt.Errorf("gsheetstest: %q is not a cell", a1)
	}
	if a.r0 >= sh.rowCount() || a.c0 >= sh.colCount() {
		return Cell{}, fmt.Errorf("gsheetstest: %s is outside the grid of %q", a1, tab)
	}
	c := sh.cell(a.r0, a.c0)
	out := Cell{Formatted: c.formatted(), Format: c.format, Note: c.note}
	switch c.v.kind {
	case kindNumber:
		out.Value = c.v.num
	case kindBool:
		out.Value = c.v.b
	case kindString:
		out.Value = c.v.str
	case kindFormula:
		out.Value, out.Formula = c.v.str, c.v.str
	}
	return out, nil
}

// Update applies batchUpdate requests directly, as a person editing the sheet
// in the UI would: no HTTP, quotas, faults, hooks or counting. It is atomic
// like batchUpdate and returns Google's error for a bad request.
func (s *Server) Update(spreadsheetID string, reqs ...*sheets.Request) error {
	b, err := json.Marshal(&sheets.BatchUpdateSpreadsheetRequest{Requests: reqs})
	if err != nil {
		return err
	}
	_, err = handleBatchUpdate(&call{s: s, id: spreadsheetID, body: b})
	return err
}

// SetValues writes values into a range as a person typing them would
// (USER_ENTERED), bypassing HTTP like Update.
func (s *Server) SetValues(spreadsheetID, rng string, values [][]any) error {
	b, err := json.Marshal(&sheets.ValueRange{Values: values})
	if err != nil {
		return err
	}
	q := map[string][]string{"valueInputOption": {"USER_ENTERED"}}
	_, err = handleValuesUpdate(&call{s: s, id: spreadsheetID, rng: rng, body: b, query: q})
	return err
}

// Metadata lists every piece of developer metadata of a spreadsheet with its
// current location, in document order.
func (s *Server) Metadata(spreadsheetID string) ([]*sheets.DeveloperMetadata, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ss := s.books[spreadsheetID]
	if ss == nil {
		return nil, fmt.Errorf("spreadsheet %q: %w", spreadsheetID, ErrNotFound)
	}
	var out []*sheets.DeveloperMetadata
	for _, r := range allMeta(ss) {
		out = append(out, r.api(ss))
	}
	return out, nil
}
