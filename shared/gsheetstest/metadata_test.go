package gsheetstest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"
)

func lookup(l *sheets.DeveloperMetadataLookup) *sheets.DataFilter {
	return &sheets.DataFilter{DeveloperMetadataLookup: l}
}

func TestDeveloperMetadata(t *testing.T) {
	e := newEnv(t)
	tagRows(t, e, "h", "a", "b")
	resp, err := e.batch(&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
		MetadataId: 42, MetadataKey: "schema", MetadataValue: "v1", Visibility: "PROJECT",
		Location: &sheets.DeveloperMetadataLocation{SheetId: e.sheetID}}}},
		&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "column", MetadataValue: "key", Visibility: "DOCUMENT",
			Location: &sheets.DeveloperMetadataLocation{DimensionRange: dimRange(e.sheetID, "COLUMNS", 0, 1)}}}},
		&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "book", Visibility: "DOCUMENT", Location: &sheets.DeveloperMetadataLocation{Spreadsheet: true}}}},
	)
	if err != nil {
		t.Fatalf("BatchUpdate(createDeveloperMetadata) error = %v", err)
	}
	if got := resp.Replies[0].CreateDeveloperMetadata.DeveloperMetadata; got.MetadataId != 42 || got.Location.LocationType != "SHEET" {
		t.Errorf("create reply = %+v, want id 42 on the sheet", got)
	}
	if got := resp.Replies[1].CreateDeveloperMetadata.DeveloperMetadata; got.MetadataId <= 0 || got.Location.LocationType != "COLUMN" {
		t.Errorf("create reply = %+v, want a positive id on a column", got)
	}

	search := func(t *testing.T, filters ...*sheets.DataFilter) []string {
		t.Helper()
		r, err := e.svc.Spreadsheets.DeveloperMetadata.Search(e.id, &sheets.SearchDeveloperMetadataRequest{DataFilters: filters}).Do()
		if err != nil {
			t.Fatalf("DeveloperMetadata.Search() error = %v", err)
		}
		var out []string
		for _, m := range r.MatchedDeveloperMetadata {
			out = append(out, m.DeveloperMetadata.MetadataKey+"="+m.DeveloperMetadata.MetadataValue)
		}
		return out
	}
	row1 := &sheets.DeveloperMetadataLocation{DimensionRange: dimRange(e.sheetID, "ROWS", 1, 2)}
	tests := []struct {
		name    string
		filters []*sheets.DataFilter
		want    []string
	}{
		{"by key and value", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataKey: "row", MetadataValue: "b"})}, []string{"row=b"}},
		{"by id", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataId: 42})}, []string{"schema=v1"}},
		{"by visibility", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{Visibility: "PROJECT"})}, []string{"schema=v1"}},
		{"by location type", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{LocationType: "COLUMN"})}, []string{"column=key"}},
		{"exact row", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataLocation: row1, LocationMatchingStrategy: "EXACT_LOCATION"})}, []string{"row=a"}},
		{"intersecting row", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataLocation: row1})}, []string{"schema=v1", "row=a", "column=key"}},
		{"spreadsheet", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataLocation: &sheets.DeveloperMetadataLocation{Spreadsheet: true}})}, []string{"book="}},
		{"a1 range", []*sheets.DataFilter{{A1Range: "Sheet1!B2:B3"}}, []string{"schema=v1", "row=a", "row=b"}},
		{"any filter", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataValue: "h"}), lookup(&sheets.DeveloperMetadataLookup{MetadataValue: "b"})}, []string{"row=h", "row=b"}},
		{"nothing", []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataKey: "nope"})}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, search(t, tt.filters...)); diff != "" {
				t.Errorf("Search() mismatch (-want +got):\n%s", diff)
			}
		})
	}

	got, err := e.svc.Spreadsheets.DeveloperMetadata.Get(e.id, 42).Do()
	if err != nil || got.MetadataValue != "v1" || got.Location.SheetId != e.sheetID {
		t.Errorf("DeveloperMetadata.Get(42) = %+v, %v; want schema=v1 on the sheet", got, err)
	}
	if _, err := e.svc.Spreadsheets.DeveloperMetadata.Get(e.id, 7).Do(); err == nil {
		t.Error("DeveloperMetadata.Get(7) error = nil, want 404")
	} else if code, _ := apiErr(t, err); code != 404 {
		t.Errorf("DeveloperMetadata.Get(7) code = %d, want 404", code)
	}

	// Update moves the metadata for "b" to row 1 and renames its value.
	_, err = e.batch(&sheets.Request{UpdateDeveloperMetadata: &sheets.UpdateDeveloperMetadataRequest{
		DataFilters:       []*sheets.DataFilter{lookup(&sheets.DeveloperMetadataLookup{MetadataKey: "row", MetadataValue: "b"})},
		DeveloperMetadata: &sheets.DeveloperMetadata{MetadataValue: "b2", Location: row1},
		Fields:            "metadataValue,location",
	}})
	if err != nil {
		t.Fatalf("BatchUpdate(updateDeveloperMetadata) error = %v", err)
	}
	exact := lookup(&sheets.DeveloperMetadataLookup{MetadataLocation: row1, LocationMatchingStrategy: "EXACT_LOCATION"})
	if diff := cmp.Diff([]string{"row=a", "row=b2"}, search(t, exact)); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	// Delete removes every match; deleting the row removes its metadata too.
	if _, err := e.batch(&sheets.Request{DeleteDeveloperMetadata: &sheets.DeleteDeveloperMetadataRequest{DataFilter: lookup(&sheets.DeveloperMetadataLookup{MetadataValue: "b2"})}},
		&sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{Range: dimRange(e.sheetID, "ROWS", 1, 2)}}); err != nil {
		t.Fatalf("BatchUpdate(delete) error = %v", err)
	}
	if diff := cmp.Diff([]string{"row=h"}, search(t, lookup(&sheets.DeveloperMetadataLookup{MetadataKey: "row"}))); diff != "" {
		t.Errorf("after delete (-want +got):\n%s", diff)
	}
}

func TestDeveloperMetadataErrors(t *testing.T) {
	e := newEnv(t)
	create := func(m *sheets.DeveloperMetadata) error {
		_, err := e.batch(&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: m}})
		return err
	}
	sheetLoc := &sheets.DeveloperMetadataLocation{SheetId: e.sheetID}
	if err := create(&sheets.DeveloperMetadata{MetadataId: 5, MetadataKey: "k", Visibility: "DOCUMENT", Location: sheetLoc}); err != nil {
		t.Fatalf("create error = %v", err)
	}
	tests := []struct {
		name string
		m    *sheets.DeveloperMetadata
	}{
		{"no key", &sheets.DeveloperMetadata{Visibility: "DOCUMENT", Location: sheetLoc}},
		{"no visibility", &sheets.DeveloperMetadata{MetadataKey: "k", Location: sheetLoc}},
		{"no location", &sheets.DeveloperMetadata{MetadataKey: "k", Visibility: "DOCUMENT"}},
		{"duplicate id", &sheets.DeveloperMetadata{MetadataId: 5, MetadataKey: "k", Visibility: "DOCUMENT", Location: sheetLoc}},
		{"negative id", &sheets.DeveloperMetadata{MetadataId: -1, MetadataKey: "k", Visibility: "DOCUMENT", Location: sheetLoc}},
		{"several rows", &sheets.DeveloperMetadata{MetadataKey: "k", Visibility: "DOCUMENT", Location: &sheets.DeveloperMetadataLocation{DimensionRange: dimRange(e.sheetID, "ROWS", 0, 2)}}},
		{"outside the grid", &sheets.DeveloperMetadata{MetadataKey: "k", Visibility: "DOCUMENT", Location: &sheets.DeveloperMetadataLocation{DimensionRange: dimRange(e.sheetID, "ROWS", 1000, 1001)}}},
		{"unknown sheet", &sheets.DeveloperMetadata{MetadataKey: "k", Visibility: "DOCUMENT", Location: &sheets.DeveloperMetadataLocation{SheetId: 77}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := apiErr(t, create(tt.m)); code != 400 {
				t.Errorf("create(%s) code = %d, want 400", tt.name, code)
			}
		})
	}
}

func TestValuesByDataFilter(t *testing.T) {
	e := newEnv(t)
	tagRows(t, e, "h", "a", "b")
	e.put(t, "B2", []any{"old"})
	byKey := lookup(&sheets.DeveloperMetadataLookup{MetadataKey: "row", MetadataValue: "a"})
	got, err := e.svc.Spreadsheets.Values.BatchGetByDataFilter(e.id, &sheets.BatchGetValuesByDataFilterRequest{
		DataFilters: []*sheets.DataFilter{byKey, {A1Range: "A3"}},
	}).Do()
	if err != nil {
		t.Fatalf("Values.BatchGetByDataFilter() error = %v", err)
	}
	var ranges []string
	for _, vr := range got.ValueRanges {
		ranges = append(ranges, vr.ValueRange.Range)
	}
	if diff := cmp.Diff([]string{"Sheet1!A2:Z2", "Sheet1!A3"}, ranges); diff != "" {
		t.Errorf("matched ranges mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{{"a", "old"}}, got.ValueRanges[0].ValueRange.Values); diff != "" {
		t.Errorf("matched values mismatch (-want +got):\n%s", diff)
	}

	up, err := e.svc.Spreadsheets.Values.BatchUpdateByDataFilter(e.id, &sheets.BatchUpdateValuesByDataFilterRequest{
		ValueInputOption: "RAW",
		Data:             []*sheets.DataFilterValueRange{{DataFilter: byKey, Values: [][]any{{nil, "new", 3}}}},
	}).Do()
	if err != nil {
		t.Fatalf("Values.BatchUpdateByDataFilter() error = %v", err)
	}
	if up.TotalUpdatedCells != 2 || up.Responses[0].UpdatedRange != "Sheet1!A2:C2" {
		t.Errorf("BatchUpdateByDataFilter() = %d cells, range %q; want 2, Sheet1!A2:C2", up.TotalUpdatedCells, up.Responses[0].UpdatedRange)
	}
	// The row moves; the filter follows it.
	if _, err := e.batch(&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(e.sheetID, "ROWS", 0, 1)}}); err != nil {
		t.Fatalf("BatchUpdate(insertDimension) error = %v", err)
	}
	_, err = e.svc.Spreadsheets.Values.BatchUpdateByDataFilter(e.id, &sheets.BatchUpdateValuesByDataFilterRequest{
		ValueInputOption: "RAW",
		Data:             []*sheets.DataFilterValueRange{{DataFilter: byKey, Values: [][]any{make([]any, 27)}}},
	}).Do()
	if code, _ := apiErr(t, err); code != 400 {
		t.Errorf("BatchUpdateByDataFilter(too wide) code = %d, want 400", code)
	}
	want := [][]string{{"", "", ""}, {"h", "", ""}, {"a", "new", "3"}, {"b", "", ""}}
	if diff := cmp.Diff(want, e.snapshot(t, "Sheet1")); diff != "" {
		t.Errorf("Snapshot mismatch (-want +got):\n%s", diff)
	}
	cl, err := e.svc.Spreadsheets.Values.BatchClearByDataFilter(e.id, &sheets.BatchClearValuesByDataFilterRequest{DataFilters: []*sheets.DataFilter{byKey}}).Do()
	if err != nil || len(cl.ClearedRanges) != 1 || cl.ClearedRanges[0] != "Sheet1!A3:Z3" {
		t.Errorf("BatchClearByDataFilter() = %+v, %v; want Sheet1!A3:Z3", cl, err)
	}
	ss, err := e.svc.Spreadsheets.GetByDataFilter(e.id, &sheets.GetSpreadsheetByDataFilterRequest{DataFilters: []*sheets.DataFilter{{A1Range: "Sheet1!A1:B2"}}, IncludeGridData: true}).Do()
	if err != nil || len(ss.Sheets) != 1 || len(ss.Sheets[0].Data) != 1 || len(ss.Sheets[0].Data[0].RowMetadata) != 2 {
		t.Errorf("GetByDataFilter() = %+v, %v; want one sheet with one block of 2 rows", ss, err)
	}
}

func TestGridDataShowsRowMetadata(t *testing.T) {
	e := newEnv(t)
	tagRows(t, e, "h", "a")
	if _, err := e.batch(&sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{
		Range: dimRange(e.sheetID, "ROWS", 1, 2), Properties: &sheets.DimensionProperties{HiddenByUser: true, PixelSize: 40}, Fields: "hiddenByUser,pixelSize"}}); err != nil {
		t.Fatalf("BatchUpdate(updateDimensionProperties) error = %v", err)
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Ranges("Sheet1!A1:B3").IncludeGridData(true).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	rm := ss.Sheets[0].Data[0].RowMetadata
	if len(rm) != 3 || !rm[1].HiddenByUser || rm[1].PixelSize != 40 || rm[0].PixelSize != 21 ||
		len(rm[1].DeveloperMetadata) != 1 || rm[1].DeveloperMetadata[0].MetadataValue != "a" {
		t.Errorf("rowMetadata = %+v, want row 2 hidden, 40px, tagged a", rm)
	}
}
