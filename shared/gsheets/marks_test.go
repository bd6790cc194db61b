package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// paid is a version the table's filter lets in; refunded one it keeps out
// (a new row may not be created by it), though it updates a row already
// there, as with the default update policy.
func paid(key string, v int64) model.Row {
	r := row(key, v, "paid")
	r.Source = "shopify"
	return r
}

func refunded(key string, v int64) model.Row {
	r := row(key, v, "refunded")
	r.Source, r.Insert = "shopify", false
	return r
}

// A refund delivered before its order: the filter keeps the refund out,
// and the older "paid" version, delivered later, must not enter and show
// for ever (issue 11: 10 of 10 in a test, 2 of 30 in a shuffled storm).
// The mark lives in the spreadsheet: a restart, or another instance,
// still answers stale.
func TestNewestFilteredVersionKeepsOlderOnesOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(refunded("1001", 3), model.Filtered)
	f.upsert(paid("1001", 1), model.Stale)
	f.upsert(paid("1001", 2), model.Stale)
	f.upsert(refunded("1001", 3), model.Filtered) // the same refund again
	f.upsert(refunded("1001", 2), model.Stale)
	f.sink = f.newSink() // a restart, or another instance
	f.upsert(paid("1001", 1), model.Stale)
	if rows := f.snapshot(); len(rows) > 1 {
		t.Fatalf("the refunded order entered the sheet:\n%s", table(rows))
	}
	// A newer paid version (the refund reversed) enters.
	f.upsert(paid("1001", 4), model.Written)
	if rows := f.snapshot(); len(rows) != 2 || rows[1][1] != "paid" {
		t.Fatalf("want order 1001 paid at version 4:\n%s", table(rows))
	}
	if got := f.sink.Stats().Marks; got != 0 {
		t.Errorf("the restarted sink recorded %d marks, want 0 (the first one did)", got)
	}
}

// A filtered event's mark joins the flush of the rows queued with it: no
// write request of its own when the flush writes anyway.
func TestMarksRideAlong(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(paid("1", 1), model.Written) // index and warm up
	before := f.emu.Stats().Writes
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	first := f.upsertAsync(paid("2", 1))
	<-paused
	var rest []<-chan string
	for i := range 20 {
		if i%2 == 0 {
			rest = append(rest, f.upsertAsync(paid(strconv.Itoa(100+i), 1)))
		} else {
			rest = append(rest, f.upsertAsync(refunded(strconv.Itoa(100+i), 2)))
		}
	}
	f.waitQueued(20)
	release()
	if got := <-first; got != "written" {
		t.Fatalf("first = %s", got)
	}
	for i, c := range rest {
		want := "written"
		if i%2 == 1 {
			want = "filtered"
		}
		if got := <-c; got != want {
			t.Fatalf("upsert %d = %s, want %s", i, got, want)
		}
	}
	if writes := f.emu.Stats().Writes - before; writes != 2 {
		t.Errorf("write requests = %d, want 2 (the first flush, then one for 10 rows and 10 marks)", writes)
	}
	if got := f.sink.Stats().Marks; got != 10 {
		t.Errorf("marks recorded = %d, want 10", got)
	}
}

// Marks expire after MarksTTL: a platform's retries are over by then, and
// the tab must not grow for ever.
func TestMarksExpire(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f.sink.marks.now = clock
	f.upsert(refunded("1001", 3), model.Filtered)
	f.upsert(paid("1001", 1), model.Stale)
	now = now.Add(DefaultMarksTTL + time.Minute)
	f.sink = f.newSink()
	f.sink.marks.now = clock
	f.upsert(paid("1001", 1), model.Written)
}

// A row written at a newer version makes its key's mark moot; once dead
// rows outnumber the live marks (by 1,000 and twice over), a flush that
// writes anyway rewrites the tab with the live ones only, and they still
// keep older versions out after a restart.
func TestMarksCompact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Flushes of hundreds of rows, on a machine the race detector slows
	// down: a timed-out write would shrink the flushes and put off the
	// compaction this test is about (TestTimedOutFlushShrinks tests that).
	opt := testOptions()
	opt.RequestTimeout = time.Minute
	f.sink = f.useTablesWith(opt, model.Table{Tab: "Orders", Headers: headers, Key: "order_id"})
	const n = 1100
	f.upsertAll(n, func(i int) (model.Row, model.Result) { return refunded(strconv.Itoa(i), 2), model.Filtered })
	// A write that timed out may have landed and been sent again: the
	// same mark on two rows is harmless, and compaction removes it.
	before, distinct := f.marksRows()
	if distinct != n {
		t.Fatalf("marks tab holds %d distinct marks, want %d", distinct, n)
	}
	// The refunds were reversed: newer paid versions enter, and their
	// marks are moot.
	f.upsertAll(n-5, func(i int) (model.Row, model.Result) { return paid(strconv.Itoa(i), 3), model.Written })
	f.upsert(paid("new", 1), model.Written)
	if rows, distinct := f.marksRows(); rows >= before || distinct < 5 || rows >= n {
		t.Errorf("after compaction the marks tab holds %d rows (%d distinct), want fewer than %d and the 5 live marks", rows, distinct, before)
	}
	f.sink = f.useTablesWith(opt, model.Table{Tab: "Orders", Headers: headers, Key: "order_id"})
	for i := n - 5; i < n; i++ {
		f.upsert(paid(strconv.Itoa(i), 1), model.Stale)
	}
}

// upsertAll upserts n rows at once, so that they share flushes.
func (f *fixture) upsertAll(n int, at func(i int) (model.Row, model.Result)) {
	f.t.Helper()
	type res struct {
		got, want model.Result
		err       error
	}
	out := make(chan res, n)
	for i := range n {
		r, want := at(i)
		go func() {
			got, err := f.sink.Upsert(context.Background(), "Orders", r)
			out <- res{got, want, err}
		}()
	}
	for range n {
		if r := <-out; r.err != nil || r.got != r.want {
			f.t.Fatalf("Upsert = %q, %v, want %q", r.got, r.err, r.want)
		}
	}
}

// marksRows counts the data rows of the marks tab, and the distinct marks
// they hold.
func (f *fixture) marksRows() (rows, distinct int) {
	f.t.Helper()
	all, err := f.emu.Snapshot(f.id, MarksTab)
	if err != nil {
		f.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range all[1:] {
		if len(r) > 1 && r[0] != "" {
			rows++
			seen[r[0]+"\x00"+r[1]] = true
		}
	}
	return rows, len(seen)
}

// Marks hold an identity and a version, never a cell of the row.
func TestMarksHoldNoCell(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(refunded("1001", 3), model.Filtered)
	rows, err := f.emu.Snapshot(f.id, MarksTab)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "Orders" || rows[1][1] != "shopify/1001" || rows[1][2] != "3" {
		t.Errorf("marks tab = %v, want the header and [Orders shopify/1001 3 <time>]", rows)
	}
	if _, err := f.sink.Upsert(context.Background(), "Orders", paid("1001", 2)); err != nil {
		t.Fatal(err)
	}
}

// left is a version of an order that no longer belongs in the
// destination (a partner's where no longer matches it).
func left(key string, v int64) model.Row {
	r := paid(key, v)
	r.Insert, r.Update, r.Leave = false, true, true
	return r
}

// A row that leaves the destination is deleted when the destination holds
// an older version, and its version is remembered: an older version that
// still matched never brings it back; a newer one that matches again does.
func TestLeaveDeletesAndRemembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(paid("1", 1), model.Written)
	f.upsert(paid("2", 1), model.Written)
	f.upsert(left("1", 3), model.Removed)
	f.upsert(left("1", 3), model.Filtered) // the same event again
	f.upsert(paid("1", 2), model.Stale)
	f.sink = f.newSink()
	f.upsert(paid("1", 2), model.Stale)
	f.upsert(left("9", 1), model.Filtered) // never there: not named in the marks either
	if marks, _ := f.emu.Snapshot(f.id, MarksTab); strings.Contains(table(marks), "/9") {
		t.Errorf("the marks name order 9, which the destination never held:\n%s", table(marks))
	}
	// Order 2 was written at version 1 under an older where: the same
	// version leaves now.
	f.upsert(left("2", 1), model.Removed)
	if rows := f.snapshot(); len(rows) != 1 {
		t.Fatalf("want no order left:\n%s", table(rows))
	}
	f.upsert(paid("1", 4), model.Written)
	if rows := f.snapshot(); len(rows) != 2 {
		t.Fatalf("want order 1 back at version 4:\n%s", table(rows))
	}
}

// Without Update (the table's update policy keeps rows as they are), a
// row its where no longer chooses stays, and its version is remembered.
func TestLeaveKeptByTheUpdatePolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(paid("1", 1), model.Written)
	keep := left("1", 3)
	keep.Update = false
	f.upsert(keep, model.Filtered)
	f.upsert(paid("1", 2), model.Stale)
	if rows := f.snapshot(); len(rows) != 2 || rows[1][0] != "1" {
		t.Fatalf("want order 1 kept at version 1:\n%s", table(rows))
	}
}
