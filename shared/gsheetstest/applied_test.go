package gsheetstest_test

import (
	"sync"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// The applied hook runs once a write is applied and before its answer:
// the spreadsheet read from the hook already shows the write. Reads and
// refused writes do not call it.
func TestAppliedHookSeesTheWrite(t *testing.T) {
	srv := gsheetstest.NewServer(t)
	id := srv.CreateSpreadsheet("Orders", "Orders")
	var mu sync.Mutex
	var seen []string
	srv.SetAppliedHook(func(c gsheetstest.Call) {
		cell, err := srv.Cell(id, "Orders", "A1")
		mu.Lock()
		defer mu.Unlock()
		if err != nil || c.Spreadsheet != id || !c.Write || c.At.IsZero() {
			t.Errorf("hook(%+v): A1 = %v, %v, want the write's call", c, cell, err)
		}
		seen = append(seen, c.Method+" "+cell.Formatted)
	})
	svc, err := srv.Service(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Update(id, "Orders!A1", &sheets.ValueRange{Values: [][]any{{"1001"}}}).ValueInputOption("RAW").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Get(id, "Orders!A1").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Update(id, "Nowhere!A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do(); err == nil {
		t.Fatal("a write to an unknown tab succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != gsheetstest.MethodValuesUpdate+" 1001" {
		t.Errorf("applied hook saw %q, want the update alone, applied", seen)
	}
}
