package gsheetstest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"
)

func TestValueInputOptions(t *testing.T) {
	tests := []struct {
		in                   any
		option               string
		unformatted, display any
	}{
		{"=1+1", "RAW", "=1+1", "=1+1"},
		{"0012", "RAW", "0012", "0012"},
		{"TRUE", "RAW", "TRUE", "TRUE"},
		{"2025-10-01", "RAW", "2025-10-01", "2025-10-01"},
		{12.5, "RAW", 12.5, "12.5"},
		{true, "RAW", true, "TRUE"},
		{"=1+1", "USER_ENTERED", "=1+1", "=1+1"},
		{"0012", "USER_ENTERED", 12.0, "12"},
		{"TRUE", "USER_ENTERED", true, "TRUE"},
		{"1,234.5", "USER_ENTERED", 1234.5, "1,234.5"},
		{"$5", "USER_ENTERED", 5.0, "$5.00"},
		{"2025-10-01", "USER_ENTERED", 45931.0, "2025-10-01"},
		{"'0012", "USER_ENTERED", "0012", "0012"},
		{"plain", "USER_ENTERED", "plain", "plain"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.option+" "+strings.ReplaceAll(toString(tt.in), "/", "_"), func(t *testing.T) {
			if _, err := e.svc.Spreadsheets.Values.Update(e.id, "A1", &sheets.ValueRange{Values: [][]any{{tt.in}}}).ValueInputOption(tt.option).Do(); err != nil {
				t.Fatalf("Values.Update(%v) error = %v", tt.in, err)
			}
			for render, want := range map[string]any{"UNFORMATTED_VALUE": tt.unformatted, "FORMATTED_VALUE": tt.display} {
				got, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").ValueRenderOption(render).Do()
				if err != nil {
					t.Fatalf("Values.Get() error = %v", err)
				}
				if len(got.Values) != 1 || len(got.Values[0]) != 1 || got.Values[0][0] != want {
					t.Errorf("%s of %v written %s = %v, want %v", render, tt.in, tt.option, got.Values, want)
				}
			}
		})
	}
}

func toString(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return strings.TrimSpace(strings.ReplaceAll(cmp.Diff(nil, x), "\n", ""))
}

func TestNullSkipsAndEmptyClears(t *testing.T) {
	e := newEnv(t)
	e.put(t, "A1", []any{"a", "b", "c"}, []any{"d", "e", "f"})
	u, err := e.svc.Spreadsheets.Values.Update(e.id, "A1", &sheets.ValueRange{Values: [][]any{{nil, "", "C"}, {nil, nil, nil}}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatalf("Values.Update() error = %v", err)
	}
	if u.UpdatedCells != 2 || u.UpdatedRange != "Sheet1!A1:C2" || u.UpdatedRows != 1 || u.UpdatedColumns != 2 {
		t.Errorf("Values.Update() = cells %d range %q rows %d cols %d, want 2 Sheet1!A1:C2 1 2", u.UpdatedCells, u.UpdatedRange, u.UpdatedRows, u.UpdatedColumns)
	}
	want := [][]string{{"a", "", "C"}, {"d", "e", "f"}}
	if diff := cmp.Diff(want, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
	}
}

func TestValuesReadShapes(t *testing.T) {
	e := newEnv(t)
	e.put(t, "B2", []any{1, "", 3}, []any{}, []any{"x"})
	tests := []struct {
		rng, major string
		want       [][]any
	}{
		{"A1:D5", "ROWS", [][]any{{}, {"", "1", "", "3"}, {}, {"", "x"}}},
		{"B2:D4", "COLUMNS", [][]any{{"1", "", "x"}, {}, {"3"}}},
		{"E1:F2", "ROWS", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rng+" "+tt.major, func(t *testing.T) {
			got, err := e.svc.Spreadsheets.Values.Get(e.id, tt.rng).MajorDimension(tt.major).Do()
			if err != nil {
				t.Fatalf("Values.Get() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got.Values); diff != "" {
				t.Errorf("Values.Get(%q, %s) mismatch (-want +got):\n%s", tt.rng, tt.major, diff)
			}
		})
	}
}

func TestValuesWriteErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, rng, option string
		values            [][]any
		msg               string
	}{
		{"too many rows", "Sheet1!A1:B1", "RAW", [][]any{{1}, {2}}, "Requested writing within range [Sheet1!A1:B1], but tried writing to row [2]"},
		{"too many columns", "Sheet1!A3:L113", "RAW", [][]any{make([]any, 13)}, "Requested writing within range [Sheet1!A3:L113], but tried writing to column [M]"},
		{"outside the grid", "Sheet1!AA1", "RAW", [][]any{{"x"}}, "Range (Sheet1!AA1) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{"past the grid", "Sheet1!Z999", "RAW", [][]any{{1, 2}}, "Range (Sheet1!Z999:AA999) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{"no input option", "A1", "", [][]any{{1}}, "'valueInputOption' is required but not specified"},
		{"bad input option", "A1", "RAWISH", [][]any{{1}}, `Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "RAWISH"`},
		{"nested list", "A1", "RAW", [][]any{{[]any{1}}}, "Invalid values[0][0]: list_value"},
		{"too long", "A1", "RAW", [][]any{{strings.Repeat("x", maxCharsPerCell+1)}}, "Your input contains more than the maximum of 50000 characters in a single cell."},
		{"unknown sheet", "Nope!A1", "RAW", [][]any{{1}}, "Unable to parse range: Nope!A1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := e.svc.Spreadsheets.Values.Update(e.id, tt.rng, &sheets.ValueRange{Values: tt.values})
			if tt.option != "" {
				call = call.ValueInputOption(tt.option)
			}
			_, err := call.Do()
			if code, msg := apiErr(t, err); code != 400 || msg != tt.msg {
				t.Errorf("Values.Update(%q) error = %d %q, want 400 %q", tt.rng, code, msg, tt.msg)
			}
		})
	}
	if got := e.snapshot(t, "Sheet1"); len(got) != 0 {
		t.Errorf("Snapshot after failed writes = %q, want empty", got)
	}
}

func TestValuesBatchUpdateIsAtomic(t *testing.T) {
	e := newEnv(t)
	req := &sheets.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: []*sheets.ValueRange{
		{Range: "A1", Values: [][]any{{"first"}}},
		{Range: "Sheet1!A1:A2", Values: [][]any{{"x", "too wide"}}},
	}}
	if _, err := e.svc.Spreadsheets.Values.BatchUpdate(e.id, req).Do(); err == nil {
		t.Fatal("Values.BatchUpdate() error = nil, want 400")
	}
	if got := e.snapshot(t, "Sheet1"); len(got) != 0 {
		t.Errorf("Snapshot after failed batch = %q, want empty", got)
	}
	req.Data[1].Values = [][]any{{"second"}}
	req.Data = append(req.Data, &sheets.ValueRange{Range: "C1:C2", MajorDimension: "COLUMNS", Values: [][]any{{1, 2}}})
	resp, err := e.svc.Spreadsheets.Values.BatchUpdate(e.id, req).Do()
	if err != nil {
		t.Fatalf("Values.BatchUpdate() error = %v", err)
	}
	if resp.TotalUpdatedCells != 4 || resp.TotalUpdatedSheets != 1 || len(resp.Responses) != 3 {
		t.Errorf("Values.BatchUpdate() = %d cells, %d sheets, %d responses; want 4, 1, 3", resp.TotalUpdatedCells, resp.TotalUpdatedSheets, len(resp.Responses))
	}
	want := [][]string{{"second", "", "1"}, {"", "", "2"}}
	if diff := cmp.Diff(want, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
	}
}

func TestIncludeValuesInResponse(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.Spreadsheets.Values.Update(e.id, "A1:C2", &sheets.ValueRange{Values: [][]any{{"2025-10-01", "5"}}}).
		ValueInputOption("USER_ENTERED").IncludeValuesInResponse(true).ResponseValueRenderOption("UNFORMATTED_VALUE").
		ResponseDateTimeRenderOption("FORMATTED_STRING").Do()
	if err != nil {
		t.Fatalf("Values.Update() error = %v", err)
	}
	want := &sheets.ValueRange{Range: "Sheet1!A1:C2", MajorDimension: "ROWS", Values: [][]any{{"2025-10-01", 5.0}}}
	if diff := cmp.Diff(want, u.UpdatedData, cmpValueRange); diff != "" {
		t.Errorf("UpdatedData mismatch (-want +got):\n%s", diff)
	}
}

var cmpValueRange = cmp.Comparer(func(a, b *sheets.ValueRange) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Range == b.Range && a.MajorDimension == b.MajorDimension && cmp.Equal(a.Values, b.Values)
})

func TestAppendTableDetection(t *testing.T) {
	tests := []struct {
		name         string
		rows         [][]any // written at A1 with USER_ENTERED
		rng          string
		option       string
		table, wrote string
		want         [][]string
	}{
		{
			name: "empty sheet", rows: nil, rng: "Sheet1",
			wrote: "Sheet1!A1:B1", want: [][]string{{"n1", "n2"}},
		},
		{
			name: "header and rows", rows: [][]any{{"h1", "h2"}, {"a", "b"}}, rng: "Sheet1!A1",
			table: "Sheet1!A1:B2", wrote: "Sheet1!A3:B3",
			want: [][]string{{"h1", "h2"}, {"a", "b"}, {"n1", "n2"}},
		},
		{
			name: "title, blank row, table", rows: [][]any{{"Title"}, {}, {"h1", "h2", "h3"}, {"a"}, {"b"}}, rng: "Sheet1",
			table: "Sheet1!A3:C5", wrote: "Sheet1!A6:B6",
			want: [][]string{{"Title", "", ""}, {"", "", ""}, {"h1", "h2", "h3"}, {"a", "", ""}, {"b", "", ""}, {"n1", "n2", ""}},
		},
		{
			name: "gap below the searched row", rows: [][]any{{"h"}, {"a"}, {}, {"z"}}, rng: "Sheet1!A1:B1",
			table: "Sheet1!A1:A2", wrote: "Sheet1!A3:B3",
			want: [][]string{{"h", ""}, {"a", ""}, {"n1", "n2"}, {"z", ""}},
		},
		{
			name: "table starts in column B", rows: [][]any{{"", "h1", "h2"}, {"", "a", "b"}}, rng: "Sheet1!A:D",
			table: "Sheet1!B1:C2", wrote: "Sheet1!B3:C3",
			want: [][]string{{"", "h1", "h2"}, {"", "a", "b"}, {"", "n1", "n2"}},
		},
		{
			name: "wider neighbour column", rows: [][]any{{"h1", "h2"}, {"", "b"}, {"", "c"}}, rng: "Sheet1!A:A",
			table: "Sheet1!A1:B1", wrote: "Sheet1!A2:B2",
			want: [][]string{{"h1", "h2"}, {"n1", "n2"}, {"", "c"}},
		},
		{
			name: "insert rows", rows: [][]any{{"h"}, {"a"}, {}, {"z"}}, rng: "Sheet1!A1", option: "INSERT_ROWS",
			table: "Sheet1!A1:A2", wrote: "Sheet1!A3:B3",
			want: [][]string{{"h", ""}, {"a", ""}, {"n1", "n2"}, {"", ""}, {"z", ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.rows != nil {
				e.put(t, "A1", tt.rows...)
			}
			call := e.svc.Spreadsheets.Values.Append(e.id, tt.rng, &sheets.ValueRange{Values: [][]any{{"n1", "n2"}}}).ValueInputOption("RAW")
			if tt.option != "" {
				call = call.InsertDataOption(tt.option)
			}
			got, err := call.Do()
			if err != nil {
				t.Fatalf("Values.Append(%q) error = %v", tt.rng, err)
			}
			if got.TableRange != tt.table || got.Updates.UpdatedRange != tt.wrote {
				t.Errorf("Values.Append(%q) = table %q, wrote %q; want %q, %q", tt.rng, got.TableRange, got.Updates.UpdatedRange, tt.table, tt.wrote)
			}
			if diff := cmp.Diff(tt.want, e.snapshot(t, "Sheet1")); diff != "" {
				t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendGrowsTheGrid(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Update(e.id, addSheetReq("Small", 2, 2)); err != nil {
		t.Fatalf("Update(addSheet) error = %v", err)
	}
	e.put(t, "Small!A1", []any{"h1", "h2"}, []any{"a", "b"})
	got, err := e.svc.Spreadsheets.Values.Append(e.id, "Small", &sheets.ValueRange{Values: [][]any{{1, 2, 3}, {4, 5, 6}}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatalf("Values.Append() error = %v", err)
	}
	if got.Updates.UpdatedRange != "Small!A3:C4" {
		t.Errorf("Values.Append().Updates.UpdatedRange = %q, want Small!A3:C4", got.Updates.UpdatedRange)
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Ranges("Small").Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	if g := ss.Sheets[0].Properties.GridProperties; g.RowCount != 4 || g.ColumnCount != 3 {
		t.Errorf("grid after append = %dx%d, want 4x3", g.RowCount, g.ColumnCount)
	}
}

func TestClear(t *testing.T) {
	e := newEnv(t)
	e.put(t, "A1", []any{"1", "$2", "3"}, []any{"4", "5", "6"})
	got, err := e.svc.Spreadsheets.Values.Clear(e.id, "A1:B", &sheets.ClearValuesRequest{}).Do()
	if err != nil {
		t.Fatalf("Values.Clear() error = %v", err)
	}
	if got.ClearedRange != "Sheet1!A1:B1000" {
		t.Errorf("Values.Clear().ClearedRange = %q, want Sheet1!A1:B1000", got.ClearedRange)
	}
	// Clearing values keeps formats: B1 was formatted as currency.
	e.put(t, "B1", []any{7})
	want := [][]string{{"", "$7.00", "3"}, {"", "", "6"}}
	if diff := cmp.Diff(want, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
	}
	bc, err := e.svc.Spreadsheets.Values.BatchClear(e.id, &sheets.BatchClearValuesRequest{Ranges: []string{"C1", "C2"}}).Do()
	if err != nil || len(bc.ClearedRanges) != 2 {
		t.Fatalf("Values.BatchClear() = %v, %v; want 2 ranges", bc, err)
	}
}

func TestBatchGet(t *testing.T) {
	e := newEnv(t)
	e.put(t, "A1", []any{"a", "b"})
	got, err := e.svc.Spreadsheets.Values.BatchGet(e.id).Ranges("A1", "Sheet1!B1:B2").Do()
	if err != nil {
		t.Fatalf("Values.BatchGet() error = %v", err)
	}
	var ranges []string
	for _, vr := range got.ValueRanges {
		ranges = append(ranges, vr.Range)
	}
	if diff := cmp.Diff([]string{"Sheet1!A1", "Sheet1!B1:B2"}, ranges); diff != "" {
		t.Errorf("Values.BatchGet() ranges mismatch (-want +got):\n%s", diff)
	}
	if _, err := e.svc.Spreadsheets.Values.BatchGet(e.id).Ranges("A1", "Nope!A1").Do(); err == nil {
		t.Error("Values.BatchGet(bad range) error = nil, want 400")
	}
}
