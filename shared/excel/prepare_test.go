package excel_test

import (
	"slices"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/model"
)

// Prepare creates a missing named table with its header, completes an
// existing one without touching the team's columns, and changes nothing
// the second time; the first write then goes straight in.
func TestPrepareCreatesOrChecksTheNamedTables(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	orders := model.Table{Tab: "Orders", Key: "order_id", Headers: []string{"order_id", "status", "=total"}}
	bookings := model.Table{Tab: "Bookings", Key: "booking_id", Headers: []string{"booking_id", "slot"}}
	// Bookings exists, made by the team with a column of their own and
	// without "slot".
	if err := w.emu.AddTable(drive, item, "Agenda", "Reservations", "booking_id", "note"); err != nil {
		t.Fatal(err)
	}
	tables := []excel.Table{{Table: orders, Name: "Ventes"}, {Table: bookings, Name: "Reservations"}}
	got, err := w.sink(t, tables, excel.Options{}).Prepare(ctxFor(t, 10*time.Second))
	if err != nil {
		t.Fatalf("Prepare() error = %v", err)
	}
	want := []excel.Prepared{
		{Table: "Orders", Name: "Ventes", Sheet: "Ventes", Created: true, Header: []string{"order_id", "status", "=total", excel.VersionHeader}},
		{Table: "Bookings", Name: "Reservations", Sheet: "Agenda", Header: []string{"booking_id", "note", "slot", excel.VersionHeader}},
	}
	for i := range want {
		if g := got[i]; g.Table != want[i].Table || g.Name != want[i].Name || g.Sheet != want[i].Sheet || g.Created != want[i].Created || !slices.Equal(g.Header, want[i].Header) {
			t.Errorf("Prepare()[%d] = %+v, want %+v", i, g, want[i])
		}
	}
	if !w.emu.HiddenColumn(drive, item, "Ventes", excel.VersionHeader) {
		t.Error("the version column of the new table is not hidden")
	}
	again, err := w.sink(t, tables, excel.Options{}).Prepare(ctxFor(t, 10*time.Second))
	if err != nil || again[0].Created || again[1].Created {
		t.Errorf("Prepare() again = %+v, %v, want nothing created", again, err)
	}
	if n := len(w.emu.TableNames(drive, item)); n != 3 { // Ventes, Reservations, the marks
		t.Errorf("tables after two Prepare = %q, want 3", w.emu.TableNames(drive, item))
	}
	s := w.sink(t, tables, excel.Options{})
	if res, err := s.Upsert(ctxFor(t, 10*time.Second), "Orders", model.Row{Source: "shop", Key: "1", Version: 1, Insert: true, Update: true, Cells: []model.Cell{{Text: "1"}, {Text: "paid"}, {Text: "=1+1"}}}); err != nil || res != model.Written {
		t.Fatalf("Upsert() into the prepared table = %q, %v", res, err)
	}
	rows, _ := w.emu.Table(drive, item, "Ventes")
	if rows[0][2] != "=total" || rows[len(rows)-1][2] != "=1+1" {
		t.Errorf("Ventes = %q, want the header and the cells kept as text", rows)
	}
}

// A worksheet named like the missing table is the team's: Prepare says
// so rather than write into it.
func TestPrepareLeavesAWorksheetOfTheSameName(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.emu.AddTable(drive, item, "Ventes", "Other", "x"); err != nil {
		t.Fatal(err)
	}
	tables := []excel.Table{{Table: model.Table{Tab: "Orders", Key: "order_id", Headers: []string{"order_id"}}, Name: "Ventes"}}
	if _, err := w.sink(t, tables, excel.Options{}).Prepare(ctxFor(t, 10*time.Second)); err == nil {
		t.Error("Prepare() with a worksheet Ventes but no table Ventes = nil error, want one")
	}
	if names := w.emu.TableNames(drive, item); len(names) != 1 {
		t.Errorf("tables = %q, want the team's only", names)
	}
}
