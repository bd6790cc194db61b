package gsheetstest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

// env is a running server, a real client and one spreadsheet with one tab.
type env struct {
	s       *Server
	svc     *sheets.Service
	id      string
	sheetID int64
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	s := NewServer(t, opts...)
	svc, err := s.Service(context.Background())
	if err != nil {
		t.Fatalf("Service() error = %v", err)
	}
	id := s.CreateSpreadsheet("test", "Sheet1")
	e := &env{s: s, svc: svc, id: id}
	e.sheetID = e.tabID(t, "Sheet1")
	return e
}

func (e *env) tabID(t *testing.T, title string) int64 {
	t.Helper()
	ss, err := e.svc.Spreadsheets.Get(e.id).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	for _, sh := range ss.Sheets {
		if sh.Properties.Title == title {
			return sh.Properties.SheetId
		}
	}
	t.Fatalf("no tab %q", title)
	return 0
}

// put writes values with USER_ENTERED, failing the test on error.
func (e *env) put(t *testing.T, rng string, rows ...[]any) {
	t.Helper()
	if _, err := e.svc.Spreadsheets.Values.Update(e.id, rng, &sheets.ValueRange{Values: rows}).ValueInputOption("USER_ENTERED").Do(); err != nil {
		t.Fatalf("Values.Update(%q) error = %v", rng, err)
	}
}

func (e *env) snapshot(t *testing.T, tab string) [][]string {
	t.Helper()
	got, err := e.s.Snapshot(e.id, tab)
	if err != nil {
		t.Fatalf("Snapshot(%q) error = %v", tab, err)
	}
	return got
}

func (e *env) batch(reqs ...*sheets.Request) (*sheets.BatchUpdateSpreadsheetResponse, error) {
	return e.svc.Spreadsheets.BatchUpdate(e.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do()
}

// apiErr returns the code and message of a Google API error, or fails.
func apiErr(t *testing.T, err error) (int, string) {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("error = %v, want a *googleapi.Error", err)
	}
	return ge.Code, ge.Message
}

func ptr[T any](v T) *T { return &v }

func addSheetReq(title string, rows, cols int64) *sheets.Request {
	return &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
		Title: title, GridProperties: &sheets.GridProperties{RowCount: rows, ColumnCount: cols}}}}
}

// postRaw posts a raw JSON body to a spreadsheet method such as
// ":batchUpdate" and returns the status and Google error message.
func postRaw(t *testing.T, e *env, suffix, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(e.s.URL()+"v4/spreadsheets/"+e.id+suffix, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s error = %v", suffix, err)
	}
	defer resp.Body.Close()
	var eb errorBody
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb.Error.Message
}
