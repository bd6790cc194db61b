package graphtest

import (
	"fmt"
	"slices"
)

// CreateWorkbook makes an empty workbook (one worksheet, Sheet1) at
// driveID/itemID, named name.
func (s *Server) CreateWorkbook(driveID, itemID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &workbook{drive: driveID, item: itemID, name: name, sessions: map[string]*session{}}
	b.addSheet("Sheet1")
	s.books[driveID+"/"+itemID] = b
}

func (s *Server) book(driveID, itemID string) (*workbook, error) {
	b := s.books[driveID+"/"+itemID]
	if b == nil {
		return nil, fmt.Errorf("graphtest: no workbook %s/%s", driveID, itemID)
	}
	return b, nil
}

// AddTable makes a named table with the given header on a worksheet of
// its own (named after the table), at A1, as a person does with Insert →
// Table, then names it. Like Excel, it has one empty data row.
func (s *Server) AddTable(driveID, itemID, sheet, name string, header ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.book(driveID, itemID)
	if err != nil {
		return err
	}
	sh := b.sheet(sheet)
	if sh == nil {
		sh = b.addSheet(sheet)
	}
	t, err := b.addTable(sh, name, 0, 0, header)
	if err != nil {
		return err
	}
	t.rows = 1
	return nil
}

// Table returns a table as Excel shows it: its header, then each data
// row's cells as text (formatted).
func (s *Server) Table(driveID, itemID, name string) ([][]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, name)
	if err != nil {
		return nil, err
	}
	out := [][]string{t.headers()}
	for i := 0; i < t.rows; i++ {
		var row []string
		for _, c := range t.row(i) {
			row = append(row, c.text())
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) findTable(driveID, itemID, name string) (*table, error) {
	b, err := s.book(driveID, itemID)
	if err != nil {
		return nil, err
	}
	t := b.table(name)
	if t == nil {
		return nil, fmt.Errorf("graphtest: no table %q", name)
	}
	return t, nil
}

// Cell is what a cell holds, for assertions.
type Cell struct {
	// Value is a string, a float64, a bool, or nil.
	Value any
	// Formula is the formula the cell holds, "" when it holds a value.
	Formula string
	// QuotePrefix says the cell was typed with a leading apostrophe.
	QuotePrefix  bool
	NumberFormat string
	Text         string
}

// CellAt returns the cell of a table's data row (0-based) under header.
func (s *Server) CellAt(driveID, itemID, tableName string, row int, header string) (Cell, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return Cell{}, err
	}
	col := slices.Index(t.headers(), header)
	if col < 0 || row < 0 || row >= t.rows {
		return Cell{}, fmt.Errorf("graphtest: no cell %q of row %d", header, row)
	}
	c := t.row(row)[col]
	return Cell{Value: c.value, Formula: c.formula, QuotePrefix: c.quoted, NumberFormat: c.format, Text: c.text()}, nil
}

// Type types text in the cell of a table's data row under header, as a
// person does (typed input: see the package documentation).
func (s *Server) Type(driveID, itemID, tableName string, row int, header, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return err
	}
	col := slices.Index(t.headers(), header)
	if col < 0 || row < 0 || row >= t.rows {
		return fmt.Errorf("graphtest: no cell %q of row %d", header, row)
	}
	p := pos{t.top + 1 + row, t.left + col}
	c := typed(text)
	c.format = t.sheet.cells[p].format
	t.sheet.cells[p] = c
	return nil
}

// SortTable sorts a table's rows by the column under header, as a person
// does.
func (s *Server) SortTable(driveID, itemID, tableName, header string, desc bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return err
	}
	col := slices.Index(t.headers(), header)
	if col < 0 {
		return fmt.Errorf("graphtest: no column %q", header)
	}
	t.sortBy(col, desc)
	return nil
}

// InsertColumn inserts a column named name at index (0-based) of a table,
// as a person does.
func (s *Server) InsertColumn(driveID, itemID, tableName string, index int, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return err
	}
	if index < 0 || index > t.cols {
		return fmt.Errorf("graphtest: no column index %d", index)
	}
	t.insertColumn(index, name)
	return nil
}

// MoveColumn moves a table's column under header to index (0-based).
func (s *Server) MoveColumn(driveID, itemID, tableName, header string, to int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return err
	}
	from := slices.Index(t.headers(), header)
	if from < 0 || to < 0 || to >= t.cols {
		return fmt.Errorf("graphtest: cannot move %q to %d", header, to)
	}
	t.moveColumn(from, to)
	return nil
}

// InsertRows inserts n empty rows at data row at (0-based) of a table.
func (s *Server) InsertRows(driveID, itemID, tableName string, at, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return err
	}
	t.insertRows(at, n)
	return nil
}

// Lock makes writes to a workbook fail with status (423: a person holds
// it open in a desktop Excel that does not co-author; 409: busy), until
// Unlock.
func (s *Server) Lock(driveID, itemID string, status int) error {
	if status != 423 && status != 409 {
		return fmt.Errorf("graphtest: lock with 423 or 409, not %d", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.book(driveID, itemID)
	if err != nil {
		return err
	}
	b.lock = status
	return nil
}

// Unlock ends a Lock.
func (s *Server) Unlock(driveID, itemID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, err := s.book(driveID, itemID); err == nil {
		b.lock = 0
	}
}

// Sessions counts a workbook's open sessions.
func (s *Server) Sessions(driveID, itemID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, err := s.book(driveID, itemID); err == nil {
		return len(b.sessions)
	}
	return 0
}

// HiddenColumn reports whether the worksheet column of a table's column
// under header is hidden.
func (s *Server) HiddenColumn(driveID, itemID, tableName, header string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.findTable(driveID, itemID, tableName)
	if err != nil {
		return false
	}
	col := slices.Index(t.headers(), header)
	return col >= 0 && t.sheet.hiddenCols[t.left+col]
}

// SheetHidden reports whether a worksheet is hidden.
func (s *Server) SheetHidden(driveID, itemID, sheet string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.book(driveID, itemID)
	if err != nil {
		return false
	}
	sh := b.sheet(sheet)
	return sh != nil && sh.hidden
}

// TableNames lists a workbook's tables.
func (s *Server) TableNames(driveID, itemID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.book(driveID, itemID)
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range b.tables {
		out = append(out, t.name)
	}
	return out
}

// Text is the typed-input rule of the package documentation, for tests
// of what Excel makes of a string: the cell's value and formula.
func Text(s string) (value any, formula string) {
	c := typed(s)
	return c.value, c.formula
}
