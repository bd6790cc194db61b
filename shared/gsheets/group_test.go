package gsheets

import (
	"net/http"
	"slices"
	"strings"

	"github.com/safeview/safeview/shared/model"
	"google.golang.org/api/option"

	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// pauseAt makes the next request of method wait until release is called;
// paused is closed once it waits. It lets a test queue rows behind a
// flush deterministically.
func (f *fixture) pauseAt(method string) (paused <-chan struct{}, release func()) {
	return f.emu.PauseNext(method)
}

// waitQueued waits until n ops are queued behind the flush in progress.
func (f *fixture) waitQueued(n int) {
	f.t.Helper()
	for {
		f.sink.mu.Lock()
		got := len(f.sink.queue)
		f.sink.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// upsertAsync starts an upsert and returns where its answer will be.
func (f *fixture) upsertAsync(r model.Row) <-chan string {
	out := make(chan string, 1)
	go func() {
		res, err := f.sink.Upsert(context.Background(), "Orders", r)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		out <- string(res)
	}()
	return out
}

// Every row pending while a flush is out goes in the next one: one write
// request for fifty new orders.
func TestGroupCommitOneWritePerFlush(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(row("1000", 1, "paid"), model.Written) // the tab is set up and indexed
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	first := f.upsertAsync(row("1001", 1, "paid"))
	<-paused
	before := f.emu.Stats()
	var answers []<-chan string
	for i := range 50 {
		answers = append(answers, f.upsertAsync(row(strconv.Itoa(2000+i), 1, "paid")))
	}
	f.waitQueued(50)
	release()
	if got := <-first; got != "written" {
		t.Errorf("Upsert(1001) = %s, want written", got)
	}
	for i, a := range answers {
		if got := <-a; got != "written" {
			t.Errorf("Upsert(%d) = %s, want written", 2000+i, got)
		}
	}
	st := f.emu.Stats()
	// The paused flush (1001) and the one after it (the fifty).
	if writes := st.Writes - before.Writes; writes != 2 {
		t.Errorf("write requests = %d, want 2 (one per flush)", writes)
	}
	if rows := len(f.snapshot()); rows != 53 {
		t.Errorf("tab has %d rows, want header + 52 orders", rows)
	}
	if got := f.sink.Stats(); got.Flushes != 3 || got.Rows != 53-1 {
		t.Errorf("Stats() = %+v, want 3 flushes of 52 rows in all", got)
	}
}

// Versions of one key pending together coalesce to the newest; the other
// callers learn what their version became.
func TestGroupCommitCoalesces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stored   int64 // 0: the key is not in the sheet yet
		versions []int64
		want     []model.Result
		final    int64
		writes   int
	}{
		{"newest wins, older ones stale", 0, []int64{1, 3, 2}, []model.Result{model.Stale, model.Written, model.Stale}, 3, 1},
		{"duplicates of the newest", 0, []int64{2, 2, 2}, []model.Result{model.Written, model.Unchanged, model.Unchanged}, 2, 1},
		{"reordered with duplicates", 5, []int64{7, 6, 7, 5, 4}, []model.Result{model.Written, model.Stale, model.Unchanged, model.Stale, model.Stale}, 7, 1},
		{"nothing newer than the sheet", 9, []int64{8, 9, 9}, []model.Result{model.Stale, model.Unchanged, model.Unchanged}, 9, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.upsert(row("1000", 1, "paid"), model.Written)
			if tt.stored > 0 {
				f.upsert(row("1001", tt.stored, "v"+strconv.FormatInt(tt.stored, 10)), model.Written)
			}
			paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
			blocker := f.upsertAsync(row("1000", 2, "paid"))
			<-paused
			before := f.emu.Stats().Writes
			var answers []<-chan string
			for i, v := range tt.versions {
				answers = append(answers, f.upsertAsync(row("1001", v, "v"+strconv.FormatInt(v, 10))))
				f.waitQueued(i + 1) // arrival order is the test's order
			}
			release()
			<-blocker
			var got []model.Result
			for _, a := range answers {
				got = append(got, model.Result(<-a))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("results of versions %v mismatch (-want +got):\n%s", tt.versions, diff)
			}
			rows := f.snapshot()
			if len(rows) != 3 || rows[2][3] != strconv.FormatInt(tt.final, 10) || rows[2][1] != "v"+strconv.FormatInt(tt.final, 10) {
				t.Errorf("rows = %v, want 1001 once at version %d", rows, tt.final)
			}
			// The blocker's flush wrote 1000; the versions' flush at most once.
			if writes := f.emu.Stats().Writes - before - 1; writes != tt.writes {
				t.Errorf("write requests for the versions = %d, want %d", writes, tt.writes)
			}
		})
	}
}

func TestCoalesce(t *testing.T) {
	t.Parallel()
	type in struct {
		v              int64
		insert, update bool
		sent           bool
		leave          bool
	}
	tests := []struct {
		name         string
		exists       bool
		stored, mark int64
		ops          []in
		want         []model.Result
		win          int   // index of the op written, -1 for none
		raised       int64 // the mark to record
	}{
		{"filtered, then an older create in the same flush", false, 0, 0, []in{{v: 2}, {v: 1, insert: true}}, []model.Result{model.Filtered, model.Written}, 1, 2},
		{"filtered refund, then its older create in the same flush", false, 0, 0, []in{{v: 2, update: true}, {v: 1, insert: true}}, []model.Result{model.Written, model.Stale}, 0, 0},
		{"create then an update that may not create", false, 0, 0, []in{{v: 1, insert: true}, {v: 2, update: true}}, []model.Result{model.Stale, model.Written}, 1, 0},
		{"update refused by the table", true, 1, 0, []in{{v: 2}}, []model.Result{model.Filtered}, -1, 2},
		{"a lost write that landed", true, 3, 0, []in{{v: 3, update: true, sent: true}, {v: 3, update: true}}, []model.Result{model.Written, model.Unchanged}, -1, 0},
		{"a lost write that landed, then a newer one", true, 3, 0, []in{{v: 3, update: true, sent: true}, {v: 4, update: true}}, []model.Result{model.Stale, model.Written}, 1, 0},
		{"a create older than a version kept out", false, 0, 5, []in{{v: 4, insert: true, update: true}}, []model.Result{model.Stale}, -1, 0},
		{"a create newer than a version kept out", false, 0, 5, []in{{v: 6, insert: true, update: true}}, []model.Result{model.Written}, 0, 0},
		{"the version kept out, again", false, 0, 5, []in{{v: 5, update: true}}, []model.Result{model.Filtered}, -1, 0},
		{"an older version kept out too", false, 0, 5, []in{{v: 3, update: true}}, []model.Result{model.Stale}, -1, 0},
		{"a newer version kept out", false, 0, 5, []in{{v: 7, update: true}}, []model.Result{model.Filtered}, -1, 7},
		{"two kept out in one flush", false, 0, 0, []in{{v: 3}, {v: 2}}, []model.Result{model.Filtered, model.Stale}, -1, 3},
		{"an update older than a version kept out by the update policy", true, 1, 5, []in{{v: 3, update: true}}, []model.Result{model.Stale}, -1, 0},
		{"a row leaves", true, 1, 0, []in{{v: 2, update: true, leave: true}}, []model.Result{model.Removed}, -1, 2},
		{"a row leaves at its own version (the where changed)", true, 3, 0, []in{{v: 3, update: true, leave: true}}, []model.Result{model.Removed}, -1, 3},
		{"the update policy keeps a row its where no longer chooses", true, 1, 0, []in{{v: 2, leave: true}}, []model.Result{model.Filtered}, -1, 2},
		{"the update policy keeps it, at its own version", true, 2, 0, []in{{v: 2, leave: true}}, []model.Result{model.Unchanged}, -1, 0},
		{"a row leaves, then comes back in the same flush", true, 1, 0, []in{{v: 3, update: true}, {v: 2, update: true, leave: true}}, []model.Result{model.Written, model.Stale}, 0, 0},
		{"an update, then the row leaves in the same flush", true, 1, 0, []in{{v: 2, update: true}, {v: 3, update: true, leave: true}}, []model.Result{model.Stale, model.Removed}, -1, 3},
		{"an older version leaves", true, 5, 0, []in{{v: 3, update: true, leave: true}}, []model.Result{model.Stale}, -1, 0},
		{"a row that is not there leaves, and is not named", false, 0, 0, []in{{v: 3, update: true, leave: true}}, []model.Result{model.Filtered}, -1, 0},
		{"a row that is not there leaves, older than a mark", false, 0, 5, []in{{v: 3, update: true, leave: true}}, []model.Result{model.Stale}, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ops []*op
			for _, o := range tt.ops {
				ops = append(ops, &op{row: model.Row{Key: "k", Version: o.v, Insert: o.insert, Update: o.update, Leave: o.leave}, sent: o.sent})
			}
			win, raised, _ := coalesce(tt.exists, tt.stored, tt.mark, ops)
			if raised != tt.raised {
				t.Errorf("coalesce(%v, %d, %d, %+v) raised the mark to %d, want %d", tt.exists, tt.stored, tt.mark, tt.ops, raised, tt.raised)
			}
			var got []model.Result
			for _, o := range ops {
				got = append(got, o.res)
			}
			wantWin := (*op)(nil)
			if tt.win >= 0 {
				wantWin = ops[tt.win]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || win != wantWin {
				t.Errorf("coalesce(%v, %d, %+v) = %v (winner %p), want %v (winner %p)", tt.exists, tt.stored, tt.ops, got, win, tt.want, wantWin)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ perMinute, burst int }{{55, 2}, {60, 1}, {30, 5}} {
		t.Run(fmt.Sprintf("%d/min burst %d", tt.perMinute, tt.burst), func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			l := newLimiter(tt.perMinute, tt.burst, func() time.Time { return now })
			// Send as fast as allowed for ten minutes of a fake clock.
			var sent []time.Time
			for now.Before(time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)) {
				now = now.Add(l.reserve())
				sent = append(sent, now)
			}
			// In any 60 s: at most the rate plus the burst.
			most := 0
			for i := range sent {
				n := 0
				for j := i; j < len(sent) && sent[j].Sub(sent[i]) < time.Minute; j++ {
					n++
				}
				most = max(most, n)
			}
			if limit := tt.perMinute + tt.burst; most > limit {
				t.Errorf("most requests in 60 s = %d, want at most %d", most, limit)
			}
			if rate := float64(len(sent)) / 10; rate < float64(tt.perMinute) || rate > float64(tt.perMinute+tt.burst) {
				t.Errorf("requests per minute over ten minutes = %.1f, want %d", rate, tt.perMinute)
			}
			// A token given back is the next one.
			d := l.reserve()
			l.cancel()
			if again := l.reserve(); again != d {
				t.Errorf("reserve() after cancel() = %v, want %v again", again, d)
			}
		})
	}
}

// The behaviours for which the sink keeps its own limiter rather than
// golang.org/x/time/rate (see limiter).
func TestLimiterGiveBackPenalizeWait(t *testing.T) {
	t.Parallel()
	interval := time.Second // 60 a minute
	t.Run("a token given back after its time is there again", func(t *testing.T) {
		t.Parallel()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		l := newLimiter(60, 2, func() time.Time { return now })
		l.reserve()
		l.reserve()                           // the burst is spent
		now = now.Add(150 * time.Millisecond) // a flush that did not write
		l.cancel()
		if d := l.reserve(); d != 0 {
			t.Errorf("reserve() after a token was given back = %v, want 0", d)
		}
	})
	t.Run("penalize holds everything, the burst included, until the backoff ends", func(t *testing.T) {
		t.Parallel()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		l := newLimiter(60, 2, func() time.Time { return now })
		l.penalize(3 * time.Second)
		for i, want := range []time.Duration{3 * time.Second, 3*time.Second + interval, 3*time.Second + 2*interval} {
			if d := l.reserve(); d != want {
				t.Errorf("reserve() #%d after penalize(3s) = %v, want %v", i+1, d, want)
			}
		}
	})
	t.Run("wait fails at once when the token is due after the deadline", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(60, 1, nil)
		l.reserve() // the next token is due in a second
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		if err := l.wait(ctx); !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Errorf("wait(500 ms) = %v, with the context ended: %v; want context.DeadlineExceeded before the deadline", err, ctx.Err() != nil)
		}
		// It took nothing: the next token is still the one due in a second.
		if d := l.reserve(); d <= 500*time.Millisecond || d > interval {
			t.Errorf("reserve() after a wait that failed = %v, want over 500ms and at most %v", d, interval)
		}
	})
}

// A tab that cannot be written (here its key column is gone while it
// holds rows) fails its own rows only: the other tab's rows of the same
// flush are written.
func TestBrokenTabFailsItsRowsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "Orders", "Bookings")
	if err := f.emu.SetValues(f.id, "Bookings!A1:B3", [][]any{{"ref", "guest count"}, {"B-1", 2}, {"B-2", 4}}); err != nil {
		t.Fatal(err)
	}
	sink := f.useTables(model.Table{Tab: "Orders", Headers: headers, Key: "order_id"},
		model.Table{Tab: "Bookings", Headers: []string{"booking_id", "status"}, Key: "booking_id"})
	f.upsert(row("1000", 1, "paid"), model.Written) // Orders is indexed
	paused, release := f.pauseAt(gsheetstest.MethodValuesBatchGetByFilter)
	blocker := f.upsertAsync(row("1001", 1, "paid"))
	<-paused
	order := f.upsertAsync(row("1002", 1, "paid"))
	f.waitQueued(1)
	booking := make(chan error, 1)
	go func() {
		_, err := sink.Upsert(t.Context(), "Bookings", model.Row{Key: "B-3", Version: 1, Insert: true, Update: true, Cells: []model.Cell{{Text: "B-3"}, {Text: "confirmed"}}})
		booking <- err
	}()
	f.waitQueued(2)
	release()
	<-blocker
	if got := <-order; got != "written" {
		t.Errorf("Upsert(Orders 1002) = %s, want written despite the broken Bookings tab", got)
	}
	if err := <-booking; !errors.Is(err, errNoKeyColumn) || !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("Upsert(Bookings B-3) error = %v, want model.ErrUnavailable for a missing key column", err)
	}
}

// A cold start indexes every configured tab in one go, whatever the
// number of tabs: one spreadsheets.get, one read of the headers, one of
// the key and version columns, one write for the headers and tags. The
// second tab's first row then costs a flush like any other, within the
// read quota's burst.
func TestColdStartIndexesEveryTabInOneGo(t *testing.T) {
	t.Parallel()
	bookings := model.Table{Tab: "Bookings", Headers: []string{"booking_id", "status"}, Key: "booking_id"}
	booking := model.Row{Key: "B-1", Version: 1, Insert: true, Update: true, Cells: []model.Cell{{Text: "B-1"}, {Text: "confirmed"}}}
	tests := []struct {
		name  string
		setup func(f *fixture)
		tabs  []string
		want  map[string]int // requests by method of the first upsert
	}{
		{"two empty tabs", func(*fixture) {}, []string{"Orders", "Bookings"}, map[string]int{
			gsheetstest.MethodGet: 1, gsheetstest.MethodValuesBatchGetByFilter: 2, gsheetstest.MethodBatchUpdate: 2}},
		{"two tabs to create", func(*fixture) {}, []string{"Sheet1"}, map[string]int{
			gsheetstest.MethodGet: 1, gsheetstest.MethodBatchUpdate: 2}},
		{"two tabs with rows, after a restart", func(f *fixture) {
			f.upsert(row("1000", 1, "paid"), model.Written)
			if _, err := f.sink.Upsert(t.Context(), "Bookings", booking); err != nil {
				f.t.Fatal(err)
			}
			f.sink = f.useTables(model.Table{Tab: "Orders", Headers: headers, Key: "order_id"}, bookings)
		}, []string{"Orders", "Bookings"}, map[string]int{
			gsheetstest.MethodGet: 1, gsheetstest.MethodValuesBatchGetByFilter: 2, gsheetstest.MethodBatchUpdate: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.tabs...)
			sink := f.useTables(model.Table{Tab: "Orders", Headers: headers, Key: "order_id"}, bookings)
			tt.setup(f)
			sink = f.sink
			f.emu.ResetStats()
			f.upsert(row("1001", 1, "paid"), model.Written)
			if diff := cmp.Diff(tt.want, f.emu.Stats().Requests); diff != "" {
				t.Errorf("requests of a cold start mismatch (-want +got):\n%s", diff)
			}
			// Bookings was indexed with Orders: its first row costs one
			// verification read and one write, nothing more.
			f.emu.ResetStats()
			if _, err := sink.Upsert(t.Context(), "Bookings", model.Row{Key: "B-2", Version: 1, Insert: true, Update: true,
				Cells: []model.Cell{{Text: "B-2"}, {Text: "confirmed"}}}); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{gsheetstest.MethodValuesBatchGetByFilter: 1, gsheetstest.MethodBatchUpdate: 1}
			if diff := cmp.Diff(want, f.emu.Stats().Requests); diff != "" {
				t.Errorf("requests of the second tab's first row mismatch (-want +got):\n%s", diff)
			}
			if rows, _ := f.emu.Snapshot(f.id, "Bookings"); len(rows) < 2 || rows[0][0] != "booking_id" {
				t.Errorf("Bookings = %q, want its header and rows", rows)
			}
		})
	}
}

// slowBodies delays every request whose body is larger than limit: a
// large write that cannot be answered within the request timeout. It
// records the size of every write it lets through or delays.
type slowBodies struct {
	limit int64
	delay time.Duration
	mu    *sync.Mutex
	sizes *[]int64
}

func (s slowBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.Contains(r.URL.Path, ":batchUpdate") {
		s.mu.Lock()
		*s.sizes = append(*s.sizes, r.ContentLength)
		s.mu.Unlock()
	}
	if r.ContentLength > s.limit {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A flush too large to be answered within the request timeout is not
// sent again whole for ever: after it times out, the next flushes carry
// half as many keys, until they go through.
func TestTimedOutFlushShrinks(t *testing.T) {
	t.Parallel()
	emu := gsheetstest.NewServer(t)
	id := emu.CreateSpreadsheet("test", "Orders")
	var sizes []int64
	slow := slowBodies{limit: 40_000, delay: time.Minute, mu: &sync.Mutex{}, sizes: &sizes}
	svc, err := emu.Service(context.Background(), option.WithHTTPClient(&http.Client{Transport: slow}))
	if err != nil {
		t.Fatal(err)
	}
	opt := testOptions()
	opt.RequestTimeout = time.Second
	s, err := New(svc, id, []model.Table{{Tab: "Orders", Headers: headers, Key: "order_id"}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, emu: emu, svc: svc, id: id, sink: s}
	f.upsert(row("0", 1, "paid"), model.Written) // index first: its reads are small
	f.upsertAll(400, func(i int) (model.Row, model.Result) { return row(strconv.Itoa(1+i), 1, "paid"), model.Written })
	slow.mu.Lock()
	defer slow.mu.Unlock()
	large := slices.IndexFunc(sizes, func(n int64) bool { return n > slow.limit })
	if large < 0 {
		t.Fatalf("write sizes %v: no write was too large; the test proves nothing", sizes)
	}
	if !slices.ContainsFunc(sizes[large:], func(n int64) bool { return n <= slow.limit }) {
		t.Errorf("write sizes %v: no smaller write followed the one that timed out", sizes)
	}
}
