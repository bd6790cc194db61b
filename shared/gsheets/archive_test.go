package gsheets

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/safeview/safeview/shared/model"
)

// archiveFixture is a live tab of orders 1001..1010 at version 1, with a
// column of the team's, written by the fixture's sink (the function's
// instance), and an archiver of its own (the script's), to an archive
// spreadsheet.
func archiveFixture(t *testing.T) (*fixture, *Archiver, string) {
	t.Helper()
	f := newFixture(t)
	for i := range 10 {
		f.upsert(row(strconv.Itoa(1001+i), 1, "paid"), model.Written)
	}
	if err := f.emu.SetValues(f.id, "Orders!E1:E2", [][]any{{"notes"}, {"call back"}}); err != nil {
		t.Fatal(err)
	}
	archID := f.emu.CreateSpreadsheet("archive")
	script, err := New(f.svc, f.id, []model.Table{{Tab: "Orders", Headers: headers, Key: "order_id"}}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewArchiver(f.svc, script, "Orders", archID)
	if err != nil {
		t.Fatal(err)
	}
	return f, a, archID
}

func pick(rows []ArchiveRow, keys ...string) []ArchiveRow {
	return slices.DeleteFunc(slices.Clone(rows), func(r ArchiveRow) bool { return !slices.Contains(keys, r.Key) })
}

// Rows move whole (the team's column too) to the archive, leave the live
// tab, and are listed; the function's instance, which indexed the tab
// before, never creates an archived order again (its delivery is stale),
// while it updates and adds the others.
func TestArchiveMovesRowsAndTheyNeverComeBack(t *testing.T) {
	t.Parallel()
	f, a, archID := archiveFixture(t)
	ctx := context.Background()
	header, rows, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 || !slices.Contains(header, "notes") {
		t.Fatalf("Read() = %v, %d rows, want the team's column and 10 rows", header, len(rows))
	}
	old := pick(rows, "1001", "1002", "1003")
	m, err := a.Move(ctx, header, old)
	if err != nil {
		t.Fatal(err)
	}
	if m.Copied != 3 || m.Moved != 3 || m.Left != 0 || m.Writes != 3 {
		t.Errorf("Move(3 rows) = %+v, want 3 copied, 3 moved, in 3 writes", m)
	}
	arch, err := f.emu.Snapshot(archID, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(arch) != 4 || arch[1][0] != "1001" || arch[1][4] != "call back" || arch[0][3] != VersionHeader {
		t.Errorf("archive = %v, want the header and orders 1001-1003, whole", arch)
	}
	if live := f.snapshot(); len(live) != 8 || slices.ContainsFunc(live, func(r []string) bool { return r[0] == "1001" }) {
		t.Errorf("live tab = %v, want the header and 7 orders", live)
	}
	listed, err := f.emu.Snapshot(f.id, ArchivedTab)
	if err != nil || len(listed) != 4 || listed[1][1] != "/1001" {
		t.Errorf("%s = %v, %v, want the header and 3 rows", ArchivedTab, listed, err)
	}

	f.upsert(row("1001", 2, "refunded"), model.Stale)
	f.upsert(row("1004", 2, "refunded"), model.Written)
	f.upsert(row("2001", 1, "paid"), model.Written)
	// A new instance reads the list too.
	f.sink = f.newSink()
	f.upsert(row("1002", 3, "refunded"), model.Stale)
	if live := f.snapshot(); len(live) != 9 {
		t.Errorf("live tab has %d rows, want the header and 8 orders", len(live))
	}

	// Run again (a resumed run, or a run that stopped before deleting):
	// nothing is copied or listed twice.
	m, err = a.Move(ctx, header, old)
	if err != nil {
		t.Fatal(err)
	}
	if m.Copied != 0 || m.Already != 3 || m.Moved != 0 {
		t.Errorf("Move again = %+v, want nothing copied, 3 already there", m)
	}
	if arch, _ := f.emu.Snapshot(archID, "Orders"); len(arch) != 4 {
		t.Errorf("archive has %d rows after a second run, want 4", len(arch))
	}
	if listed, _ := f.emu.Snapshot(f.id, ArchivedTab); len(listed) != 4 {
		t.Errorf("%s has %d rows after a second run, want 4", ArchivedTab, len(listed))
	}
}

// A row updated between the archive's read and its deletion stays in the
// live tab, newest version, and goes on taking updates; the archive holds
// the copy, which the next run replaces with the newer one.
func TestArchiveLeavesARowUpdatedMeanwhile(t *testing.T) {
	t.Parallel()
	f, a, archID := archiveFixture(t)
	ctx := context.Background()
	header, rows, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.upsert(row("1005", 2, "refunded"), model.Written)
	m, err := a.Move(ctx, header, pick(rows, "1005"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Copied != 1 || m.Moved != 0 || m.Left != 1 {
		t.Errorf("Move(a row updated meanwhile) = %+v, want copied, left", m)
	}
	f.upsert(row("1005", 3, "cancelled"), model.Written)

	header, rows, err = a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m, err = a.Move(ctx, header, pick(rows, "1005")); err != nil || m.Moved != 1 {
		t.Fatalf("Move(again) = %+v, %v, want moved", m, err)
	}
	arch, _ := f.emu.Snapshot(archID, "Orders")
	if len(arch) != 2 || arch[1][1] != "cancelled" {
		t.Errorf("archive = %v, want one row, at version 3", arch)
	}
}
