package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// A tab of orders whose last two columns are derived from the customer.
var erasureHeaders = []string{"order_id", "store", "status", "customer_ref", "email"}

func erasureTable(tab string) model.Table {
	return model.Table{Tab: tab, Headers: erasureHeaders, Key: "order_id", Personal: []string{"customer_ref", "email"}}
}

func customerRow(key string, version int64, store, status, ref string) model.Row {
	email := ""
	if ref != "" {
		email = "h***@example.com"
	}
	return model.Row{Key: key, Version: version, Insert: true, Update: true, Cells: []model.Cell{
		{Text: key}, {Text: store}, {Text: status}, {Text: ref}, {Text: email},
	}}
}

// newErasureFixture has two tabs, Orders and Returns, with the rows of
// customers c_A (orders 1, 2 and return R1), c_B (order 3) and a guest
// (order 4), in two stores; and a team column with a note on each row.
func newErasureFixture(t *testing.T) (*fixture, *Sink) {
	t.Helper()
	f := newFixture(t, "Orders", "Returns")
	sink := f.useTables(erasureTable("Orders"), erasureTable("Returns"))
	for _, r := range []struct {
		tab string
		row model.Row
	}{
		{"Orders", customerRow("1", 10, "lyon.myshopify.com", "paid", "c_A")},
		{"Orders", customerRow("2", 20, "lyon.myshopify.com", "refunded", "c_A")},
		{"Orders", customerRow("3", 30, "paris.myshopify.com", "paid", "c_B")},
		{"Orders", customerRow("4", 40, "lyon.myshopify.com", "paid", "")},
		{"Returns", customerRow("R1", 50, "lyon.myshopify.com", "open", "c_A")},
	} {
		if _, err := sink.Upsert(t.Context(), r.tab, r.row); err != nil {
			t.Fatal(err)
		}
	}
	for _, tab := range []string{"Orders", "Returns"} {
		rows := f.tab(tab)
		notes := [][]any{{"notes"}}
		for _, r := range rows[1:] {
			notes = append(notes, []any{"note " + r[0]})
		}
		if err := f.emu.SetValues(f.id, tab+"!G1:G"+strconv.Itoa(len(rows)), notes); err != nil {
			t.Fatal(err)
		}
	}
	return f, sink
}

func (f *fixture) tab(title string) [][]string {
	f.t.Helper()
	rows, err := f.emu.Snapshot(f.id, title)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

// byKey maps each key of a tab to its row, the team's note included.
func (f *fixture) byKey(title string) map[string][]string {
	f.t.Helper()
	out := map[string][]string{}
	for _, r := range f.tab(title)[1:] {
		if len(r) > 0 && r[0] != "" {
			out[r[0]] = r
		}
	}
	return out
}

// The customer c_A: by pseudonym in every tab, and order 4 by its key.
func customerA() []model.Select {
	ref := []model.Cells{{Header: "customer_ref", Values: []string{"c_A"}}}
	return []model.Select{
		{Tab: "Orders", Keys: []string{"4"}, Where: &model.Cells{Header: "store", Values: []string{"lyon.myshopify.com"}}, Any: ref},
		{Tab: "Returns", Any: ref},
	}
}

func TestApplyClear(t *testing.T) {
	t.Parallel()
	f, sink := newErasureFixture(t)
	f.emu.ResetStats()
	rep, err := sink.Apply(t.Context(), model.Clear, customerA())
	if err != nil {
		t.Fatal(err)
	}
	want := []model.TabReport{{Tab: "Orders", Selected: 3, Changed: 3}, {Tab: "Returns", Selected: 1, Changed: 1}}
	if diff := cmp.Diff(want, rep.Tabs); diff != "" {
		t.Errorf("Apply(model.Clear) report mismatch (-want +got):\n%s", diff)
	}
	// One read to find the rows, one write to clear them: whatever their number.
	if st := f.emu.Stats(); st.Writes != 1 || st.Reads != 1 {
		t.Errorf("requests = %d reads, %d writes, want 1 and 1", st.Reads, st.Writes)
	}
	orders := f.byKey("Orders")
	for k, want := range map[string][]string{
		"1": {"1", "lyon.myshopify.com", "paid", "", "", "10 erased", "note 1"},
		"2": {"2", "lyon.myshopify.com", "refunded", "", "", "20 erased", "note 2"},
		"3": {"3", "paris.myshopify.com", "paid", "c_B", "h***@example.com", "30", "note 3"},
		"4": {"4", "lyon.myshopify.com", "paid", "", "", "40 erased", "note 4"},
	} {
		if diff := cmp.Diff(want, orders[k]); diff != "" {
			t.Errorf("Orders row %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if got := f.byKey("Returns")["R1"]; got[3] != "" || got[4] != "" || got[2] != "open" || got[6] != "note R1" {
		t.Errorf("Returns row R1 = %q, want its personal cells cleared, the rest kept", got)
	}

	// A replay finds nothing left to clear, and writes nothing.
	f.emu.ResetStats()
	rep, err = sink.Apply(t.Context(), model.Clear, customerA())
	if err != nil || rep.Changed() != 0 || rep.Selected() != 1 {
		t.Errorf("Apply(model.Clear) again = selected %d changed %d, %v; want order 4 and nothing changed", rep.Selected(), rep.Changed(), err)
	}
	if st := f.emu.Stats(); st.Writes != 0 {
		t.Errorf("a replayed erasure sent %d writes, want 0", st.Writes)
	}

	// A later update of an erased order applies, and keeps the customer out.
	f.sink = sink
	for _, s := range []*Sink{sink, f.useTables(erasureTable("Orders"), erasureTable("Returns"))} { // and after a restart
		f.sink = s
		v := int64(60)
		if s != sink {
			v = 70
		}
		got, err := s.Upsert(t.Context(), "Orders", customerRow("1", v, "lyon.myshopify.com", "refunded", "c_A"))
		if err != nil || got != model.Written {
			t.Fatalf("Upsert(1 v%d) = %q, %v, want written", v, got, err)
		}
		want := []string{"1", "lyon.myshopify.com", "refunded", "", "", strconv.FormatInt(v, 10) + " erased", "note 1"}
		if diff := cmp.Diff(want, f.byKey("Orders")["1"]); diff != "" {
			t.Errorf("order 1 after an update v%d mismatch (-want +got):\n%s", v, diff)
		}
		if got, _ := s.Upsert(t.Context(), "Orders", customerRow("1", v-1, "lyon.myshopify.com", "paid", "c_A")); got != model.Stale {
			t.Errorf("Upsert(1 v%d) = %q, want stale: the mark keeps the version", v-1, got)
		}
	}
	// A new order of the same customer is new data: it enters as it is.
	f.upsert(customerRow("5", 80, "lyon.myshopify.com", "paid", "c_A"), model.Written)
	if got := f.byKey("Orders")["5"]; got[3] != "c_A" {
		t.Errorf("order 5 = %q, want its pseudonym", got)
	}
}

// An update and an erasure of the same order race: whichever is queued
// first, the row ends with the update's status and without the customer.
func TestApplyClearRacesAnUpdate(t *testing.T) {
	t.Parallel()
	for _, updateFirst := range []bool{true, false} {
		t.Run("update first "+strconv.FormatBool(updateFirst), func(t *testing.T) {
			t.Parallel()
			f, sink := newErasureFixture(t)
			paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
			blocker := f.upsertAsync(customerRow("3", 31, "paris.myshopify.com", "paid", "c_B"))
			<-paused
			update := func() <-chan string {
				return f.upsertAsync(customerRow("1", 11, "lyon.myshopify.com", "refunded", "c_A"))
			}
			var upd <-chan string
			if updateFirst {
				upd = update()
				f.waitQueued(1)
			}
			erased := make(chan model.Report, 1)
			go func() {
				rep, err := sink.Apply(context.Background(), model.Clear, customerA())
				if err != nil {
					t.Error(err)
				}
				erased <- rep
			}()
			f.waitQueued(len(slices.DeleteFunc([]bool{updateFirst, true}, func(b bool) bool { return !b })))
			if !updateFirst {
				upd = update()
				f.waitQueued(2)
			}
			release()
			<-blocker
			if got := <-upd; got != "written" {
				t.Errorf("Upsert(1 v11) = %s, want written", got)
			}
			if rep := <-erased; rep.Changed() != 4 {
				t.Errorf("Apply(model.Clear) changed %d rows, want 4", rep.Changed())
			}
			want := []string{"1", "lyon.myshopify.com", "refunded", "", "", "11 erased", "note 1"}
			if diff := cmp.Diff(want, f.byKey("Orders")["1"]); diff != "" {
				t.Errorf("order 1 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyCountAndRead(t *testing.T) {
	t.Parallel()
	f, sink := newErasureFixture(t)
	f.emu.ResetStats()
	rep, err := sink.Apply(t.Context(), model.Count, customerA())
	if err != nil || rep.Selected() != 4 || rep.Changed() != 4 {
		t.Errorf("Apply(model.Count) = selected %d, would clear %d, %v; want 4 and 4", rep.Selected(), rep.Changed(), err)
	}
	if st := f.emu.Stats(); st.Writes != 0 || st.Reads != 1 {
		t.Errorf("Apply(model.Count) sent %d reads, %d writes; want 1 and 0", st.Reads, st.Writes)
	}
	rep, err = sink.Apply(t.Context(), model.Read, []model.Select{{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_B"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.TabReport{{Tab: "Orders", Selected: 1, Changed: 0,
		Header: []string{"order_id", "store", "status", "customer_ref", "email", VersionHeader, "notes"},
		Rows:   [][]string{{"3", "paris.myshopify.com", "paid", "c_B", "h***@example.com", "30", "note 3"}}}}
	if diff := cmp.Diff(want, rep.Tabs); diff != "" {
		t.Errorf("Apply(model.Read) mismatch (-want +got):\n%s", diff)
	}
	if _, err := sink.Apply(t.Context(), model.Read, []model.Select{{Tab: "Orders", Any: []model.Cells{{Header: "notes", Values: []string{"x"}}}}}); err == nil {
		t.Error("Apply with a team header succeeded, want an error: only owned columns are compared")
	}
}

// A shop's rows are deleted, in one write; the other shop's rows and the
// team's rows without a key stay.
func TestApplyDelete(t *testing.T) {
	t.Parallel()
	f, sink := newErasureFixture(t)
	if err := f.emu.SetValues(f.id, "Orders!A6:G6", [][]any{{"", "lyon.myshopify.com", "", "", "", "", "team total"}}); err != nil {
		t.Fatal(err)
	}
	lyon := []model.Cells{{Header: "store", Values: []string{"lyon.myshopify.com"}}}
	f.emu.ResetStats()
	rep, err := sink.Apply(t.Context(), model.Delete, []model.Select{{Tab: "Orders", Any: lyon}, {Tab: "Returns", Any: lyon}})
	if err != nil || rep.Changed() != 4 {
		t.Fatalf("Apply(model.Delete) = %+v, %v, want 4 rows deleted", rep, err)
	}
	if st := f.emu.Stats(); st.Writes != 1 {
		t.Errorf("Apply(model.Delete) sent %d writes, want 1", st.Writes)
	}
	want := [][]string{
		{"order_id", "store", "status", "customer_ref", "email", VersionHeader, "notes"},
		{"3", "paris.myshopify.com", "paid", "c_B", "h***@example.com", "30", "note 3"},
		{"", "lyon.myshopify.com", "", "", "", "", "team total"},
	}
	if diff := cmp.Diff(want, f.tab("Orders")); diff != "" {
		t.Errorf("Orders mismatch (-want +got):\n%s", diff)
	}
	rep, err = sink.Apply(t.Context(), model.Delete, []model.Select{{Tab: "Orders", Any: lyon}, {Tab: "Returns", Any: lyon}})
	if err != nil || rep.Changed() != 0 {
		t.Errorf("Apply(model.Delete) again = %+v, %v, want nothing deleted", rep, err)
	}
	// The index follows: upserts land on the right rows.
	f.sink = sink
	f.upsert(customerRow("3", 31, "paris.myshopify.com", "refunded", "c_B"), model.Written)
	f.upsert(customerRow("1", 11, "lyon.myshopify.com", "paid", "c_A"), model.Written)
	if got := f.byKey("Orders"); got["3"][2] != "refunded" || len(got) != 2 {
		t.Errorf("Orders after upserts = %q", f.tab("Orders"))
	}
}

// A team edit lands between the erasure's read and its write: the cells
// that landed on other rows get their values back, and the erasure is
// done again on the right rows.
func TestApplyInsideTheWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		action model.Action
	}{
		{"clear", model.Clear},
		{"delete", model.Delete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, sink := newErasureFixture(t)
			before := f.byKey("Orders")
			// Reverse the rows: every row index now holds another order.
			f.editAt(gsheetstest.MethodBatchUpdate, 1, sortByKeyDescending(f.sheetID("Orders")))
			rep, err := sink.Apply(t.Context(), tt.action, []model.Select{{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_A"}}}}})
			f.emu.SetRequestHook(nil)
			if err != nil || rep.Changed() != 2 {
				t.Fatalf("Apply(%s) = %+v, %v, want 2 rows changed", tt.action, rep, err)
			}
			if st := sink.Stats(); st.Heals != 1 {
				t.Errorf("Stats().Heals = %d, want 1: the sort did not land in the window", st.Heals)
			}
			after := f.byKey("Orders")
			for _, k := range []string{"3", "4"} {
				if diff := cmp.Diff(before[k], after[k]); diff != "" {
					t.Errorf("order %s, not the customer's, changed (-before +after):\n%s", k, diff)
				}
			}
			for _, k := range []string{"1", "2"} {
				switch r, ok := after[k]; {
				case tt.action == model.Delete && ok:
					t.Errorf("order %s = %q, want it deleted", k, r)
				case tt.action == model.Clear && (r[3] != "" || r[4] != "" || !strings.HasSuffix(r[5], erasedMark) || r[6] != "note "+k):
					t.Errorf("order %s = %q, want its personal cells cleared, its note kept", k, r)
				}
			}
		})
	}
}

func sortByKeyDescending(sid int64) *sheets.Request {
	return &sheets.Request{SortRange: &sheets.SortRangeRequest{
		Range:     &sheets.GridRange{SheetId: sid, StartRowIndex: 1},
		SortSpecs: []*sheets.SortSpec{{DimensionIndex: 0, SortOrder: "DESCENDING"}},
	}}
}

// A clear whose answer was lost landed: the retry finds nothing left to
// clear, and still reports the rows as cleared.
func TestApplyLostAnswer(t *testing.T) {
	t.Parallel()
	f, sink := newErasureFixture(t)
	f.emu.FailNext(gsheetstest.Writes, gsheetstest.FaultLostResponse)
	rep, err := sink.Apply(t.Context(), model.Clear, customerA())
	if err != nil || rep.Changed() != 4 {
		t.Errorf("Apply(model.Clear) after a lost answer = %+v, %v, want 4 rows cleared", rep, err)
	}
	if st := sink.Stats(); st.Retries != 1 {
		t.Errorf("Stats().Retries = %d, want 1", st.Retries)
	}
}

// The undo copy of the last update holds the cells it overwrote, the
// customer's among them: an erasure empties it too.
func TestApplyEmptiesTheUndoTab(t *testing.T) {
	t.Parallel()
	for _, a := range []model.Action{model.Clear, model.Delete} {
		t.Run(string(a), func(t *testing.T) {
			t.Parallel()
			f, sink := newErasureFixture(t)
			if _, err := sink.Upsert(t.Context(), "Orders", customerRow("1", 11, "lyon.myshopify.com", "refunded", "c_A")); err != nil {
				t.Fatal(err)
			}
			if undo := f.tab(UndoTab); !strings.Contains(table(undo), "c_A") {
				t.Fatalf("undo tab = %q, want the update's copy of c_A's cells (the case to test)", undo)
			}
			if _, err := sink.Apply(t.Context(), a, customerA()); err != nil {
				t.Fatal(err)
			}
			if undo := f.tab(UndoTab); strings.Contains(table(undo), "c_A") {
				t.Errorf("undo tab after Apply(%s) = %q, want c_A gone", a, undo)
			}
		})
	}
}
