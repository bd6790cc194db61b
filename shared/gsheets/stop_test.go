package gsheets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// syncBuffer is a log the flusher writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedSink gives the fixture a sink that logs JSON to the returned
// buffer.
func (f *fixture) loggedSink() *syncBuffer {
	f.t.Helper()
	logs := &syncBuffer{}
	o := testOptions()
	o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	f.useTablesWith(o, model.Table{Tab: "Orders", Headers: headers, Key: "order_id"})
	return logs
}

// A panic in the flusher is recovered: the rows of its batch get an error
// the platform retries, the log says where it happened but not the
// panic's value (which may quote a cell), and the flusher goes on: the
// retry is written.
func TestFlusherPanicIsRecovered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	logs := f.loggedSink()
	const canary = "canary.panic@example.com"
	var once sync.Once
	f.sink.hook = func([]*op) {
		once.Do(func() { panic(errors.New(canary)) })
	}
	_, err := f.sink.Upsert(context.Background(), "Orders", row("1001", 1, "paid"))
	if !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Upsert during a panicking flush = %v, want an error wrapping model.ErrUnavailable", err)
	}
	f.upsert(row("1001", 1, "paid"), model.Written)
	f.upsert(row("1002", 1, "paid"), model.Written)
	if got := len(f.snapshot()); got != 3 {
		t.Errorf("rows after the retry = %d, want header and 2 rows", got)
	}
	out := logs.String()
	if !strings.Contains(out, "panicked") || !strings.Contains(out, "stop_test.go") {
		t.Errorf("log does not say the writer panicked, and where:\n%s", out)
	}
	if strings.Contains(out, canary) {
		t.Errorf("log quotes the panic's value:\n%s", out)
	}
}

// Close lets the flush in progress and the rows queued behind it finish,
// and refuses what comes after it with ErrClosed, which the platform
// retries.
func TestCloseFinishesQueuedWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(row("1000", 1, "paid"), model.Written) // indexed
	paused, release := f.pauseAt(gsheetstest.MethodBatchUpdate)
	a := f.upsertAsync(row("1001", 1, "paid"))
	<-paused
	b := f.upsertAsync(row("1002", 1, "paid"))
	c := f.upsertAsync(row("1003", 1, "paid"))
	f.waitQueued(2)
	closed := make(chan error, 1)
	go func() { closed <- f.sink.Close(context.Background()) }()
	for {
		f.sink.mu.Lock()
		done := f.sink.closed
		f.sink.mu.Unlock()
		if done {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := f.sink.Upsert(context.Background(), "Orders", row("1004", 1, "paid")); !errors.Is(err, ErrClosed) || !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("Upsert after Close = %v, want ErrClosed (model.ErrUnavailable)", err)
	}
	release()
	for name, ch := range map[string]<-chan string{"in flight": a, "queued": b, "queued too": c} {
		if got := <-ch; got != string(model.Written) {
			t.Errorf("%s: %s, want written", name, got)
		}
	}
	if err := <-closed; err != nil {
		t.Errorf("Close = %v, want nil", err)
	}
	if got := len(f.snapshot()); got != 5 {
		t.Errorf("rows = %d, want header and 4", got)
	}
}

// When Close's budget ends, the rows still queued are answered ErrClosed
// at once; the flush in progress is not cut.
func TestCloseAnswersWhatItCannotFinish(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.upsert(row("1000", 1, "paid"), model.Written)
	paused, release := f.pauseAt(gsheetstest.MethodBatchUpdate)
	a := f.upsertAsync(row("1001", 1, "paid"))
	<-paused
	b := f.upsertAsync(row("1002", 1, "paid"))
	f.waitQueued(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := f.sink.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close past its budget = %v, want context.DeadlineExceeded", err)
	}
	if got := <-b; !strings.Contains(got, ErrClosed.Error()) {
		t.Errorf("queued row: %s, want ErrClosed", got)
	}
	release()
	if got := <-a; got != string(model.Written) {
		t.Errorf("row in flight: %s, want written", got)
	}
}

// Each flush logs the spreadsheet's cells, every tab's grid counted, and
// warns from 80% of Google's 10 million.
func TestFillIsLoggedAndWarned(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "Orders", "Archive")
	logs := f.loggedSink()
	f.upsert(row("1001", 1, "paid"), model.Written)
	ss, err := f.svc.Spreadsheets.Get(f.id).Do()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, sh := range ss.Sheets {
		want += sh.Properties.GridProperties.RowCount * sh.Properties.GridProperties.ColumnCount
	}
	line := lastFlushLine(t, logs.String())
	if line["level"] != "INFO" || int64(line["cells"].(float64)) != want {
		t.Errorf("flush line = %v, want level INFO and cells %d", line, want)
	}
	if got, ok := f.sink.Cells(); !ok || got != want {
		t.Errorf("Cells() = %d, %v, want %d, true", got, ok, want)
	}

	// The team's Archive tab grows to 8.5 million cells: a new instance
	// reads it, and warns.
	f.resizeArchive(8500, 1000)
	logs = f.loggedSink()
	f.upsert(row("1002", 1, "paid"), model.Written)
	line = lastFlushLine(t, logs.String())
	if line["level"] != "WARN" || line["fill_pct"].(float64) < 85 {
		t.Errorf("flush line at 85%% = %v, want a warning with fill_pct ≥ 85", line)
	}
}

func lastFlushLine(t *testing.T, logs string) map[string]any {
	t.Helper()
	var last map[string]any
	for l := range strings.Lines(logs) {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && strings.HasPrefix(m["msg"].(string), "flush written") {
			last = m
		}
	}
	if last == nil {
		t.Fatalf("no flush line in the log:\n%s", logs)
	}
	return last
}
