package gsheets

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// The alternative the package documentation weighs: developer metadata on
// each row (key "safeview.row", value the order id), updates written with
// values.batchUpdateByDataFilter, which finds the row wherever it is at
// write time. This test measures it against the sink on the same flush,
// one update and one new order, and shows what a sort does to it when
// row metadata stays where it was, which Google does not document either
// way. It prints its figures; the choice is argued in doc.go and
// docs/sheet.md.
func TestRowMetadataAlternative(t *testing.T) {
	t.Parallel()
	// The sink: one flush, one write request.
	f := newFixture(t)
	f.seed(5)
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	blocker := f.upsertAsync(row("1001", 9, "paid"))
	<-paused
	before := f.emu.Stats()
	a, b := f.upsertAsync(row("1002", 12, "refunded")), f.upsertAsync(row("1006", 6, "paid"))
	f.waitQueued(2)
	release()
	<-blocker
	<-a
	<-b
	sinkWrites := f.emu.Stats().Writes - before.Writes - 1 // the blocker's flush

	for _, leaves := range []bool{false, true} {
		var opts []gsheetstest.Option
		if leaves {
			opts = append(opts, gsheetstest.WithSortLeavingRowMetadata())
		}
		emu := gsheetstest.NewServer(t, opts...)
		id := emu.CreateSpreadsheet("alt", "Orders")
		svc, err := emu.Service(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := &metaWriter{t: t, emu: emu, svc: svc, id: id}
		m.sheet = m.sheetID()
		for i := 1; i <= 5; i++ {
			m.insert(strconv.Itoa(1000+i), "paid", float64(i)+0.5)
		}
		// The team sorts by total, descending, across every column.
		if err := emu.Update(id, sortByTotal(m.sheet)); err != nil {
			t.Fatal(err)
		}
		emu.ResetStats()
		// The same flush: update 1002, add 1006. batchUpdateByDataFilter
		// cannot add a row, and batchUpdate cannot find one by metadata:
		// two write requests.
		m.update("1002", "refunded", 12.5)
		m.insert("1006", "paid", 6.5)
		writes := emu.Stats().Writes
		rows, _ := emu.Snapshot(id, "Orders")
		landed := "the row of 1002"
		seen := map[string]int{}
		for _, r := range rows[1:] {
			seen[r[0]]++
		}
		for i := 1001; i <= 1006; i++ {
			if k := strconv.Itoa(i); seen[k] == 0 {
				landed = "the row of " + k + ", overwritten whole: " + k + " is gone and 1002 is on " + strconv.Itoa(seen["1002"]) + " rows"
			}
		}
		sortRule := "moves row metadata"
		if leaves {
			sortRule = "leaves row metadata in place"
		}
		fmt.Printf("mechanism: one update and one new order: the sink sends %d write request(s); row metadata sends %d; after a sort that %s, the metadata update landed on %s\n",
			sinkWrites, writes, sortRule, landed)
		if writes != 2 || sinkWrites != 1 {
			t.Errorf("write requests: sink %d, metadata %d; want 1 and 2", sinkWrites, writes)
		}
		if wrong := landed != "the row of 1002"; wrong != leaves {
			t.Errorf("after a sort that %s, the update landed on %s", sortRule, landed)
		}
	}
}

// metaWriter is the alternative, reduced to what the comparison needs:
// columns A (key), B (status), C (total).
type metaWriter struct {
	t     *testing.T
	emu   *gsheetstest.Server
	svc   *sheets.Service
	id    string
	sheet int64
}

func (m *metaWriter) sheetID() int64 {
	ss, err := m.svc.Spreadsheets.Get(m.id).Do()
	if err != nil {
		m.t.Fatal(err)
	}
	return ss.Sheets[0].Properties.SheetId
}

// insert adds a row and its metadata: one batchUpdate.
func (m *metaWriter) insert(key, status string, total float64) {
	m.t.Helper()
	rows, _ := m.emu.Snapshot(m.id, "Orders")
	at := int64(max(len(rows), 1))
	_, err := m.svc.Spreadsheets.BatchUpdate(m.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{InsertDimension: &sheets.InsertDimensionRequest{Range: &sheets.DimensionRange{SheetId: m.sheet, Dimension: "ROWS", StartIndex: at, EndIndex: at + 1}, InheritFromBefore: true}},
		{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: m.sheet, RowIndex: at},
			Rows:   []*sheets.RowData{cellsOf(key, status, total)},
			Fields: "userEnteredValue",
		}},
		{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "safeview.row", MetadataValue: key, Visibility: "DOCUMENT",
			Location: &sheets.DeveloperMetadataLocation{DimensionRange: &sheets.DimensionRange{SheetId: m.sheet, Dimension: "ROWS", StartIndex: at, EndIndex: at + 1}},
		}}},
	}}).Do()
	if err != nil {
		m.t.Fatal(err)
	}
}

// update writes the row found by its metadata: one
// values.batchUpdateByDataFilter, from column A, whatever the row holds.
func (m *metaWriter) update(key, status string, total float64) {
	m.t.Helper()
	_, err := m.svc.Spreadsheets.Values.BatchUpdateByDataFilter(m.id, &sheets.BatchUpdateValuesByDataFilterRequest{
		ValueInputOption: "RAW",
		Data: []*sheets.DataFilterValueRange{{
			DataFilter: &sheets.DataFilter{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataKey: "safeview.row", MetadataValue: key}},
			Values:     [][]any{{key, status, total}},
		}},
	}).Do()
	if err != nil {
		m.t.Fatal(err)
	}
}

func cellsOf(key, status string, total float64) *sheets.RowData {
	return &sheets.RowData{Values: []*sheets.CellData{
		{UserEnteredValue: &sheets.ExtendedValue{StringValue: &key}},
		{UserEnteredValue: &sheets.ExtendedValue{StringValue: &status}},
		{UserEnteredValue: &sheets.ExtendedValue{NumberValue: &total}},
	}}
}
