package view_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/view"
)

// onePartnerYAML is a main spreadsheet and one partner, van, whose where
// and the table's update policy the tests choose.
const onePartnerYAML = `
spreadsheet: {id: main, time_zone: Europe/Paris}
privacy: {pseudonym_key: pseudonym-key}
sheet: {write_requests_per_minute: 3000, read_requests_per_minute: 3000, project_write_requests_per_minute: 3000, project_read_requests_per_minute: 3000}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    updates: UPDATES
    columns:
      - {header: order_id, field: order.id}
      - {header: store, field: order.store}
      - {header: status, field: order.status}
destinations:
  van:
    spreadsheet: {id: van}
    where: WHERE
`

// partnerEnv is one emulator holding the main spreadsheet and van's.
type partnerEnv struct {
	t        *testing.T
	emu      *gsheetstest.Server
	main     string
	van      string
	sheetsOf func(name string) (*sheets.Service, error)
}

func newPartnerEnv(t *testing.T) *partnerEnv {
	t.Helper()
	emu := gsheetstest.NewServer(t)
	e := &partnerEnv{t: t, emu: emu, main: emu.CreateSpreadsheet("main", "Orders"), van: emu.CreateSpreadsheet("van", "Orders")}
	return e
}

// view is a View of onePartnerYAML with the given update policy and
// where: a deploy of that configuration.
func (e *partnerEnv) view(updates, where string) *view.View {
	e.t.Helper()
	src := strings.NewReplacer("UPDATES", updates, "WHERE", where).Replace(onePartnerYAML)
	cfg, err := config.Parse("safeview.yaml", []byte(src))
	if err != nil {
		e.t.Fatal(err)
	}
	cfg.Spreadsheet.ID, cfg.Destinations["van"].Spreadsheet.ID = e.main, e.van
	svc, err := e.emu.Service(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	d := view.Deps{Config: cfg, Secrets: keys, Sheets: svc}
	if e.sheetsOf != nil {
		d.SheetsFor = func(_ context.Context, name string) (*sheets.Service, error) { return e.sheetsOf(name) }
	}
	v, err := view.New(context.Background(), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// orders returns the order ids in a spreadsheet's Orders tab, with their
// store and status.
func (e *partnerEnv) orders(id string) []string {
	e.t.Helper()
	rows, err := e.emu.Snapshot(id, "Orders")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, strings.Join(r[:3], " "))
	}
	return out
}

func write(t *testing.T, v *view.View, ev *platform.Event, main, van model.Result) {
	t.Helper()
	outs, err := v.Write(context.Background(), "shop", ev)
	if err != nil || len(outs) != 1 || outs[0].Result != main || outs[0].Destinations["van"] != van {
		t.Fatalf("Write(%s %s %s v%d) = %+v, %v, want main %s, van %s", ev.Order.ID, ev.Order.Store, ev.Order.Status, ev.Version, outs, err, main, van)
	}
}

// With updates: filter, an update the filter keeps out changes nothing
// in the main spreadsheet; a partner keeps the row as the main
// spreadsheet shows it, even when the update also moved the order to
// another store, and an older version that still matched does not
// update it there either.
func TestPartnerFollowsTheUpdatePolicy(t *testing.T) {
	t.Parallel()
	e := newPartnerEnv(t)
	v := e.view("filter", `order.store == "Vancouver"`)
	write(t, v, storeOrder("1", "Vancouver", "paid", 1), model.Written, model.Written)
	write(t, v, storeOrder("1", "Toronto", "refunded", 3), model.Filtered, model.Filtered)
	write(t, v, storeOrder("1", "Vancouver", "paid", 2), model.Stale, model.Stale)
	for _, id := range []string{e.main, e.van} {
		if got := e.orders(id); len(got) != 1 || got[0] != "1 Vancouver paid" {
			t.Errorf("spreadsheet %s = %q, want order 1 kept as Vancouver, paid", id, got)
		}
	}
	// With updates: always (the default), the same update reaches the
	// main spreadsheet and takes the order out of Vancouver's.
	e2 := newPartnerEnv(t)
	v2 := e2.view("always", `order.store == "Vancouver"`)
	write(t, v2, storeOrder("1", "Vancouver", "paid", 1), model.Written, model.Written)
	write(t, v2, storeOrder("1", "Toronto", "refunded", 3), model.Written, model.Removed)
	if got := e2.orders(e2.van); len(got) != 0 {
		t.Errorf("van = %q, want no order", got)
	}
}

// A where changed between two deploys: sending the same versions again
// (the backfill does) takes out of the partner's spreadsheet the rows
// the new where no longer chooses, and brings in those it now chooses.
func TestPartnerWhereChangesBetweenDeploys(t *testing.T) {
	t.Parallel()
	e := newPartnerEnv(t)
	before := e.view("always", `order.store == "Vancouver"`)
	write(t, before, storeOrder("1", "Vancouver", "paid", 1), model.Written, model.Written)
	write(t, before, storeOrder("2", "Toronto", "paid", 1), model.Written, model.Filtered)

	after := e.view("always", `order.store == "Toronto"`)
	write(t, after, storeOrder("1", "Vancouver", "paid", 1), model.Unchanged, model.Removed)
	write(t, after, storeOrder("2", "Toronto", "paid", 1), model.Unchanged, model.Written)
	if got := e.orders(e.van); len(got) != 1 || got[0] != "2 Toronto paid" {
		t.Errorf("van after the new where = %q, want order 2 only", got)
	}
}

// A partner's spreadsheet never names the orders of other stores, not
// even in its hidden tabs: a partner who downloads the file sees their
// own orders and nothing more.
func TestPartnerSpreadsheetNamesNoOtherOrder(t *testing.T) {
	t.Parallel()
	e := newPartnerEnv(t)
	v := e.view("always", `order.store == "Vancouver"`)
	write(t, v, storeOrder("11", "Vancouver", "paid", 1), model.Written, model.Written)
	write(t, v, storeOrder("22", "Toronto", "paid", 1), model.Written, model.Filtered)
	write(t, v, storeOrder("33", "Toronto", "pending", 1), model.Filtered, model.Filtered)
	write(t, v, storeOrder("44", "Vancouver", "pending", 1), model.Filtered, model.Filtered)
	ss, err := e.emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ss.Spreadsheets.Get(e.van).IncludeGridData(true).Fields("sheets(properties(title),data(rowData(values(formattedValue))))").Do()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, sh := range got.Sheets {
		all.WriteString(sh.Properties.Title + ":")
		for _, g := range sh.Data {
			for _, r := range g.RowData {
				for _, c := range r.Values {
					all.WriteString(" " + c.FormattedValue)
				}
			}
		}
		all.WriteString("\n")
	}
	for _, other := range []string{"22", "33"} {
		if strings.Contains(all.String(), "/"+other) || strings.Contains(all.String(), " "+other+" ") {
			t.Errorf("van's spreadsheet names order %s of Toronto:\n%s", other, all.String())
		}
	}
	// Its own pending order is remembered there, as in the main one.
	if !strings.Contains(all.String(), "shop/44") {
		t.Errorf("van's marks do not remember its own pending order 44:\n%s", all.String())
	}
}

// A delivery answered 503 because one destination could not be written
// is sent again: the destinations its row reached answer from memory,
// with no request, and only the one it missed is written.
func TestRetryWaitsOnlyForTheDestinationsItMissed(t *testing.T) {
	t.Parallel()
	e := newPartnerEnv(t)
	partnerEmu := gsheetstest.NewServer(t)
	e.van = partnerEmu.CreateSpreadsheet("van", "Orders")
	e.sheetsOf = func(string) (*sheets.Service, error) { return partnerEmu.Service(context.Background()) }
	v := e.view("always", `order.store == "Vancouver"`)
	ctx := context.Background()

	partnerEmu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	// Long enough for the main spreadsheet to be written on a loaded
	// machine; van fails all along.
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := v.Write(short, "shop", storeOrder("1", "Vancouver", "paid", 1))
	cancel()
	var verr *view.Error
	if !errors.As(err, &verr) || verr.Destination != "van" || !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Write with van failing = %v, want van's ErrUnavailable", err)
	}
	if got := e.orders(e.main); len(got) != 1 {
		t.Fatalf("main = %q, want the order written there", got)
	}

	partnerEmu.ClearFaults()
	e.emu.ResetStats()
	write(t, v, storeOrder("1", "Vancouver", "paid", 1), model.Unchanged, model.Written)
	if n := e.emu.Stats().Reads + e.emu.Stats().Writes; n != 0 {
		t.Errorf("the retry sent %d requests to the main spreadsheet, which held its row: want 0", n)
	}
	write(t, v, storeOrder("1", "Vancouver", "paid", 0), model.Stale, model.Stale)
	if rows, err := partnerEmu.Snapshot(e.van, "Orders"); err != nil || len(rows) != 2 {
		t.Errorf("van = %q, %v, want the order", rows, err)
	}
}

// Without destinations the view writes as it always did: a delivery sent
// twice goes to the spreadsheet both times.
func TestNoMemoryWithoutDestinations(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("safeview.yaml", []byte(strings.Split(partnersYAML, "destinations:")[0]))
	if err != nil {
		t.Fatal(err)
	}
	emu := gsheetstest.NewServer(t)
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("main", "Orders")
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: keys, Sheets: svc})
	if err != nil {
		t.Fatal(err)
	}
	ev := storeOrder("1", "Vancouver", "paid", 1)
	if _, err := v.Write(context.Background(), "shop", ev); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	outs, err := v.Write(context.Background(), "shop", ev)
	if err != nil || outs[0].Result != model.Unchanged {
		t.Fatalf("Write again = %+v, %v, want unchanged", outs, err)
	}
	if emu.Stats().Reads == 0 {
		t.Error("the duplicate sent no request: without destinations the view must not answer from memory")
	}
}

// A destination without a spreadsheet id yet is pending: the view writes
// the others, and says which one it leaves out.
func TestPendingDestination(t *testing.T) {
	t.Parallel()
	e := newPartnerEnv(t)
	src := strings.NewReplacer("UPDATES", "always", "WHERE", `order.store == "Vancouver"`).Replace(onePartnerYAML)
	cfg, err := config.Parse("safeview.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Spreadsheet.ID, cfg.Destinations["van"].Spreadsheet.ID = e.main, ""
	svc, err := e.emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: keys, Sheets: svc})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Pending(); len(got) != 1 || got[0] != "van" {
		t.Errorf("Pending() = %q, want [van]", got)
	}
	outs, err := v.Write(context.Background(), "shop", storeOrder("1", "Vancouver", "paid", 1))
	if err != nil || outs[0].Result != model.Written || len(outs[0].Destinations) != 0 {
		t.Errorf("Write = %+v, %v, want written in the main spreadsheet alone", outs, err)
	}
}
