package sheets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"google.golang.org/api/googleapi"

	"github.com/safeview/safeview/shared/logging"
	sheetsapi "google.golang.org/api/sheets/v4"
)

// VersionHeader is the header of the hidden column that holds each row's
// version.
const VersionHeader = "_safeview_version"

// Result says what an upsert did.
type Result string

// Results of an upsert.
const (
	Written   Result = "written"   // the row was created or updated
	Unchanged Result = "unchanged" // the row already holds this version
	Stale     Result = "stale"     // the row holds a newer version
	Filtered  Result = "filtered"  // the row may not be created (or updated) by this event
)

// ErrUnavailable means the sheet could not be read or written: the
// platform should retry later.
var ErrUnavailable = errors.New("sheet unavailable")

// errMoved means the index no longer matches the sheet (the team sorted,
// inserted or deleted rows, or moved a column).
var errMoved = errors.New("sheet changed under the index")

// Table describes one tab the sink writes.
type Table struct {
	Tab     string
	Headers []string // owned headers, in the order of Row.Cells
	Key     string   // the header of the key column, one of Headers
}

// Sink writes rows to the tabs of one spreadsheet. One Sink is the one
// writer of its spreadsheet in an instance: upserts are serialized.
type Sink struct {
	svc *sheetsapi.Service
	id  string
	log *slog.Logger

	mu   sync.Mutex
	tabs map[string]*tab
}

type tab struct {
	Table
	headers []string // Headers and VersionHeader
	key     int      // index of Key in headers

	loaded   bool
	sheetID  int64
	rowCount int64
	cols     []int // sheet column of each of headers
	index    map[string]entry
	lastRow  int // last row holding a key; 0 when only the header
}

type entry struct {
	row int
}

// New returns a sink for the given tables of a spreadsheet. It does no
// I/O: each tab is read on its first upsert.
func New(svc *sheetsapi.Service, spreadsheetID string, tables []Table, log *slog.Logger) (*Sink, error) {
	if spreadsheetID == "" {
		return nil, errors.New("sheets: no spreadsheet id")
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Sink{svc: svc, id: spreadsheetID, log: log, tabs: map[string]*tab{}}
	for _, t := range tables {
		k := slices.Index(t.Headers, t.Key)
		if k < 0 {
			return nil, fmt.Errorf("sheets: tab %q: key %q is not one of its headers", t.Tab, t.Key)
		}
		if slices.Contains(t.Headers, VersionHeader) {
			return nil, fmt.Errorf("sheets: tab %q: header %q is reserved", t.Tab, VersionHeader)
		}
		s.tabs[t.Tab] = &tab{Table: t, headers: append(slices.Clone(t.Headers), VersionHeader), key: k}
	}
	return s, nil
}

// Upsert creates or updates the row of r.Key in tab, unless the sheet
// already holds that version or a newer one. It returns once the write is
// done; an error wrapping ErrUnavailable means nothing may have been
// written and the caller should have the platform retry.
func (s *Sink) Upsert(ctx context.Context, tabName string, r Row) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tabs[tabName]
	if !ok {
		return "", fmt.Errorf("sheets: no tab %q configured", tabName)
	}
	if len(r.Cells) != len(t.Headers) {
		return "", fmt.Errorf("sheets: tab %q: row has %d cells for %d columns", tabName, len(r.Cells), len(t.Headers))
	}
	for attempt := 0; ; attempt++ {
		if !t.loaded {
			if err := s.load(ctx, t); err != nil {
				return "", err
			}
		}
		res, err := s.upsert(ctx, t, r)
		if !errors.Is(err, errMoved) {
			return res, err
		}
		t.loaded = false
		if attempt == 2 {
			return "", fmt.Errorf("%w: tab %q keeps changing", ErrUnavailable, t.Tab)
		}
		s.logger(ctx).InfoContext(ctx, "sheet changed since it was indexed; reindexing", "table", t.Tab)
	}
}

func (s *Sink) upsert(ctx context.Context, t *tab, r Row) (Result, error) {
	e, ok := t.index[r.Key]
	if !ok {
		if !r.Insert {
			return Filtered, nil
		}
		return Written, s.insert(ctx, t, r)
	}
	// Read the header and the row in one request, to check that neither
	// moved since the index was built, and to read the stored version.
	got, err := s.svc.Spreadsheets.Values.BatchGet(s.id).
		Ranges(RowRange(t.Tab, 0), RowRange(t.Tab, e.row)).
		ValueRenderOption("UNFORMATTED_VALUE").Context(ctx).Do()
	if err != nil {
		return "", s.apiError(ctx, t, "read row", err)
	}
	if len(got.ValueRanges) != 2 || !t.headerMatches(firstRow(got.ValueRanges[0])) {
		return "", errMoved
	}
	row := firstRow(got.ValueRanges[1])
	if cellString(row, t.cols[t.key]) != r.Key {
		return "", errMoved
	}
	stored, _ := strconv.ParseInt(cellString(row, t.cols[len(t.cols)-1]), 10, 64)
	switch {
	case r.Version < stored:
		return Stale, nil
	case r.Version == stored:
		return Unchanged, nil
	case !r.Update:
		return Filtered, nil
	}
	reqs := t.cellRequests(e.row, r)
	if err := s.batchUpdate(ctx, t, "update row", reqs); err != nil {
		return "", err
	}
	return Written, nil
}

func (s *Sink) insert(ctx context.Context, t *tab, r Row) error {
	at := t.lastRow + 1
	var reqs []*sheetsapi.Request
	if int64(at) < t.rowCount {
		// Insert rather than fill the next blank row: the team may keep
		// something below the data (a totals row), and an insertion never
		// overwrites.
		reqs = append(reqs, &sheetsapi.Request{InsertDimension: &sheetsapi.InsertDimensionRequest{
			Range:             &sheetsapi.DimensionRange{SheetId: t.sheetID, Dimension: "ROWS", StartIndex: int64(at), EndIndex: int64(at) + 1},
			InheritFromBefore: at > 1, // take the format of the data row above, not of the header
		}})
	} else {
		reqs = append(reqs, &sheetsapi.Request{AppendDimension: &sheetsapi.AppendDimensionRequest{
			SheetId: t.sheetID, Dimension: "ROWS", Length: 1,
		}})
	}
	reqs = append(reqs, t.cellRequests(at, r)...)
	if err := s.batchUpdate(ctx, t, "insert row", reqs); err != nil {
		return err
	}
	t.rowCount++
	t.lastRow = at
	t.index[r.Key] = entry{row: at}
	return nil
}

// cellRequests writes every owned cell of a row, and only those.
func (t *tab) cellRequests(row int, r Row) []*sheetsapi.Request {
	reqs := make([]*sheetsapi.Request, 0, len(t.cols))
	for i, col := range t.cols {
		var c Cell
		if i < len(r.Cells) {
			c = r.Cells[i]
		} else {
			c = Cell{Text: strconv.FormatInt(r.Version, 10)}
		}
		reqs = append(reqs, &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{
			Range: &sheetsapi.GridRange{
				SheetId:       t.sheetID,
				StartRowIndex: int64(row), EndRowIndex: int64(row) + 1,
				StartColumnIndex: int64(col), EndColumnIndex: int64(col) + 1,
				ForceSendFields: []string{"StartRowIndex", "StartColumnIndex", "SheetId"},
			},
			Rows:   []*sheetsapi.RowData{{Values: []*sheetsapi.CellData{cellData(c)}}},
			Fields: "userEnteredValue,userEnteredFormat.numberFormat",
		}})
	}
	return reqs
}

// cellData converts a Cell to the API's shape. An empty cell clears the
// value; a text is a stringValue, which Sheets stores as is (RAW).
func cellData(c Cell) *sheetsapi.CellData {
	d := &sheetsapi.CellData{}
	switch {
	case c.Number != "":
		f, err := strconv.ParseFloat(c.Number, 64)
		if err != nil {
			// Not a number after all: keep it exact as text.
			d.UserEnteredValue = &sheetsapi.ExtendedValue{StringValue: &c.Number}
			break
		}
		d.UserEnteredValue = &sheetsapi.ExtendedValue{NumberValue: &f}
		if c.FormatType != "" {
			d.UserEnteredFormat = &sheetsapi.CellFormat{NumberFormat: &sheetsapi.NumberFormat{Type: c.FormatType, Pattern: c.FormatPattern}}
		}
	case c.Text != "":
		text := c.Text
		d.UserEnteredValue = &sheetsapi.ExtendedValue{StringValue: &text}
	}
	return d
}

func (s *Sink) batchUpdate(ctx context.Context, t *tab, op string, reqs []*sheetsapi.Request) error {
	_, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
	if err != nil {
		return s.apiError(ctx, t, op, err)
	}
	return nil
}

// apiError wraps an API failure as ErrUnavailable. Google's messages for
// 4xx can quote the request, so only the status is kept; a 400 or 404
// also drops the tab's index, since the sheet is not what we thought.
func (s *Sink) apiError(ctx context.Context, t *tab, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %s in tab %q: %w", ErrUnavailable, op, t.Tab, context.DeadlineExceeded)
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		if gerr.Code == http.StatusBadRequest || gerr.Code == http.StatusNotFound {
			t.loaded = false
		}
		return fmt.Errorf("%w: %s in tab %q: HTTP %d %s", ErrUnavailable, op, t.Tab, gerr.Code, http.StatusText(gerr.Code))
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %s in tab %q: %w", ErrUnavailable, op, t.Tab, context.DeadlineExceeded)
	}
	return fmt.Errorf("%w: %s in tab %q: transport error", ErrUnavailable, op, t.Tab)
}

// logger returns the request's logger when the context carries one, so that
// the sink's lines carry the request id too.
func (s *Sink) logger(ctx context.Context) *slog.Logger {
	if l := logging.From(ctx); l != slog.Default() {
		return l
	}
	return s.log
}

func (t *tab) headerMatches(header []any) bool {
	for i, col := range t.cols {
		if cellString(header, col) != t.headers[i] {
			return false
		}
	}
	return true
}

func firstRow(vr *sheetsapi.ValueRange) []any {
	if vr == nil || len(vr.Values) == 0 {
		return nil
	}
	return vr.Values[0]
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
