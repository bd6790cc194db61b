package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// The team's edits, as the browser sends them.

func sortByTotal(sid int64) *sheets.Request {
	return &sheets.Request{SortRange: &sheets.SortRangeRequest{
		Range:     &sheets.GridRange{SheetId: sid, StartRowIndex: 1},
		SortSpecs: []*sheets.SortSpec{{DimensionIndex: 2, SortOrder: "DESCENDING"}},
	}}
}

func insertRows(sid int64, at, n int64) *sheets.Request {
	return &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{
		Range: &sheets.DimensionRange{SheetId: sid, Dimension: "ROWS", StartIndex: at, EndIndex: at + n}}}
}

func deleteRows(sid int64, at, n int64) *sheets.Request {
	return &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
		Range: &sheets.DimensionRange{SheetId: sid, Dimension: "ROWS", StartIndex: at, EndIndex: at + n}}}
}

func moveColumn(sid int64, from, to int64) *sheets.Request {
	return &sheets.Request{MoveDimension: &sheets.MoveDimensionRequest{
		Source: &sheets.DimensionRange{SheetId: sid, Dimension: "COLUMNS", StartIndex: from, EndIndex: from + 1}, DestinationIndex: to}}
}

func renameTab(sid int64, title string) *sheets.Request {
	return &sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
		Properties: &sheets.SheetProperties{SheetId: sid, Title: title}, Fields: "title"}}
}

// want is what one order's row must show: its owned cells and the
// team's note.
type want struct {
	status  string
	version int64
	note    string
}

// seed writes orders 1001..100n at versions 1..n, and the team's notes
// column (after the owned ones) with a note on each.
func (f *fixture) seed(n int) map[string]want {
	f.t.Helper()
	out := map[string]want{}
	for i := 1; i <= n; i++ {
		k := strconv.Itoa(1000 + i)
		f.upsert(row(k, int64(i), "paid"), model.Written)
		out[k] = want{status: "paid", version: int64(i), note: "note " + k}
	}
	values := [][]any{{"notes"}}
	for i := 1; i <= n; i++ {
		values = append(values, []any{"note " + strconv.Itoa(1000+i)})
	}
	if err := f.emu.SetValues(f.id, "Orders!E1:E"+strconv.Itoa(n+1), values); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// check finds every column by its header, as a person reading the sheet
// would, and checks that each order is on exactly one row, with its own
// values and its own note. It returns how many orders were misplaced
// (missing, doubled or showing other values) and how many team cells
// changed.
func (f *fixture) check(title string, wants map[string]want) (misplaced, teamChanged int) {
	f.t.Helper()
	rows, err := f.emu.Snapshot(f.id, title)
	if err != nil {
		f.t.Fatal(err)
	}
	col := func(h string) int { return slices.Index(rows[0], h) }
	key, status, version, notes := col("order_id"), col("status"), col(VersionHeader), col("notes")
	if key < 0 || status < 0 || version < 0 {
		f.t.Fatalf("header = %q, want order_id, status and %s", rows[0], VersionHeader)
	}
	cell := func(r []string, c int) string {
		if c < 0 || c >= len(r) {
			return ""
		}
		return r[c]
	}
	seen := map[string]int{}
	for i, r := range rows[1:] {
		k := cell(r, key)
		if k == "" {
			if owned := cell(r, status) + cell(r, version); owned != "" {
				f.t.Errorf("row %d has no key but owned cells %q", i+2, owned)
				misplaced++
			}
			continue
		}
		seen[k]++
		w, ok := wants[k]
		if !ok {
			f.t.Errorf("row %d holds unexpected key %s", i+2, k)
			misplaced++
			continue
		}
		got := want{status: cell(r, status), note: cell(r, notes)}
		got.version, _ = strconv.ParseInt(cell(r, version), 10, 64)
		if got.note != w.note {
			teamChanged++
		}
		if got.status != w.status || got.version != w.version {
			misplaced++
		}
		if got != w {
			f.t.Errorf("row %d (order %s) = %+v, want %+v", i+2, k, got, w)
		}
	}
	for k := range wants {
		if seen[k] != 1 {
			f.t.Errorf("order %s is on %d rows, want 1", k, seen[k])
			misplaced++
		}
	}
	return misplaced, teamChanged
}

// editAt applies a team edit as the n-th request of method arrives
// (counting from 1), before the server handles it: a deterministic
// interleaving of the team with the sink.
func (f *fixture) editAt(method string, n int64, reqs ...*sheets.Request) {
	var count atomic.Int64
	f.emu.SetRequestHook(func(m string) {
		if m == method && count.Add(1) == n {
			if err := f.emu.Update(f.id, reqs...); err != nil {
				f.t.Errorf("team edit: %v", err)
			}
		}
	})
}

// Team edits between two flushes: the verification read sees them and
// the index is rebuilt before anything is written.
func TestTeamEditsBetweenFlushes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(sid int64) []*sheets.Request
	}{
		{"sort by total", func(sid int64) []*sheets.Request { return []*sheets.Request{sortByTotal(sid)} }},
		{"insert rows above", func(sid int64) []*sheets.Request { return []*sheets.Request{insertRows(sid, 1, 3)} }},
		{"delete a row above", func(sid int64) []*sheets.Request { return []*sheets.Request{deleteRows(sid, 1, 1)} }},
		{"move a team column first", func(sid int64) []*sheets.Request { return []*sheets.Request{moveColumn(sid, 4, 0)} }},
		{"move an owned column last", func(sid int64) []*sheets.Request { return []*sheets.Request{moveColumn(sid, 1, 5)} }},
		{"rename the tab", func(sid int64) []*sheets.Request { return []*sheets.Request{renameTab(sid, "Orders 2026")} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			wants := f.seed(5)
			f.edit(tt.edit(f.sheetID("Orders"))...)
			f.upsert(row("1003", 13, "refunded"), model.Written)
			f.upsert(row("1006", 6, "paid"), model.Written)
			if tt.name == "delete a row above" {
				delete(wants, "1001")
				f.upsert(row("1001", 11, "paid"), model.Written) // deleted by the team: comes back
				wants["1001"] = want{status: "paid", version: 11}
			}
			wants["1003"] = want{status: "refunded", version: 13, note: "note 1003"}
			wants["1006"] = want{status: "paid", version: 6}
			title := "Orders"
			if tt.name == "rename the tab" {
				title = "Orders 2026"
			}
			f.check(title, wants)
			if st := f.sink.Stats(); st.Heals != 0 {
				t.Errorf("Stats().Heals = %d, want 0: the read saw the edit", st.Heals)
			}
		})
	}
}

// Team edits landing exactly between a flush's verification read and its
// write, in the one round trip that Sheets, without conditional writes,
// leaves open. The write's own answer shows what moved; the cells it
// should not have touched are pasted back from the undo copy taken in the
// same atomic request, and the update is written again to the right row.
func TestTeamEditsInsideTheFlushWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(sid int64) []*sheets.Request
		key  string // the order the flush writes
		heal bool   // whether the write was misplaced
	}{
		{"sort moves another order onto the row", func(sid int64) []*sheets.Request { return []*sheets.Request{sortByTotal(sid)} }, "1002", true},
		{"sort swaps two orders of the flush", func(sid int64) []*sheets.Request { return []*sheets.Request{sortByTotal(sid)} }, "1002,1004", true},
		{"blank rows inserted above", func(sid int64) []*sheets.Request { return []*sheets.Request{insertRows(sid, 1, 2)} }, "1002", true},
		{"a row deleted above", func(sid int64) []*sheets.Request { return []*sheets.Request{deleteRows(sid, 1, 1)} }, "1003", true},
		{"team column moved into the owned ones", func(sid int64) []*sheets.Request { return []*sheets.Request{moveColumn(sid, 4, 1)} }, "1002", true},
		{"team column moved, new order", func(sid int64) []*sheets.Request { return []*sheets.Request{moveColumn(sid, 4, 1)} }, "1006", true},
		{"tab renamed", func(sid int64) []*sheets.Request { return []*sheets.Request{renameTab(sid, "Orders 2026")} }, "1002", false},
		{"sort that leaves the row in place", func(sid int64) []*sheets.Request {
			return []*sheets.Request{{SortRange: &sheets.SortRangeRequest{
				Range:     &sheets.GridRange{SheetId: sid, StartRowIndex: 1},
				SortSpecs: []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "ASCENDING"}}}}}
		}, "1002", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			wants := f.seed(5)
			deleted := tt.name == "a row deleted above"
			// The next batchUpdate is the flush's write: the edit lands
			// after its verification read and before it.
			f.editAt(gsheetstest.MethodBatchUpdate, 1, tt.edit(f.sheetID("Orders"))...)
			var answers []<-chan string
			keys := strings.Split(tt.key, ",")
			for i, k := range keys {
				answers = append(answers, f.upsertAsync(row(k, int64(20+i), "refunded")))
			}
			for i, a := range answers {
				if got := <-a; got != "written" {
					t.Errorf("Upsert(%s) = %s, want written", keys[i], got)
				}
			}
			f.emu.SetRequestHook(nil)
			if deleted {
				delete(wants, "1001")
			}
			for i, k := range keys {
				w := wants[k]
				w.status, w.version = "refunded", int64(20+i)
				wants[k] = w
			}
			title := "Orders"
			if tt.name == "tab renamed" {
				title = "Orders 2026"
			}
			f.check(title, wants)
			heals := f.sink.Stats().Heals
			if (heals > 0) != tt.heal {
				t.Errorf("Stats().Heals = %d, want a heal: %v", heals, tt.heal)
			}
			if undo, _ := f.emu.Snapshot(f.id, UndoTab); strings.Contains(tt.name, "column") && len(undo) > 0 {
				t.Errorf("undo tab = %q after a column moved, want it emptied: it may hold the team's cells", undo)
			}
			t.Logf("edit between read and write: %d heal(s), sink stats %+v", heals, f.sink.Stats())
		})
	}
}

// What the design does not cover, shown rather than hidden: a second team
// edit landing in the round trip between a misplaced write and its undo.
// The undo copy is pasted by row index, so it lands where the second edit
// put other rows. The sink cannot see it (it does not read the undo's
// result back); the damage is bounded to the cells of the flush's rows
// and lasts until those orders' next deliveries.
func TestTwoEditsInARowEscapeTheUndo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wants := f.seed(5)
	sid := f.sheetID("Orders")
	var count atomic.Int64
	f.emu.SetRequestHook(func(m string) {
		if m != gsheetstest.MethodBatchUpdate {
			return
		}
		switch count.Add(1) {
		case 1: // the flush's write
			_ = f.emu.Update(f.id, sortByTotal(sid))
		case 2: // the undo
			_ = f.emu.Update(f.id, insertRows(sid, 1, 1))
		}
	})
	f.upsert(row("1002", 20, "refunded"), model.Written)
	f.emu.SetRequestHook(nil)
	wants["1002"] = want{status: "refunded", version: 20, note: "note 1002"}
	rows := f.snapshot()
	t.Logf("after a sort in the write's window and a row inserted in the undo's:\n%s", table(rows))
	// 1002 is right: it was written again after a fresh index.
	var damaged []string
	for _, r := range rows[1:] {
		if len(r) < 5 || r[0] == "" {
			continue
		}
		w := wants[r[0]]
		if r[1] != w.status || r[3] != strconv.FormatInt(w.version, 10) || r[4] != w.note {
			damaged = append(damaged, r[0])
		}
	}
	t.Logf("orders whose owned cells do not match their own: %v", damaged)
	if len(damaged) == 0 {
		t.Errorf("no damage: the undo survived a second edit; update this test and docs/sheet.md, which say it does not")
	}
}

func table(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Two writers at once (a rollover, a backfill beside the function) both
// add a new order: two rows. The next instance to index the tab merges
// them into the row the team annotated, newest owned cells first.
func TestDuplicatesFromTwoWritersAreMerged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wants := f.seed(3)
	other := f.newSink() // a second instance
	paused, release := f.pauseAt(gsheetstest.MethodBatchUpdate)
	first := f.upsertAsync(row("1009", 9, "paid")) // waits at its write
	<-paused
	if _, err := other.Upsert(t.Context(), "Orders", row("1009", 10, "refunded")); err != nil {
		t.Fatal(err)
	}
	release()
	<-first
	if n := strings.Count(table(f.snapshot()), "\n1009 |"); n != 2 {
		t.Fatalf("1009 is on %d rows after two writers added it, want 2 (the case to repair):\n%s", n, table(f.snapshot()))
	}
	// The team writes a note on the older of the two rows.
	rows := f.snapshot()
	for i, r := range rows {
		if r[0] == "1009" && r[1] == "paid" {
			if err := f.emu.SetValues(f.id, "Orders!E"+strconv.Itoa(i+1), [][]any{{"call back"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.sink = f.newSink() // the next instance
	f.upsert(row("1001", 11, "refunded"), model.Written)
	wants["1001"] = want{status: "refunded", version: 11, note: "note 1001"}
	wants["1009"] = want{status: "refunded", version: 10, note: "call back"}
	f.check("Orders", wants)
	if got := f.sink.Stats().DuplicatesRemoved; got != 1 {
		t.Errorf("Stats().DuplicatesRemoved = %d, want 1", got)
	}
	// Both annotated: both stay, the newest cells go to the one kept.
	if err := f.emu.SetValues(f.id, "Orders!A8:E8", [][]any{{"1009", "paid", 9.5, "9", "also a note"}}); err != nil {
		t.Fatal(err)
	}
	f.sink = f.newSink()
	f.upsert(row("1009", 12, "cancelled"), model.Written)
	if n := strings.Count(table(f.snapshot()), "\n1009 |"); n != 2 {
		t.Errorf("1009 is on %d rows, want both annotated rows kept:\n%s", n, table(f.snapshot()))
	}
}

// Two writers index a tab holding duplicate rows at about the same time
// (both saw the other's rows below theirs), and both find the same
// duplicates in the key column. The first merges them, deleting rows,
// before the second reads the rows it would merge, or before it writes
// its merge: the second must not delete the rows that moved up into the
// places it read, which are other orders.
func TestTwoWritersMergeTheSameDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string // the second writer waits at this request
		n      int64  // of its requests of that method
	}{
		// The spreadsheet, the header and the key column are read first.
		{"merged before the rows are read", gsheetstest.MethodValuesBatchGetByFilter, 3},
		{"merged before the merge is written", gsheetstest.MethodBatchUpdate, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			wants := f.seed(3)
			// 1009 on two rows, as two writers adding it at once leave
			// it, and an order below them.
			if err := f.emu.SetValues(f.id, "Orders!A5:D7", [][]any{
				{"1009", "paid", 9.5, "9"}, {"1009", "refunded", 10.5, "10"}, {"1010", "paid", 1.5, "1"},
			}); err != nil {
				t.Fatal(err)
			}
			a, b := f.newSink(), f.newSink()
			var calls atomic.Int64
			paused, release := make(chan struct{}), make(chan struct{})
			f.emu.SetRequestHook(func(m string) {
				if m == tt.method && calls.Add(1) == tt.n {
					close(paused)
					<-release
				}
			})
			second := make(chan error, 1)
			go func() {
				_, err := b.Upsert(context.Background(), "Orders", row("1002", 12, "refunded"))
				second <- err
			}()
			<-paused // b found the duplicates, and waits
			if got, err := a.Upsert(t.Context(), "Orders", row("1001", 11, "refunded")); err != nil || got != model.Written {
				t.Fatalf("a.Upsert(1001 v11) = %v, %v, want written", got, err)
			}
			close(release)
			if err := <-second; err != nil {
				t.Fatalf("b.Upsert(1002 v12): %v", err)
			}
			f.emu.SetRequestHook(nil)
			wants["1001"] = want{status: "refunded", version: 11, note: "note 1001"}
			wants["1002"] = want{status: "refunded", version: 12, note: "note 1002"}
			wants["1009"] = want{status: "refunded", version: 10}
			wants["1010"] = want{status: "paid", version: 1}
			if misplaced, teamChanged := f.check("Orders", wants); misplaced+teamChanged > 0 {
				t.Errorf("misplaced=%d team_cells_changed=%d, want 0 and 0:\n%s", misplaced, teamChanged, table(f.snapshot()))
			}
			if got := a.Stats().DuplicatesRemoved + b.Stats().DuplicatesRemoved; got != 1 {
				t.Errorf("rows deleted by both merges = %d, want 1", got)
			}
		})
	}
}

// Owned columns are found by their header. A renamed owned header is a
// column the sink no longer owns: it is left to the team, never written
// again, and the owned column is added anew at the end.
func TestHeaderChanges(t *testing.T) {
	t.Parallel()
	setCell := func(a1, v string) func(f *fixture) {
		return func(f *fixture) {
			if err := f.emu.SetValues(f.id, "Orders!"+a1, [][]any{{v}}); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		edit    func(f *fixture)
		restart bool
		header  []string
		errIs   error
	}{
		{"status renamed", setCell("B1", "Status (team)"), false,
			[]string{"order_id", "Status (team)", "total", VersionHeader, "notes", "status"}, nil},
		{"version column deleted", func(f *fixture) {
			f.edit(&sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
				Range: &sheets.DimensionRange{SheetId: f.sheetID("Orders"), Dimension: "COLUMNS", StartIndex: 3, EndIndex: 4}}})
		}, false, []string{"order_id", "status", "total", "notes", VersionHeader}, nil},
		{"key renamed while rows exist", setCell("A1", "Order"), false, nil, errNoKeyColumn},
		{"tab renamed, then a restart", func(f *fixture) { f.edit(renameTab(f.sheetID("Orders"), "Commandes")) }, true,
			[]string{"order_id", "status", "total", VersionHeader, "notes"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.seed(3)
			tt.edit(f)
			if tt.restart {
				f.sink = f.newSink()
			}
			_, err := f.sink.Upsert(t.Context(), "Orders", row("1002", 12, "refunded"))
			if !errors.Is(err, tt.errIs) {
				t.Fatalf("Upsert(1002) error = %v, want %v", err, tt.errIs)
			}
			if err != nil {
				if !errors.Is(err, model.ErrUnavailable) {
					t.Errorf("Upsert(1002) error = %v, want it to wrap model.ErrUnavailable (503: the team can fix the header)", err)
				}
				return
			}
			title := "Orders"
			if tt.restart {
				title = "Commandes"
			}
			rows, _ := f.emu.Snapshot(f.id, title)
			if diff := cmp.Diff(tt.header, rows[0]); diff != "" {
				t.Errorf("header mismatch (-want +got):\n%s", diff)
			}
			if tt.name == "status renamed" && (rows[2][1] != "paid" || rows[2][5] != "refunded") {
				t.Errorf("row of 1002 = %q, want the renamed column untouched (paid) and the new status column refunded", rows[2])
			}
		})
	}
}

// The team works in the sheet while updates stream in: sorts, blank rows
// inserted, a notes column of their own filled with text, columns moved.
// The edits land at fixed points of the stream, some between two flushes
// and some inside a flush, between its read and its write. Every update
// lands on its order's row and no team cell changes.
func TestTeamEditsMidStream(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const orders = 40
	wants := f.seed(orders)
	sid := f.sheetID("Orders")
	colOf := func(h string) int64 {
		rows, _ := f.emu.Snapshot(f.id, "Orders")
		return int64(slices.Index(rows[0], h))
	}
	sortBy := func(h, order string) func() *sheets.Request {
		return func() *sheets.Request {
			return &sheets.Request{SortRange: &sheets.SortRangeRequest{
				Range:     &sheets.GridRange{SheetId: sid, StartRowIndex: 1},
				SortSpecs: []*sheets.SortSpec{{DimensionIndex: colOf(h), SortOrder: order}}}}
		}
	}
	move := func(h string, to int64) func() *sheets.Request {
		return func() *sheets.Request { return moveColumn(sid, colOf(h), to) }
	}
	type edit struct {
		method string
		n      int64
		req    func() *sheets.Request
	}
	edits := []edit{
		{gsheetstest.MethodBatchUpdate, 3, func() *sheets.Request { return insertRows(sid, 1, 2) }},
		{gsheetstest.MethodValuesBatchGetByFilter, 6, sortBy("total", "DESCENDING")},
		{gsheetstest.MethodBatchUpdate, 8, move("notes", 1)},
		{gsheetstest.MethodValuesBatchGetByFilter, 12, func() *sheets.Request { return insertRows(sid, 10, 1) }},
		{gsheetstest.MethodBatchUpdate, 14, sortBy("order_id", "ASCENDING")},
		{gsheetstest.MethodValuesBatchGetByFilter, 18, move("status", 6)},
		{gsheetstest.MethodBatchUpdate, 21, sortBy("total", "ASCENDING")},
		{gsheetstest.MethodBatchUpdate, 26, move("total", 0)},
	}
	var reads, writes, applied, inWindow atomic.Int64
	f.emu.SetRequestHook(func(m string) {
		var n int64
		switch m {
		case gsheetstest.MethodBatchUpdate:
			n = writes.Add(1)
		case gsheetstest.MethodValuesBatchGetByFilter:
			n = reads.Add(1)
		default:
			return
		}
		for _, e := range edits {
			if e.method == m && e.n == n {
				if err := f.emu.Update(f.id, e.req()); err != nil {
					t.Errorf("team edit: %v", err)
				}
				applied.Add(1)
				if m == gsheetstest.MethodBatchUpdate {
					inWindow.Add(1)
				}
			}
		}
	})

	// 300 updates: each order's versions in a shuffled order, with
	// duplicates, eight at a time.
	type upd struct {
		key string
		v   int64
	}
	var stream []upd
	for v := int64(2); len(stream) < 300; v++ {
		for i := 1; i <= orders && len(stream) < 300; i += 1 + int(v%3) {
			stream = append(stream, upd{strconv.Itoa(1000 + i), v})
		}
	}
	for i := 0; i < len(stream); i += 7 { // local reordering
		j := min(i+6, len(stream)-1)
		stream[i], stream[j] = stream[j], stream[i]
	}
	stream = append(stream, stream[:30]...) // redeliveries
	jobs := make(chan upd)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				if _, err := f.sink.Upsert(t.Context(), "Orders", row(u.key, u.v, "s"+strconv.FormatInt(u.v, 10))); err != nil {
					t.Errorf("Upsert(%s v%d) error = %v", u.key, u.v, err)
				}
			}
		}()
	}
	for _, u := range stream {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	f.emu.SetRequestHook(nil)
	for _, u := range stream {
		if w := wants[u.key]; u.v > w.version {
			w.status, w.version = "s"+strconv.FormatInt(u.v, 10), u.v
			wants[u.key] = w
		}
	}
	misplaced, teamChanged := f.check("Orders", wants)
	st := f.sink.Stats()
	fmt.Printf("team edits mid-stream: %d updates of %d orders while the team made %d edits (%d between a flush's read and its write): %d flushes, %d heals, %d reindexes; misplaced=%d team_cells_changed=%d\n",
		len(stream), orders, applied.Load(), inWindow.Load(), st.Flushes, st.Heals, st.Reindexes, misplaced, teamChanged)
	if applied.Load() != int64(len(edits)) {
		t.Errorf("%d of %d team edits happened: the stream was shorter than planned", applied.Load(), len(edits))
	}
}

// A team edit inside the window of one tab leaves the other tab of the
// same flush alone: its new rows are indexed, not added again later.
func TestWindowInOneTabOfTwo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "Orders", "Returns")
	sink := f.useTables(model.Table{Tab: "Orders", Headers: headers, Key: "order_id"}, model.Table{Tab: "Returns", Headers: headers, Key: "order_id"})
	wants := f.seed(5)
	if _, err := sink.Upsert(t.Context(), "Returns", row("9001", 1, "open")); err != nil {
		t.Fatal(err)
	}
	// One flush: an update in Orders, a sort landing before its write,
	// and a new row in Returns.
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	blocker := f.upsertAsync(row("1001", 9, "paid"))
	<-paused
	order := f.upsertAsync(row("1002", 20, "refunded"))
	f.waitQueued(1)
	ret := make(chan error, 1)
	go func() {
		_, err := sink.Upsert(t.Context(), "Returns", row("9002", 1, "open"))
		ret <- err
	}()
	f.waitQueued(2)
	f.editAt(gsheetstest.MethodBatchUpdate, 2, sortByTotal(f.sheetID("Orders"))) // the blocker's write is the first
	release()
	<-blocker
	if got := <-order; got != "written" {
		t.Errorf("Upsert(Orders 1002) = %s, want written", got)
	}
	if err := <-ret; err != nil {
		t.Fatal(err)
	}
	f.emu.SetRequestHook(nil)
	if _, err := sink.Upsert(t.Context(), "Returns", row("9002", 2, "closed")); err != nil {
		t.Fatal(err)
	}
	wants["1001"] = want{status: "paid", version: 9, note: "note 1001"}
	wants["1002"] = want{status: "refunded", version: 20, note: "note 1002"}
	f.check("Orders", wants)
	returns, _ := f.emu.Snapshot(f.id, "Returns")
	if got := strings.Count(table(returns), "\n9002 |"); got != 1 {
		t.Errorf("9002 is on %d rows of Returns, want 1:\n%s", got, table(returns))
	}
	if st := sink.Stats(); st.Heals != 1 {
		t.Errorf("Stats().Heals = %d, want 1: the sort did not land in the window", st.Heals)
	}
}

// A column moved between the index's read of the header and its read of
// the key and version columns: versions read from the wrong column would
// make an older delivery overwrite a newer row. The index is read again.
func TestColumnMovedWhileIndexing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wants := f.seed(5)  // headers: order_id, status, total, version, notes
	sink := f.newSink() // a cold instance: its first flush indexes the tab
	// The first read is the header; the second, the key and version
	// columns. Before it, the team drags the notes column to the front.
	f.editAt(gsheetstest.MethodValuesBatchGetByFilter, 2, moveColumn(f.sheetID("Orders"), 4, 0))
	got, err := sink.Upsert(t.Context(), "Orders", row("1004", 2, "stale"))
	if err != nil {
		t.Fatal(err)
	}
	if got != model.Stale {
		t.Errorf("Upsert(1004 v2) over v4 = %v, want model.Stale", got)
	}
	f.emu.SetRequestHook(nil)
	if misplaced, teamChanged := f.check("Orders", wants); misplaced+teamChanged > 0 {
		t.Errorf("misplaced=%d team_cells_changed=%d, want 0 and 0", misplaced, teamChanged)
	}
}

// A second writer (a backfill, the old instance of a rollover) adds
// orders below the rows this instance indexed. Before adding a key it
// does not know, the instance looks at the row below its last keyed row:
// a key there makes it index the tab again, so an order the other writer
// added is updated in place and a new one goes below the other's rows.
func TestRowsAddedByAnotherWriter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wants := f.seed(3) // f.sink has indexed the tab
	other := f.newSink()
	for _, k := range []string{"1004", "1005"} {
		if got, err := other.Upsert(t.Context(), "Orders", row(k, 4, "paid")); err != nil || got != model.Written {
			t.Fatalf("other.Upsert(%s) = %v, %v", k, got, err)
		}
	}
	f.upsert(row("1005", 7, "refunded"), model.Written) // the other's order: an update
	f.upsert(row("1006", 1, "paid"), model.Written)     // a new one
	rows := f.snapshot()
	var keys []string
	for _, r := range rows[1:] {
		if r[0] != "" {
			keys = append(keys, r[0])
		}
	}
	if want := []string{"1001", "1002", "1003", "1004", "1005", "1006"}; !slices.Equal(keys, want) {
		t.Errorf("keys in row order = %v, want %v:\n%s", keys, want, table(rows))
	}
	if r := rows[5]; r[1] != "refunded" || r[3] != "7" {
		t.Errorf("row of 1005 = %v, want refunded at version 7", r)
	}
	wants["1004"] = want{status: "paid", version: 4}
	wants["1005"] = want{status: "refunded", version: 7}
	wants["1006"] = want{status: "paid", version: 1}
	if misplaced, teamChanged := f.check("Orders", wants); misplaced+teamChanged > 0 {
		t.Errorf("misplaced=%d team_cells_changed=%d, want 0 and 0", misplaced, teamChanged)
	}
	if st := f.sink.Stats(); st.Reindexes != 1 {
		t.Errorf("stats %+v, want 1 reindex", st)
	}
}

// A tab filled to the last row of its grid, and two writers that indexed
// it so: the first appends its new order; the second, whose idea of the
// grid's size is stale, must neither write its own new order over the
// first's row nor add the first's order again.
func TestTwoWritersAppendToAFullGrid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wants := f.seed(3)
	sid := f.sheetID("Orders")
	rows, err := f.emu.Snapshot(f.id, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	props, err := f.svc.Spreadsheets.Get(f.id).Do()
	if err != nil {
		t.Fatal(err)
	}
	var grid int64
	for _, sh := range props.Sheets {
		if sh.Properties.SheetId == sid {
			grid = sh.Properties.GridProperties.RowCount
		}
	}
	f.edit(deleteRows(sid, int64(len(rows)), grid-int64(len(rows)))) // no blank row left
	a, b := f.newSink(), f.newSink()
	for _, s := range []*Sink{a, b} { // both index the full grid
		if _, err := s.Upsert(t.Context(), "Orders", row("1001", 1, "paid")); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		s   *Sink
		key string
		v   int64
	}{{a, "1004", 1}, {b, "1005", 1}, {b, "1004", 2}, {a, "1006", 1}} {
		if got, err := u.s.Upsert(t.Context(), "Orders", row(u.key, u.v, "paid")); err != nil || got != model.Written {
			t.Fatalf("Upsert(%s v%d) = %v, %v, want written", u.key, u.v, got, err)
		}
		wants[u.key] = want{status: "paid", version: u.v}
	}
	if misplaced, teamChanged := f.check("Orders", wants); misplaced+teamChanged > 0 {
		t.Errorf("misplaced=%d team_cells_changed=%d, want 0 and 0:\n%s", misplaced, teamChanged, table(f.snapshot()))
	}
}
