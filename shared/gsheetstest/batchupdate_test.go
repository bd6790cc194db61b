package gsheetstest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"
)

func str(s string) *sheets.CellData {
	return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{StringValue: ptr(s)}}
}

func num(v float64, pattern string) *sheets.CellData {
	d := &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{NumberValue: ptr(v)}}
	if pattern != "" {
		d.UserEnteredFormat = &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "NUMBER", Pattern: pattern}}
	}
	return d
}

func updateCellsReq(sheetID, row, col int64, fields string, rows ...[]*sheets.CellData) *sheets.Request {
	u := &sheets.UpdateCellsRequest{Start: &sheets.GridCoordinate{SheetId: sheetID, RowIndex: row, ColumnIndex: col}, Fields: fields}
	for _, r := range rows {
		u.Rows = append(u.Rows, &sheets.RowData{Values: r})
	}
	return &sheets.Request{UpdateCells: u}
}

func TestBatchUpdateIsAtomic(t *testing.T) {
	e := newEnv(t)
	_, err := e.batch(
		updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{str("applied?")}),
		updateCellsReq(123, 0, 0, "userEnteredValue", []*sheets.CellData{str("x")}),
	)
	code, msg := apiErr(t, err)
	if want := "Invalid requests[1].updateCells: No grid with id: 123"; code != 400 || msg != want {
		t.Errorf("BatchUpdate(bad sheet id) error = %d %q, want 400 %q", code, msg, want)
	}
	if got := e.snapshot(t, "Sheet1"); len(got) != 0 {
		t.Errorf("Snapshot after failed batch = %q, want empty", got)
	}
	// A failure after structural changes leaves the structure alone too.
	_, err = e.batch(
		addSheetReq("New", 10, 10),
		&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: &sheets.DimensionRange{SheetId: e.sheetID, Dimension: "ROWS", StartIndex: 0, EndIndex: 5}}},
		&sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: 999}},
	)
	if err == nil {
		t.Fatal("BatchUpdate(..., deleteSheet 999) error = nil, want 400")
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	if n, rows := len(ss.Sheets), ss.Sheets[0].Properties.GridProperties.RowCount; n != 1 || rows != 1000 {
		t.Errorf("after failed batch: %d sheets, %d rows; want 1, 1000", n, rows)
	}
}

func TestBatchUpdateRequestErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		body string
		code int
		msg  string
	}{
		{"unknown request", `{"requests":[{"frobnicate":{}}]}`, 400, `Invalid JSON payload received. Unknown name "frobnicate" at 'requests[0]': Cannot find field.`},
		{"unknown field", `{"requests":[{"deleteSheet":{"sheetID":1}}]}`, 400, `Invalid JSON payload received. Unknown name "sheetID" at 'requests[0].delete_sheet': Cannot find field.`},
		{"two kinds", `{"requests":[{"deleteSheet":{},"addSheet":{}}]}`, 400, `Invalid value at 'requests[0]' (oneof), oneof field 'kind' is already set. Cannot set 'deleteSheet'`},
		{"empty request", `{"requests":[{}]}`, 400, "Invalid requests[0]: No request set."},
		{"not implemented", `{"requests":[{"mergeCells":{}}]}`, 501, "gsheetstest: requests[0].mergeCells is not implemented"},
		{"no fields", `{"requests":[{"updateCells":{"start":{}}}]}`, 400, "Invalid requests[0].updateCells: At least one field must be specified."},
		{"bad field mask", `{"requests":[{"updateCells":{"start":{},"fields":"userEnteredValu"}}]}`, 400, `Invalid requests[0].updateCells: Invalid field mask: "userEnteredValu" is not a field of CellData`},
		{"inherit at 0", `{"requests":[{"insertDimension":{"range":{"dimension":"ROWS","startIndex":0,"endIndex":1},"inheritFromBefore":true}}]}`, 400, ""},
		{"delete every row", `{"requests":[{"deleteDimension":{"range":{"dimension":"ROWS"}}}]}`, 400, "You can't delete all the rows on the sheet."},
		{"last sheet", `{"requests":[{"deleteSheet":{}}]}`, 400, "You can't remove all the sheets in a document."},
		{"duplicate title", `{"requests":[{"addSheet":{"properties":{"title":"sheet1"}}}]}`, 400, `A sheet with the name "sheet1" already exists. Please enter another name.`},
		{"cell limit", `{"requests":[{"appendDimension":{"dimension":"ROWS","length":400000}}]}`, 400, "This action would increase the number of cells in the workbook above the limit of 10000000 cells."},
		{"column limit", `{"requests":[{"appendDimension":{"dimension":"COLUMNS","length":18253}}]}`, 400, "This action would increase the number of columns in the sheet above the limit of 18278."},
		{"long cell", `{"requests":[{"updateCells":{"start":{},"fields":"userEnteredValue","rows":[{"values":[{"userEnteredValue":{"stringValue":"` + strings.Repeat("x", 50001) + `"}}]}]}}]}`, 400, "Your input contains more than the maximum of 50000 characters in a single cell."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.ReplaceAll(tt.body, `{}`, `{"sheetId":`+itoa(int(e.sheetID))+`}`)
			body = strings.ReplaceAll(body, `"range":{"dimension"`, `"range":{"sheetId":`+itoa(int(e.sheetID))+`,"dimension"`)
			body = strings.ReplaceAll(body, `"appendDimension":{`, `"appendDimension":{"sheetId":`+itoa(int(e.sheetID))+`,`)
			if tt.name == "unknown request" || tt.name == "two kinds" || tt.name == "not implemented" || tt.name == "empty request" {
				body = tt.body
			}
			code, msg := postRaw(t, e, ":batchUpdate", body)
			if code != tt.code || (tt.msg != "" && !strings.HasSuffix(msg, tt.msg)) {
				t.Errorf("batchUpdate(%s) = %d %q, want %d ...%q", tt.name, code, msg, tt.code, tt.msg)
			}
		})
	}
	if got := e.snapshot(t, "Sheet1"); len(got) != 0 {
		t.Errorf("Snapshot after failed requests = %q, want empty", got)
	}
}

func TestUpdateCellsFieldMasks(t *testing.T) {
	e := newEnv(t)
	base := func(t *testing.T) {
		t.Helper()
		if _, err := e.batch(updateCellsReq(e.sheetID, 0, 0, "userEnteredValue,userEnteredFormat.numberFormat",
			[]*sheets.CellData{num(1234.5, "#,##0.00"), num(2, "0.00")},
			[]*sheets.CellData{num(3, "0"), num(4, "0")})); err != nil {
			t.Fatalf("BatchUpdate(base) error = %v", err)
		}
	}
	tests := []struct {
		name string
		req  *sheets.Request
		want [][]string
	}{
		{"value keeps format", updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{num(7, "")}),
			[][]string{{"7.00", "2.00"}, {"3", "4"}}},
		{"format keeps value", updateCellsReq(e.sheetID, 0, 0, "userEnteredFormat.numberFormat", []*sheets.CellData{num(0, `0.0 "EUR"`)}),
			[][]string{{"1234.5 EUR", "2.00"}, {"3", "4"}}},
		{"empty cell clears masked fields", updateCellsReq(e.sheetID, 0, 1, "userEnteredValue", []*sheets.CellData{{}}),
			[][]string{{"1,234.50", ""}, {"3", "4"}}},
		{"start leaves uncovered cells", updateCellsReq(e.sheetID, 1, 0, "*", []*sheets.CellData{str("s")}),
			[][]string{{"1,234.50", "2.00"}, {"s", "4"}}},
		{"range clears uncovered cells", &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Range:  &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 0, EndRowIndex: 2, StartColumnIndex: 0, EndColumnIndex: 2},
			Fields: "userEnteredValue", Rows: []*sheets.RowData{{Values: []*sheets.CellData{str("r")}}}}},
			[][]string{{"r"}}},
		{"repeat cell", &sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
			Range:  &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 0, EndRowIndex: 2, StartColumnIndex: 1, EndColumnIndex: 2},
			Fields: "userEnteredFormat.numberFormat", Cell: num(0, "[$€]#,##0.00")}},
			[][]string{{"1,234.50", "€2.00"}, {"3", "€4.00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base(t)
			if _, err := e.batch(tt.req); err != nil {
				t.Fatalf("BatchUpdate() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, e.snapshot(t, "Sheet1")); diff != "" {
				t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendCells(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Update(e.id, addSheetReq("Log", 2, 3)); err != nil {
		t.Fatalf("Update() error = %v", err)
	}
	logID := e.tabID(t, "Log")
	e.put(t, "Log!A1", []any{"h"})
	row := func(s string) *sheets.RowData { return &sheets.RowData{Values: []*sheets.CellData{str(s)}} }
	if _, err := e.batch(&sheets.Request{AppendCells: &sheets.AppendCellsRequest{SheetId: logID, Fields: "userEnteredValue", Rows: []*sheets.RowData{row("a"), row("b")}}}); err != nil {
		t.Fatalf("BatchUpdate(appendCells) error = %v", err)
	}
	if diff := cmp.Diff([][]string{{"h"}, {"a"}, {"b"}}, e.snapshot(t, "Log")); diff != "" {
		t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
	}
}

// rowKeys returns the values of column A and, per row, the metadata values.
func rowKeys(t *testing.T, e *env) ([]string, map[string]int64) {
	t.Helper()
	var keys []string
	for _, r := range e.snapshot(t, "Sheet1") {
		keys = append(keys, r[0])
	}
	meta, err := e.s.Metadata(e.id)
	if err != nil {
		t.Fatalf("Metadata() error = %v", err)
	}
	at := map[string]int64{}
	for _, m := range meta {
		if m.Location.LocationType == "ROW" {
			at[m.MetadataValue] = m.Location.DimensionRange.StartIndex
		}
	}
	return keys, at
}

// tagRows writes keys into column A and tags each row with metadata
// key=row, value=its key.
func tagRows(t *testing.T, e *env, keys ...string) {
	t.Helper()
	var reqs []*sheets.Request
	for i, k := range keys {
		e.put(t, "A"+itoa(i+1), []any{k})
		reqs = append(reqs, &sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "row", MetadataValue: k, Visibility: "DOCUMENT",
			Location: &sheets.DeveloperMetadataLocation{DimensionRange: &sheets.DimensionRange{SheetId: e.sheetID, Dimension: "ROWS", StartIndex: int64(i), EndIndex: int64(i + 1)}},
		}}})
	}
	if _, err := e.batch(reqs...); err != nil {
		t.Fatalf("BatchUpdate(createDeveloperMetadata) error = %v", err)
	}
}

func dimRange(sheetID int64, dim string, start, end int64) *sheets.DimensionRange {
	return &sheets.DimensionRange{SheetId: sheetID, Dimension: dim, StartIndex: start, EndIndex: end}
}

func TestDimensionsCarryMetadata(t *testing.T) {
	tests := []struct {
		name     string
		req      func(id int64) *sheets.Request
		wantKeys []string
		wantAt   map[string]int64
	}{
		{"insert above", func(id int64) *sheets.Request {
			return &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(id, "ROWS", 1, 3)}}
		}, []string{"h", "", "", "a", "b", "c"}, map[string]int64{"h": 0, "a": 3, "b": 4, "c": 5}},
		{"delete a row", func(id int64) *sheets.Request {
			return &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{Range: dimRange(id, "ROWS", 2, 3)}}
		}, []string{"h", "a", "c"}, map[string]int64{"h": 0, "a": 1, "c": 2}},
		{"move a row down", func(id int64) *sheets.Request {
			return &sheets.Request{MoveDimension: &sheets.MoveDimensionRequest{Source: dimRange(id, "ROWS", 1, 2), DestinationIndex: 4}}
		}, []string{"h", "b", "c", "a"}, map[string]int64{"h": 0, "b": 1, "c": 2, "a": 3}},
		{"move rows up", func(id int64) *sheets.Request {
			return &sheets.Request{MoveDimension: &sheets.MoveDimensionRequest{Source: dimRange(id, "ROWS", 2, 4), DestinationIndex: 1}}
		}, []string{"h", "b", "c", "a"}, map[string]int64{"h": 0, "b": 1, "c": 2, "a": 3}},
		{"insert a column", func(id int64) *sheets.Request {
			return &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(id, "COLUMNS", 0, 1)}}
		}, []string{"", "", "", ""}, map[string]int64{"h": 0, "a": 1, "b": 2, "c": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tagRows(t, e, "h", "a", "b", "c")
			if _, err := e.batch(tt.req(e.sheetID)); err != nil {
				t.Fatalf("BatchUpdate() error = %v", err)
			}
			keys, at := rowKeys(t, e)
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("column A mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAt, at); diff != "" {
				t.Errorf("metadata rows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInsertDimensionInherits(t *testing.T) {
	for before, want := range map[bool]string{true: "5.00", false: "5 x"} {
		t.Run(map[bool]string{true: "from before", false: "from after"}[before], func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.batch(updateCellsReq(e.sheetID, 0, 0, "userEnteredValue,userEnteredFormat.numberFormat",
				[]*sheets.CellData{num(1, "0.00")}, []*sheets.CellData{num(2, `0 "x"`)})); err != nil {
				t.Fatalf("BatchUpdate() error = %v", err)
			}
			if _, err := e.batch(&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(e.sheetID, "ROWS", 1, 2), InheritFromBefore: before}}); err != nil {
				t.Fatalf("BatchUpdate(insertDimension) error = %v", err)
			}
			if got := e.snapshot(t, "Sheet1"); len(got) != 3 || got[1][0] != "" {
				t.Fatalf("Snapshot after insert = %q, want an empty row 2", got)
			}
			e.put(t, "A2", []any{5})
			if c, err := e.s.Cell(e.id, "Sheet1", "A2"); err != nil || c.Formatted != want {
				t.Errorf("Cell(A2).Formatted = %q, %v; want %q", c.Formatted, err, want)
			}
		})
	}
}

func TestSortRange(t *testing.T) {
	rows := [][]any{
		{"key", "n"},
		{"b", 2}, {"", 1}, {"A", 3}, {10, 4}, {true, 5}, {2, 6}, {"a", 7}, {false, 8}, {"c", 9},
	}
	tests := []struct {
		name  string
		specs []*sheets.SortSpec
		want  []string // column B after the sort
	}{
		{"ascending", []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "ASCENDING"}},
			[]string{"6", "4", "3", "7", "2", "9", "8", "5", "1"}},
		{"descending", []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "DESCENDING"}},
			[]string{"5", "8", "9", "2", "3", "7", "4", "6", "1"}},
		{"second spec breaks ties", []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "ASCENDING"}, {DimensionIndex: 1, SortOrder: "DESCENDING"}},
			[]string{"6", "4", "7", "3", "2", "9", "8", "5", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.put(t, "A1", rows...)
			if _, err := e.batch(&sheets.Request{SortRange: &sheets.SortRangeRequest{
				Range: &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 0, EndColumnIndex: 2}, SortSpecs: tt.specs}}); err != nil {
				t.Fatalf("BatchUpdate(sortRange) error = %v", err)
			}
			var got []string
			for _, r := range e.snapshot(t, "Sheet1")[1:] {
				got = append(got, r[1])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sorted column B mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSortRangeMovesRowMetadata(t *testing.T) {
	for _, leave := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "leaving metadata"}[leave], func(t *testing.T) {
			var opts []Option
			if leave {
				opts = append(opts, WithSortLeavingRowMetadata())
			}
			e := newEnv(t, opts...)
			tagRows(t, e, "h", "c", "a", "b")
			sortReq := func(endCol int64) *sheets.Request {
				return &sheets.Request{SortRange: &sheets.SortRangeRequest{
					Range:     &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 1, EndRowIndex: 4, EndColumnIndex: endCol},
					SortSpecs: []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "ASCENDING"}}}}
			}
			if _, err := e.batch(sortReq(0)); err != nil {
				t.Fatalf("BatchUpdate(sortRange) error = %v", err)
			}
			keys, at := rowKeys(t, e)
			wantAt := map[string]int64{"h": 0, "a": 1, "b": 2, "c": 3}
			if leave {
				wantAt = map[string]int64{"h": 0, "c": 1, "a": 2, "b": 3}
			}
			if diff := cmp.Diff([]string{"h", "a", "b", "c"}, keys); diff != "" {
				t.Errorf("keys mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAt, at); diff != "" {
				t.Errorf("metadata rows mismatch (-want +got):\n%s", diff)
			}
			// A sort of part of the rows moves cells only.
			if _, err := e.batch(&sheets.Request{SortRange: &sheets.SortRangeRequest{
				Range:     &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 1, EndRowIndex: 4, EndColumnIndex: 1},
				SortSpecs: []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "DESCENDING"}}}}); err != nil {
				t.Fatalf("BatchUpdate(sortRange) error = %v", err)
			}
			if _, at2 := rowKeys(t, e); !cmp.Equal(at, at2) {
				t.Errorf("partial sort moved metadata: %v, want %v", at2, at)
			}
		})
	}
}

func TestSheetProperties(t *testing.T) {
	e := newEnv(t)
	resp, err := e.batch(addSheetReq("Orders", 5, 4))
	if err != nil {
		t.Fatalf("BatchUpdate(addSheet) error = %v", err)
	}
	p := resp.Replies[0].AddSheet.Properties
	if p.SheetId <= 0 || p.Index != 1 || p.GridProperties.RowCount != 5 || p.SheetType != "GRID" {
		t.Errorf("addSheet reply = %+v, want a positive id, index 1, 5 rows", p)
	}
	_, err = e.batch(&sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
		Properties: &sheets.SheetProperties{SheetId: p.SheetId, Title: "Orders 2025", Index: 0,
			GridProperties: &sheets.GridProperties{FrozenRowCount: 1, RowCount: 50, ColumnCount: 4}},
		Fields: "title,index,gridProperties(frozenRowCount,rowCount)",
	}})
	if err == nil {
		t.Fatal("updateSheetProperties with a parenthesised mask error = nil, want 400")
	}
	_, err = e.batch(&sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
		Properties: &sheets.SheetProperties{SheetId: p.SheetId, Title: "Orders 2025", Index: 0,
			GridProperties: &sheets.GridProperties{FrozenRowCount: 1, RowCount: 50}},
		Fields: "title,index,gridProperties.frozenRowCount,gridProperties.rowCount",
	}})
	if err != nil {
		t.Fatalf("BatchUpdate(updateSheetProperties) error = %v", err)
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	got := ss.Sheets[0].Properties
	if got.Title != "Orders 2025" || got.Index != 0 || got.GridProperties.FrozenRowCount != 1 || got.GridProperties.RowCount != 50 || got.GridProperties.ColumnCount != 4 {
		t.Errorf("properties after update = %+v %+v", got, got.GridProperties)
	}
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "'Orders 2025'!A50").Do(); err != nil {
		t.Errorf("Values.Get(renamed tab) error = %v", err)
	}
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "Orders!A1").Do(); err == nil {
		t.Error("Values.Get(old tab name) error = nil, want 400")
	}
}

func TestProtectedRangesAndFilters(t *testing.T) {
	e := newEnv(t)
	resp, err := e.batch(&sheets.Request{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
		Description: "header", Range: &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 0, EndRowIndex: 1}}}},
		&sheets.Request{SetBasicFilter: &sheets.SetBasicFilterRequest{Filter: &sheets.BasicFilter{Range: &sheets.GridRange{SheetId: e.sheetID, EndRowIndex: 10}}}},
		&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(e.sheetID, "ROWS", 0, 2)}},
	)
	if err != nil {
		t.Fatalf("BatchUpdate() error = %v", err)
	}
	id := resp.Replies[0].AddProtectedRange.ProtectedRange.ProtectedRangeId
	ss, err := e.svc.Spreadsheets.Get(e.id).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	pr := ss.Sheets[0].ProtectedRanges
	if len(pr) != 1 || pr[0].ProtectedRangeId != id || pr[0].Range.StartRowIndex != 2 || pr[0].Range.EndRowIndex != 3 {
		t.Errorf("protected ranges after insert = %+v, want the header moved to row 3", pr)
	}
	if f := ss.Sheets[0].BasicFilter; f == nil || f.Range.EndRowIndex != 12 {
		t.Errorf("basic filter after insert = %+v, want its end moved to 12", f)
	}
	if _, err := e.batch(&sheets.Request{DeleteProtectedRange: &sheets.DeleteProtectedRangeRequest{ProtectedRangeId: id}},
		&sheets.Request{ClearBasicFilter: &sheets.ClearBasicFilterRequest{SheetId: e.sheetID}}); err != nil {
		t.Fatalf("BatchUpdate(delete) error = %v", err)
	}
	if _, err := e.batch(&sheets.Request{DeleteProtectedRange: &sheets.DeleteProtectedRangeRequest{ProtectedRangeId: id}}); err == nil {
		t.Error("deleting a deleted protected range error = nil, want 400")
	}
}

func TestInsertAndDeleteRange(t *testing.T) {
	e := newEnv(t)
	e.put(t, "A1", []any{"a1", "b1"}, []any{"a2", "b2"})
	g := &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 0, EndRowIndex: 1, StartColumnIndex: 0, EndColumnIndex: 1}
	if _, err := e.batch(&sheets.Request{InsertRange: &sheets.InsertRangeRequest{Range: g, ShiftDimension: "ROWS"}}); err != nil {
		t.Fatalf("BatchUpdate(insertRange) error = %v", err)
	}
	if diff := cmp.Diff([][]string{{"", "b1"}, {"a1", "b2"}, {"a2", ""}}, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("after insertRange (-want +got):\n%s", diff)
	}
	if _, err := e.batch(&sheets.Request{DeleteRange: &sheets.DeleteRangeRequest{Range: g, ShiftDimension: "COLUMNS"}}); err != nil {
		t.Fatalf("BatchUpdate(deleteRange) error = %v", err)
	}
	if diff := cmp.Diff([][]string{{"b1", ""}, {"a1", "b2"}, {"a2", ""}}, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("after deleteRange (-want +got):\n%s", diff)
	}
}

func TestIncludeSpreadsheetInResponse(t *testing.T) {
	e := newEnv(t)
	resp, err := e.svc.Spreadsheets.BatchUpdate(e.id, &sheets.BatchUpdateSpreadsheetRequest{
		Requests:                     []*sheets.Request{updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{str("x")})},
		IncludeSpreadsheetInResponse: true, ResponseIncludeGridData: true, ResponseRanges: []string{"A1:B2"},
	}).Do()
	if err != nil {
		t.Fatalf("BatchUpdate() error = %v", err)
	}
	d := resp.UpdatedSpreadsheet.Sheets[0].Data[0]
	if got := d.RowData[0].Values[0].FormattedValue; got != "x" || len(d.RowMetadata) != 2 || len(d.ColumnMetadata) != 2 {
		t.Errorf("UpdatedSpreadsheet data = %q, %d rows, %d columns of metadata; want x, 2, 2", got, len(d.RowMetadata), len(d.ColumnMetadata))
	}
}

// A pivot table is stored at its anchor cell and read back as written;
// one without a source is refused, as Google refuses it.
func TestPivotTableStored(t *testing.T) {
	e := newEnv(t)
	pt := &sheets.PivotTable{
		Source: &sheets.GridRange{SheetId: e.sheetID, StartRowIndex: 0, EndColumnIndex: 3},
		Rows:   []*sheets.PivotGroup{{SourceColumnOffset: 1, SortOrder: "ASCENDING", ShowTotals: true}},
		Values: []*sheets.PivotValue{{SourceColumnOffset: 2, SummarizeFunction: "SUM", Name: "revenue"}},
	}
	write := func(pt *sheets.PivotTable) error {
		_, err := e.svc.Spreadsheets.BatchUpdate(e.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: e.sheetID, RowIndex: 5, ColumnIndex: 1},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{PivotTable: pt}}}},
			Fields: "pivotTable",
		}}}}).Do()
		return err
	}
	if err := write(pt); err != nil {
		t.Fatalf("updateCells(pivotTable) error = %v", err)
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Ranges("Sheet1!B6").IncludeGridData(true).Fields("sheets(data(rowData(values(pivotTable))))").Do()
	if err != nil {
		t.Fatal(err)
	}
	got := ss.Sheets[0].Data[0].RowData[0].Values[0].PivotTable
	if got == nil || got.Rows[0].SourceColumnOffset != 1 || got.Values[0].SummarizeFunction != "SUM" || got.Source.EndColumnIndex != 3 {
		t.Errorf("pivot table read back = %+v, want the one written", got)
	}
	if err := write(&sheets.PivotTable{Values: pt.Values}); err == nil {
		t.Error("a pivot table without a source was stored, want 400")
	}
}
