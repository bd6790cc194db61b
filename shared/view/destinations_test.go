package view_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/view"
)

const partnersYAML = `
spreadsheet: {id: main, time_zone: Europe/Paris}
privacy: {pseudonym_key: pseudonym-key}
sheet: {write_requests_per_minute: 3000, read_requests_per_minute: 3000}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: store, field: order.store}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
destinations:
  vancouver:
    spreadsheet: {id: vancouver}
    where: order.store == "Vancouver"
    tables:
      Orders: {columns: [order_id, status]}
  everything:
    spreadsheet: {id: everything}
`

// partners is a view of partnersYAML over an emulator holding the three
// spreadsheets.
func partners(t *testing.T) (*view.View, func(title string) [][]string) {
	t.Helper()
	cfg, err := config.Parse("safeview.yaml", []byte(partnersYAML))
	if err != nil {
		t.Fatal(err)
	}
	emu := gsheetstest.NewServer(t)
	ids := map[string]string{}
	for _, d := range []*string{&cfg.Spreadsheet.ID, &cfg.Destinations["vancouver"].Spreadsheet.ID, &cfg.Destinations["everything"].Spreadsheet.ID} {
		title := *d
		*d = emu.CreateSpreadsheet(title, "Orders")
		ids[title] = *d
	}
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: keys, Sheets: svc})
	if err != nil {
		t.Fatal(err)
	}
	return v, func(title string) [][]string {
		t.Helper()
		rows, err := emu.Snapshot(ids[title], "Orders")
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
}

func storeOrder(id, store, status string, version int64) *platform.Event {
	ev := order(id, "#"+id, status)
	ev.Order.Store, ev.Version = store, version
	return ev
}

// A partner's spreadsheet holds the rows its where chooses, in the columns
// it keeps; an order that stops matching leaves it; an erasure reaches it.
func TestPartnerDestinations(t *testing.T) {
	t.Parallel()
	v, tabOf := partners(t)
	ctx := context.Background()
	write := func(ev *platform.Event, want model.Result, wantVan model.Result) {
		t.Helper()
		outs, err := v.Write(ctx, "shop", ev)
		if err != nil || len(outs) != 1 || outs[0].Result != want || outs[0].Destinations["vancouver"] != wantVan {
			t.Fatalf("Write(%s %s) = %+v, %v, want main %s, vancouver %s", ev.Order.ID, ev.Order.Store, outs, err, want, wantVan)
		}
	}
	write(storeOrder("1", "Vancouver", "paid", 1), model.Written, model.Written)
	write(storeOrder("2", "Toronto", "paid", 1), model.Written, model.Filtered)
	write(storeOrder("3", "Vancouver", "pending", 1), model.Filtered, model.Filtered)
	// Order 1 moved to Toronto: it leaves Vancouver's spreadsheet...
	write(storeOrder("1", "Toronto", "paid", 2), model.Written, model.Removed)
	// ...and an older delivery that still said Vancouver does not bring it back.
	write(storeOrder("1", "Vancouver", "paid", 1), model.Stale, model.Stale)
	write(storeOrder("4", "Vancouver", "paid", 1), model.Written, model.Written)

	main := tabOf("main")
	if len(main) != 4 {
		t.Errorf("main spreadsheet holds %d rows, want 3 orders and the header:\n%v", len(main), main)
	}
	van := tabOf("vancouver")
	if diff := cmp.Diff([][]string{{"order_id", "status", "_safeview_version"}, {"4", "paid", "shop:1"}}, van); diff != "" {
		t.Errorf("vancouver's spreadsheet (-want +got):\n%s", diff)
	}
	if all := tabOf("everything"); len(all) != 4 {
		t.Errorf("the destination without where holds %d rows, want the header and 3", len(all))
	}
	for _, r := range van {
		if strings.Contains(strings.Join(r, " "), "c_") {
			t.Errorf("vancouver's row %v holds a customer_ref it does not keep", r)
		}
	}

	// An erasure of order 4's customer reaches every destination.
	done, err := v.Erase(ctx, erasure.Request{Scope: platform.EraseCustomer, Sources: []string{"shop"}, OrderIDs: []string{"4"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if done.Changed() != 1 || done.Destinations["everything"].Changed() != 1 {
		t.Errorf("Erase(order 4) changed main %d, everything %d, want 1 and 1", done.Changed(), done.Destinations["everything"].Changed())
	}
	if got := v.StatsOf("vancouver").Flushes; got == 0 {
		t.Error("vancouver's destination wrote nothing")
	}
}
