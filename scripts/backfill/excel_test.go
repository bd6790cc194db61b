package main

import (
	"context"
	"slices"
	"testing"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/gsheets"
)

// excelRows reads the example's Excel table (compta's Ventes): the rows
// of each key.
func (f *fixture) excelRows() map[string][]row {
	f.t.Helper()
	d := f.excel.Destinations["compta"]
	all, err := f.excel.Graph.Table(d.DriveID, d.ItemID, d.Tables["Orders"])
	if err != nil {
		f.t.Fatal(err)
	}
	h := all[0]
	key, ver, status := slices.Index(h, "order_id"), slices.Index(h, excel.VersionHeader), slices.Index(h, "status")
	out := map[string][]row{}
	for _, r := range all[1:] {
		if r[key] == "" {
			continue // Excel's first, empty, row
		}
		_, v, _ := gsheets.ParseVersion(r[ver]) // the same "source:version" cell
		out[r[key]] = append(out[r[key]], row{version: v, status: r[status]})
	}
	return out
}

// A backfill reaches the Excel destination as the function's writes do:
// every paid order of the export on one row of the named table, at its
// newest version.
func TestBackfillReachesExcel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 300})
	want, _ := expected(t, path)
	if res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path)...); res.err != nil {
		t.Fatalf("backfill: %v", res.err)
	}
	got := f.excelRows()
	if lost, doubled := check(want, got); lost != 0 || doubled != 0 || len(got) == 0 {
		t.Errorf("Excel table: lost=%d doubled=%d of %d orders, want 0 and 0", lost, doubled, len(want))
	}
}
