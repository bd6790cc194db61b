// Package viewtest holds the contract every view.Destination keeps, as a
// test any implementation runs against itself: a Google spreadsheet
// (package gsheets), and the destinations to come (an Excel workbook, a
// queue in front of a writer). The contract speaks only through the
// interface: it writes with Upsert and reads back with Apply(model.Read).
package viewtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/view"
)

// Orders is the table of the contract: an order id, a store, a status, a
// total, and a personal column (a pseudonym).
var Orders = model.Table{
	Tab:      "Orders",
	Headers:  []string{"order_id", "store", "status", "total", "customer_ref"},
	Key:      "order_id",
	Personal: []string{"customer_ref"},
	Match:    []string{"store"},
}

// Open returns a new, empty destination that keeps the given tables. Each
// call is a new destination; reopen, when not nil, returns another
// instance of the same destination (a restart, a second instance), which
// must see what the first wrote.
type Open func(t *testing.T, tables []model.Table) (dest view.Destination, reopen func() view.Destination)

// Row is an order of the contract's table at a version.
func Row(source, id string, version int64, status string) model.Row {
	return model.Row{Source: source, Key: id, Version: version, Insert: status == "paid", Update: true, Cells: []model.Cell{
		{Text: id}, {Text: "Paris"}, {Text: status},
		{Number: strconv.FormatInt(version, 10) + ".50", FormatType: "CURRENCY", FormatPattern: `#,##0.00 "EUR"`},
		{Text: "c_" + id},
	}}
}

// Contract runs the contract against the destinations open returns.
func Contract(t *testing.T, open Open) {
	t.Run("versions", func(t *testing.T) { t.Parallel(); versions(t, open) })
	t.Run("identity", func(t *testing.T) { t.Parallel(); identity(t, open) })
	t.Run("filtered", func(t *testing.T) { t.Parallel(); filtered(t, open) })
	t.Run("storm", func(t *testing.T) { t.Parallel(); storm(t, open) })
	t.Run("requests", func(t *testing.T) { t.Parallel(); requests(t, open) })
	t.Run("leave", func(t *testing.T) { t.Parallel(); leave(t, open) })
}

func upsert(t *testing.T, d view.Destination, r model.Row, want model.Result) {
	t.Helper()
	got, err := d.Upsert(context.Background(), Orders.Tab, r)
	if err != nil || got != want {
		t.Fatalf("Upsert(%s v%d %s) = %q, %v, want %q", r.ID(), r.Version, r.Cells[2].Text, got, err, want)
	}
}

// rows reads the table back through the interface: each row's cells by
// header, keyed by order id and source (the store cell stands for it in
// the contract's rows, which all say Paris but the ones identity writes).
func rows(t *testing.T, d view.Destination) []map[string]string {
	t.Helper()
	rep, err := d.Apply(context.Background(), model.Read, []model.Select{{Tab: Orders.Tab, All: true}})
	if err != nil {
		t.Fatalf("Apply(Read all) error = %v", err)
	}
	var out []map[string]string
	for _, tr := range rep.Tabs {
		for _, r := range tr.Rows {
			m := map[string]string{}
			for c, h := range tr.Header {
				if c < len(r) && slices.Contains(Orders.Headers, h) {
					m[h] = r[c]
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// One row per identity; a version is written once; an older one never
// replaces a newer one; a restart sees the same.
func versions(t *testing.T, open Open) {
	d, reopen := open(t, []model.Table{Orders})
	upsert(t, d, Row("shop", "1001", 2, "paid"), model.Written)
	upsert(t, d, Row("shop", "1001", 2, "paid"), model.Unchanged)
	upsert(t, d, Row("shop", "1001", 1, "paid"), model.Stale)
	upsert(t, d, Row("shop", "1001", 3, "refunded"), model.Written)
	if reopen != nil {
		d = reopen()
	}
	upsert(t, d, Row("shop", "1001", 2, "paid"), model.Stale)
	upsert(t, d, Row("shop", "1001", 3, "refunded"), model.Unchanged)
	got := rows(t, d)
	if len(got) != 1 || got[0]["status"] != "refunded" || got[0]["order_id"] != "1001" {
		t.Errorf("rows = %v, want order 1001 once, refunded", got)
	}
}

// The same key from two sources is two rows, each updated by its own.
func identity(t *testing.T, open Open) {
	d, _ := open(t, []model.Table{Orders})
	upsert(t, d, Row("woo-paris", "4242", 1, "paid"), model.Written)
	upsert(t, d, Row("woo-lyon", "4242", 1, "paid"), model.Written)
	upsert(t, d, Row("woo-lyon", "4242", 2, "refunded"), model.Written)
	got := rows(t, d)
	statuses := []string{}
	for _, r := range got {
		statuses = append(statuses, r["order_id"]+" "+r["status"])
	}
	slices.Sort(statuses)
	if want := []string{"4242 paid", "4242 refunded"}; !slices.Equal(statuses, want) {
		t.Errorf("rows = %v, want %v", statuses, want)
	}
}

// A version the filter kept out keeps older ones out, on another instance
// too; a newer one that passes enters.
func filtered(t *testing.T, open Open) {
	d, reopen := open(t, []model.Table{Orders})
	refund := Row("shop", "7001", 3, "refunded") // Insert false: kept out
	upsert(t, d, refund, model.Filtered)
	upsert(t, d, Row("shop", "7001", 2, "paid"), model.Stale)
	if reopen != nil {
		d = reopen()
	}
	upsert(t, d, Row("shop", "7001", 1, "paid"), model.Stale)
	upsert(t, d, refund, model.Filtered)
	if got := rows(t, d); len(got) != 0 {
		t.Fatalf("rows = %v, want none: the newest version was kept out", got)
	}
	upsert(t, d, Row("shop", "7001", 4, "paid"), model.Written)
	if got := rows(t, d); len(got) != 1 || got[0]["status"] != "paid" {
		t.Errorf("rows = %v, want 7001 paid", got)
	}
}

// Duplicates and any order of arrival, at once: every order ends on one
// row, at its newest version.
func storm(t *testing.T, open Open) {
	d, _ := open(t, []model.Table{Orders})
	type delivery struct {
		id string
		v  int64
	}
	var all []delivery
	for i := range 40 {
		for v := int64(1); v <= 3; v++ {
			all = append(all, delivery{strconv.Itoa(100 + i), v}, delivery{strconv.Itoa(100 + i), v})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var wg sync.WaitGroup
	for _, dl := range all {
		wg.Go(func() {
			if _, err := d.Upsert(context.Background(), Orders.Tab, Row("shop", dl.id, dl.v, "paid")); err != nil {
				t.Errorf("Upsert(%s v%d) error = %v", dl.id, dl.v, err)
			}
		})
	}
	wg.Wait()
	got := rows(t, d)
	seen := map[string]int{}
	for _, r := range got {
		seen[r["order_id"]]++
		if r["total"] != "3.50" && r["total"] != "3.50 EUR" && r["total"] != "€3.50" {
			// Destinations format numbers their own way; the contract
			// reads the version back from the total.
			if v := versionOfTotal(r["total"]); v != 3 {
				t.Errorf("order %s total %q, want version 3's", r["order_id"], r["total"])
			}
		}
	}
	for i := range 40 {
		if n := seen[strconv.Itoa(100+i)]; n != 1 {
			t.Errorf("order %d is on %d rows, want 1", 100+i, n)
		}
	}
}

// versionOfTotal reads the whole part of a total written by Row.
func versionOfTotal(s string) int64 {
	digits := ""
	for _, c := range s {
		if c == '.' || c == ',' {
			break
		}
		if c >= '0' && c <= '9' {
			digits += string(c)
		}
	}
	v, _ := strconv.ParseInt(digits, 10, 64)
	return v
}

// Count, Read, Clear and Delete pick by key, by cell, by source; a
// cleared row keeps its personal cells empty when updated later; a
// replayed request changes nothing.
func requests(t *testing.T, open Open) {
	d, reopen := open(t, []model.Table{Orders})
	ctx := context.Background()
	for i, src := range []string{"shop", "shop", "other"} {
		upsert(t, d, Row(src, fmt.Sprint(1+i), 1, "paid"), model.Written)
	}
	apply := func(a model.Action, sel model.Select) model.Report {
		t.Helper()
		rep, err := d.Apply(ctx, a, []model.Select{sel})
		if err != nil {
			t.Fatalf("Apply(%s, %+v) error = %v", a, sel, err)
		}
		return rep
	}
	byRef := model.Select{Tab: Orders.Tab, Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_1"}}}}
	if rep := apply(model.Count, byRef); rep.Selected() != 1 || rep.Changed() != 1 {
		t.Errorf("Count(c_1) = %d selected, %d to change, want 1 and 1", rep.Selected(), rep.Changed())
	}
	if rep := apply(model.Clear, byRef); rep.Changed() != 1 {
		t.Errorf("Clear(c_1) changed %d rows, want 1", rep.Changed())
	}
	if rep := apply(model.Clear, model.Select{Tab: Orders.Tab, Keys: []string{"1"}}); rep.Changed() != 0 {
		t.Errorf("Clear(c_1) again changed %d rows, want 0", rep.Changed())
	}
	if reopen != nil {
		d = reopen()
	}
	upsert(t, d, Row("shop", "1", 2, "refunded"), model.Written)
	for _, r := range rows(t, d) {
		if r["order_id"] == "1" && (r["customer_ref"] != "" || r["status"] != "refunded") {
			t.Errorf("cleared order 1 after an update = %v, want refunded and no customer_ref", r)
		}
	}
	if rep := apply(model.Delete, model.Select{Tab: Orders.Tab, All: true, Sources: []string{"shop"}}); rep.Changed() != 2 {
		t.Errorf("Delete(source shop) deleted %d rows, want 2", rep.Changed())
	}
	if got := rows(t, d); len(got) != 1 || got[0]["order_id"] != "3" {
		t.Errorf("rows after deleting source shop's = %v, want order 3 only", got)
	}
	if rep := apply(model.Delete, model.Select{Tab: Orders.Tab, All: true, Sources: []string{"shop"}}); rep.Changed() != 0 {
		t.Errorf("Delete replayed deleted %d rows, want 0", rep.Changed())
	}
}

// A row that no longer belongs in the destination leaves it, and an older
// version that still belonged does not bring it back; a newer one does.
func leave(t *testing.T, open Open) {
	d, reopen := open(t, []model.Table{Orders})
	upsert(t, d, Row("shop", "9001", 1, "paid"), model.Written)
	gone := Row("shop", "9001", 3, "paid")
	gone.Insert, gone.Update, gone.Leave = false, true, true
	upsert(t, d, gone, model.Removed)
	if got := rows(t, d); len(got) != 0 {
		t.Fatalf("rows = %v, want order 9001 gone", got)
	}
	if reopen != nil {
		d = reopen()
	}
	upsert(t, d, Row("shop", "9001", 2, "paid"), model.Stale)
	upsert(t, d, gone, model.Filtered)
	upsert(t, d, Row("shop", "9001", 4, "paid"), model.Written)
	if got := rows(t, d); len(got) != 1 {
		t.Errorf("rows = %v, want order 9001 back", got)
	}
}
