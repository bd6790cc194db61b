package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// storeHeaders is a table that tells stores apart, as the Orders table of
// the example configuration does.
var storeHeaders = []string{"order_id", "store", "status"}

func storeRow(source, key, store string, version int64, status string) model.Row {
	return model.Row{Source: source, Key: key, Version: version, Insert: true, Update: true,
		Cells: []model.Cell{{Text: key}, {Text: store}, {Text: status}}}
}

func (f *fixture) storeSink(match ...string) *Sink {
	f.t.Helper()
	return f.useTables(model.Table{Tab: "Orders", Headers: storeHeaders, Key: "order_id", Match: match})
}

func (f *fixture) upsertTo(s *Sink, r model.Row, want model.Result) {
	f.t.Helper()
	got, err := s.Upsert(context.Background(), "Orders", r)
	if err != nil || got != want {
		f.t.Fatalf("Upsert(%s/%s v%d) = %q, %v, want %q", r.Source, r.Key, r.Version, got, err, want)
	}
}

// Order 4242 of WooCommerce, of Lightspeed eCom and of a second WooCommerce
// shop are three rows; each is updated in place by its own source only.
func TestSameKeyFromTwoSourcesIsTwoRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.storeSink("store")
	f.upsertTo(s, storeRow("woocommerce", "4242", "Paris", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("lightspeed-ecom", "4242", "Lyon", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("woo-lille", "4242", "Lille", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("lightspeed-ecom", "4242", "Lyon", 2, "refunded"), model.Written)
	// A restart indexes the same three rows.
	s = f.storeSink("store")
	f.upsertTo(s, storeRow("woocommerce", "4242", "Paris", 3, "cancelled"), model.Written)
	f.upsertTo(s, storeRow("woo-lille", "4242", "Lille", 1, "paid"), model.Unchanged)
	want := [][]string{
		{"order_id", "store", "status", VersionHeader},
		{"4242", "Paris", "cancelled", "woocommerce:3"},
		{"4242", "Lyon", "refunded", "lightspeed-ecom:2"},
		{"4242", "Lille", "paid", "woo-lille:1"},
	}
	if diff := cmp.Diff(want, f.snapshot()); diff != "" {
		t.Errorf("sheet (-want +got):\n%s", diff)
	}
}

// A sheet written by a version that keyed rows by the key alone is taken
// over without doubling a row: the first delivery of each order that names
// its source finds the row and, when it changes it, writes its source
// into it; later ones find it by its identity, before and after a restart.
func TestRowsWithoutSourceAreTakenOver(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{true, false} {
		t.Run("fresh index "+strconv.FormatBool(fresh), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			old := f.storeSink()
			for i := range 3 {
				f.upsertTo(old, storeRow("", strconv.Itoa(1001+i), "Paris", 1, "paid"), model.Written)
			}
			s := f.storeSink()
			if !fresh {
				f.upsertTo(s, storeRow("shopify", "9999", "Paris", 1, "paid"), model.Written) // index, then verify
			}
			f.upsertTo(s, storeRow("shopify", "1001", "Paris", 2, "refunded"), model.Written)
			f.upsertTo(s, storeRow("shopify", "1002", "Paris", 1, "paid"), model.Unchanged)
			f.upsertTo(s, storeRow("shopify", "1003", "Paris", 0, "pending"), model.Stale)
			f.upsertTo(s, storeRow("shopify", "1001", "Paris", 3, "cancelled"), model.Written)
			s = f.storeSink()
			f.upsertTo(s, storeRow("shopify", "1003", "Paris", 4, "refunded"), model.Written)
			rows := f.snapshot()
			// 1002 was only found unchanged: nothing was written, and the
			// row keeps its old form until its order changes.
			want := map[string]string{"1001": "shopify:3", "1002": "1", "1003": "shopify:4", "9999": "shopify:1"}
			got := map[string]string{}
			for _, r := range rows[1:] {
				if _, dup := got[r[0]]; dup {
					t.Fatalf("order %s is on two rows:\n%s", r[0], table(rows))
				}
				got[r[0]] = r[3]
			}
			if fresh {
				delete(want, "9999")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("version cells (-want +got):\n%s\n%s", diff, table(rows))
			}
		})
	}
}

// With a store column to tell them apart, a row written without a source
// is taken over only by the order of its own store: the same key from
// another store is another order, and gets a row of its own.
func TestTakeOverMatchesTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.storeSink("store")
	f.upsertTo(old, storeRow("", "4242", "Paris", 5, "paid"), model.Written)
	s := f.storeSink("store")
	// Older than the row, but another store's order: not stale, a new row.
	f.upsertTo(s, storeRow("lightspeed-ecom", "4242", "Lyon", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("woocommerce", "4242", "Paris", 6, "refunded"), model.Written)
	want := [][]string{
		{"order_id", "store", "status", VersionHeader},
		{"4242", "Paris", "refunded", "woocommerce:6"},
		{"4242", "Lyon", "paid", "lightspeed-ecom:1"},
	}
	if diff := cmp.Diff(want, f.snapshot()); diff != "" {
		t.Errorf("sheet (-want +got):\n%s", diff)
	}
}

// Two sources claiming one row written without a source in the same flush:
// one takes it over, the other gets a row of its own.
func TestTwoSourcesClaimOneOldRowInOneFlush(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.storeSink()
	f.upsertTo(old, storeRow("", "4242", "Paris", 1, "paid"), model.Written)
	f.storeSink()
	// Hold a first flush at its read, so that both claims queue behind it
	// and go in the next flush together.
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	first := f.upsertAsync(storeRow("woocommerce", "1", "Paris", 1, "paid"))
	<-paused
	a := f.upsertAsync(storeRow("woocommerce", "4242", "Paris", 2, "paid"))
	b := f.upsertAsync(storeRow("lightspeed-ecom", "4242", "Paris", 2, "paid"))
	f.waitQueued(2)
	release()
	if r0, ra, rb := <-first, <-a, <-b; r0 != "written" || ra != "written" || rb != "written" {
		t.Fatalf("results = %s, %s, %s, want written thrice", r0, ra, rb)
	}
	rows := f.snapshot()
	if len(rows) != 4 {
		t.Fatalf("want the old row taken over and one new row:\n%s", table(rows))
	}
	sources := map[string]bool{}
	for _, r := range rows[1:] {
		sources[sourceOf([]any{r[3]}, 0)] = true
	}
	if !sources["woocommerce"] || !sources["lightspeed-ecom"] {
		t.Errorf("version cells name %v, want both sources:\n%s", sources, table(rows))
	}
}

// An erasure or a shop's removal that names its sources picks only their
// rows, and rows written without a source only when told to.
func TestApplySelectsBySource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.storeSink()
	f.upsertTo(s, storeRow("", "1", "Paris", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("shopify", "2", "Paris", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("woocommerce", "3", "Paris", 1, "paid"), model.Written)
	f.upsertTo(s, storeRow("woocommerce", "2", "Paris", 1, "paid"), model.Written)
	tests := []struct {
		sel  model.Select
		want int
	}{
		{model.Select{Tab: "Orders", All: true, Sources: []string{"shopify"}}, 1},
		{model.Select{Tab: "Orders", All: true, Sources: []string{"shopify"}, Legacy: true}, 2},
		{model.Select{Tab: "Orders", Keys: []string{"2"}, Sources: []string{"woocommerce"}}, 1},
		{model.Select{Tab: "Orders", Keys: []string{"2"}}, 2},
		{model.Select{Tab: "Orders", Any: []model.Cells{{Header: "store", Values: []string{"Paris"}}}, Sources: []string{"woocommerce"}}, 2},
	}
	for _, tt := range tests {
		rep, err := s.Apply(context.Background(), model.Count, []model.Select{tt.sel})
		if err != nil || rep.Selected() != tt.want {
			t.Errorf("Apply(model.Count, %+v) selected %d, %v, want %d", tt.sel, rep.Selected(), err, tt.want)
		}
	}
	rep, err := s.Apply(context.Background(), model.Delete, []model.Select{{Tab: "Orders", All: true, Sources: []string{"shopify"}}})
	if err != nil || rep.Changed() != 1 {
		t.Fatalf("Apply(model.Delete shopify's rows) = %d, %v, want 1", rep.Changed(), err)
	}
	if diff := cmp.Diff([]string{"1", "3", "2"}, column(f.snapshot(), 0)); diff != "" {
		t.Errorf("keys left (-want +got):\n%s", diff)
	}
}

func column(rows [][]string, c int) []string {
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[c])
	}
	return out
}
