package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
)

// A backfill fills every destination a row belongs to: the example's
// online shop (channel web: every order of a Shopify export) gets each
// admitted order once, in its five columns, and Lyon's (no order of the
// export is Lyon's) none. Run twice, it writes nothing new anywhere.
func TestBackfillFillsEveryDestination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lyon, online := f.emu.CreateSpreadsheet("lyon", "Orders", "Bookings"), f.emu.CreateSpreadsheet("online", "Orders")
	data, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	// The example names the main spreadsheet, lyon, then online, each
	// with id "".
	i := bytes.Index(data, []byte("\ndestinations:"))
	data, rest := data[:i:i], data[i:]
	rest = bytes.Replace(rest, []byte(`id: ""`), []byte(`id: "`+lyon+`"`), 1)
	rest = bytes.Replace(rest, []byte(`id: ""`), []byte(`id: "`+online+`"`), 1)
	data = append(data, rest...)
	if err := os.WriteFile(f.config, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if f.cfg, err = config.Load(f.config); err != nil || f.cfg.Destinations["online"].Spreadsheet.ID != online || f.cfg.Destinations["lyon"].Spreadsheet.ID != lyon {
		t.Fatalf("configuration with the destinations' ids: %v", err)
	}
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 300})
	want, _ := expected(t, path)
	args := f.args(export.ShopifyCSV, path)
	if r := f.run(context.Background(), deps{}, args...); r.err != nil {
		t.Fatalf("backfill: %v\n%s", r.err, r.stderr)
	}

	got, err := f.emu.Snapshot(online, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !slices.Equal(got[0][:5], []string{"order_id", "order_date", "status", "items", "total"}) {
		t.Fatalf("online's header = %q, want its five columns first", got)
	}
	seen := map[string]int{}
	for _, r := range got[1:] {
		if r[0] != "" {
			seen[r[0]]++
		}
	}
	lost, doubled := 0, 0
	for id := range want {
		switch seen[id] {
		case 0:
			lost++
		case 1:
		default:
			doubled++
		}
	}
	if lost != 0 || doubled != 0 || len(seen) != len(want) {
		t.Errorf("online holds %d orders of %d: lost=%d doubled=%d, want every one once and no other", len(seen), len(want), lost, doubled)
	}
	if rows, _ := f.emu.Snapshot(lyon, "Orders"); len(rows) > 1 {
		t.Errorf("lyon's Orders = %d rows, want none: no order of the export is Lyon's", len(rows)-1)
	}

	f.emu.ResetStats()
	if r := f.run(context.Background(), deps{}, args...); r.err != nil {
		t.Fatalf("second backfill: %v", r.err)
	}
	if w := f.emu.Stats().Writes; w != 0 {
		t.Errorf("second backfill sent %d write requests, want 0 in every spreadsheet", w)
	}
}
