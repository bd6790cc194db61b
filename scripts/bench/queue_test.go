package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
)

// envQueueChild runs TestBenchQueueRuns's body: the functions framework
// starts once per process, and TestBenchRuns starts it in this one.
const envQueueChild = "SAFEVIEW_BENCH_QUEUE_CHILD"

// The queued benchmark's own path, tiny and without latency, in a process
// of its own: every figure is there, and nothing is lost or doubled,
// through an outage and the replay of its dead letters. Speed is not
// asserted.
func TestBenchQueueRuns(t *testing.T) {
	if os.Getenv(envQueueChild) == "" {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBenchQueueRuns$", "-test.v")
		cmd.Env = append(os.Environ(), envQueueChild+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestBenchQueueRuns") {
			t.Fatalf("the queued benchmark's test, in its own process: %v\n%s", err, out)
		}
		return
	}
	var out bytes.Buffer
	// 50 events at 10,000 a minute; a 10 s outage of 50 events, the
	// backoff from 167 ms, pushes cut after 1 s: the first messages run
	// out of their 5 attempts.
	args := []string{"-queue", "-quick", "-latency", "0", "-rates", "10000", "-over", "300ms", "-outage", "10s", "-outage-events", "50", "-push-deadline", "1s"}
	if err := run(t.Context(), args, &out, io.Discard); err != nil {
		t.Fatalf("run(%q) error = %v\n%s", args, err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var f struct {
		Mode  string        `json:"mode"`
		Queue *queueFigures `json:"queue"`
	}
	last := []byte(lines[len(lines)-1])
	if err := json.Unmarshal(last, &f); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	var keys map[string]any
	_ = json.Unmarshal(last, &keys)
	for _, k := range []string{"ack_p99_ms", "receipt_to_row_p95_ms", "baseline_ack_p99_ms", "baseline_receipt_to_row_p95_ms", "writes_per_event", "max_writes_in_60s", "lost", "doubled"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON line lacks %q", k)
		}
	}
	if f.Mode != "queued" || f.Queue == nil || len(f.Queue.Runs) != 1 {
		t.Fatalf("mode %q, queue %+v: want queued, one steady run", f.Mode, f.Queue)
	}
	// What is asserted holds on a busy machine too: a delivery the
	// sender gave up on (failed) is one a platform would retry, and a
	// push of the steady run may run out of its 5 attempts of 1 s, to be
	// written by the replay that ends the outage run.
	r := f.Queue.Runs[0]
	if r.Events == 0 || r.Lost > r.DeadLettered+r.Failed || r.Doubled != 0 || r.WritesPerEvent <= 0 {
		t.Errorf("steady run %+v: want events, all written once but for dead letters", r)
	}
	o := f.Queue.Outage
	if o.FailedPushes == 0 || o.Replayed < o.DeadLettered || o.LeftDeadLetters != 0 || o.Lost > o.Failed || o.Doubled != 0 {
		t.Errorf("outage %+v: want pushes failed, every dead letter replayed, none lost or doubled", o)
	}
	t.Logf("outage: %d dead-lettered, %d replayed", o.DeadLettered, o.Replayed)
	if t.Failed() {
		t.Log(out.String())
	}
	var names []string
	for _, d := range r.Dests {
		names = append(names, d.Name)
	}
	if want := []string{"main", "lyon", "online", "compta"}; !slices.Equal(names, want) {
		t.Errorf("steady run's destinations = %q, want %q, each with its figures", names, want)
	}
	if !strings.Contains(out.String(), "left in the dead-letter topic") {
		t.Errorf("no table before the JSON line:\n%s", out.String())
	}
}

// -queue's sizes: a minute's rates over 60 s, an outage of 10 minutes and
// 20,000 events; -quick scales the runs and the outage down.
func TestQueueParams(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args         []string
		over, outage time.Duration
		outageEvents int
		deadline     time.Duration
		rates        []int
	}{
		{[]string{"-queue"}, 60 * time.Second, 10 * time.Minute, 20_000, 10 * time.Second, []int{10_000, 60_000}},
		{[]string{"-queue", "-quick"}, 6 * time.Second, 2 * time.Minute, 2_000, 10 * time.Second, []int{10_000, 60_000}},
		{[]string{"-queue", "-quick", "-over", "1s", "-outage", "5s", "-outage-events", "9", "-push-deadline", "1s", "-rates", "10, 20"}, time.Second, 5 * time.Second, 9, time.Second, []int{10, 20}},
	} {
		o, err := parse(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("parse(%q) error = %v", tt.args, err)
		}
		q := queueParamsOf(o)
		if !o.queue || q.over != tt.over || q.outage != tt.outage || q.outageEvents != tt.outageEvents || q.pushDeadline != tt.deadline || !slices.Equal(q.perMinute, tt.rates) {
			t.Errorf("parse(%q) = queue %v, over %s, outage %s, %d events, deadline %s, rates %v; want true, %s, %s, %d, %s, %v",
				tt.args, o.queue, q.over, q.outage, q.outageEvents, q.pushDeadline, q.perMinute, tt.over, tt.outage, tt.outageEvents, tt.deadline, tt.rates)
		}
	}
}

// -rates takes events a minute, nothing else.
func TestParseRatesRefuses(t *testing.T) {
	t.Parallel()
	for _, r := range []string{"", "10000,", "ten", "0", "-5"} {
		if _, err := parse([]string{"-queue", "-rates", r}, io.Discard); err == nil {
			t.Errorf("parse(-rates %q) error = nil, want one", r)
		}
	}
}

// The receipt-to-row p95 the quota predicts: under the writer's capacity
// an event waits for a flush; over it, for the backlog ahead of it.
func TestPredictP95(t *testing.T) {
	t.Parallel()
	// 10,000 a minute is 167 a second, under 500 rows × 55 flushes a
	// minute (458 a second): the wait of a flush slot.
	if got, want := predictP95(10_000, time.Minute, 500, 55, 300), slotP95(10_000.0/60, 55, 300); got != want {
		t.Errorf("predictP95(10,000 a minute) = %v, want %v", got, want)
	}
	// 60,000 a minute is 1,000 a second: event 57,000 is written at
	// 57,000 / 458.3 s, it arrived at 57 s.
	want := 57_000*(1/(500*55/60.0)-1/1000.0)*1000 + slotP95(500*55/60.0, 55, 300)
	if got := predictP95(60_000, time.Minute, 500, 55, 300); got != float64(int(want+0.5)) {
		t.Errorf("predictP95(60,000 a minute) = %v, want %v", got, want)
	}
}

// The prediction is made per destination, from its own quota: a Google
// spreadsheet's flushes (55 a minute, rows in flight at most), an Excel
// workbook's Graph operations (1,200 every 10 s, over the operations per
// row).
func TestPredictDest(t *testing.T) {
	t.Parallel()
	lat := 150 * time.Millisecond
	for _, tt := range []struct {
		name                  string
		kind                  string
		n, inFlight           int
		opsPerRow             float64
		wantP95, wantCapacity float64
	}{
		// 10,000 a minute is 167 rows a second, under 250 rows × 55
		// flushes a minute (229 a second): the wait of a flush slot.
		{"sheets under", config.KindGoogleSheets, 10_000, 250, 0, slotP95(10_000/60.0, 55, 300), 229.167},
		// 80 pushes in flight (Cloud Run's default concurrency) over 4
		// destinations: 20 rows a flush, 18 a second, a backlog.
		{"sheets, 80 pushes", config.KindGoogleSheets, 10_000, 20, 0, predictP95(10_000, time.Minute, 20, 55, 300), 18.333},
		// 0.65 operations a row: Graph's pace allows 184.6 rows a second;
		// the 250 pushes in flight are the flush under way and the next,
		// 125 rows (25.4 updates): 2 + 3 round trips, 760 ms with the
		// batch window, 164.474 a second. 6,000 a minute is 100 a second, under it: a flush
		// carries the 31 rows that arrive during the one before it (4.8
		// updates, 1 + 1 round trips, 310 ms): it and its own, 620 ms.
		{"excel under", config.KindExcel, 6_000, 250, 0.65, 620, 164.474},
		// 1 operation a row: 120 a second by the pace; a flush of 125
		// (40 updates) is 3 + 5 round trips, 1.21 s: 103.306 a second,
		// under 167. The backlog, and the last flush.
		{"excel over", config.KindExcel, 10_000, 250, 1, math.Round(0.95*10_000*(1/(125/1.21)-1/(10_000/60.0))*1000 + 1210), 103.306},
		// 80 pushes over 4 destinations: flushes of 10 rows (1 + 1
		// round trips, 310 ms), 32.3 a second: a backlog at 10,000 a
		// minute.
		{"excel, 80 pushes", config.KindExcel, 10_000, 20, 1, math.Round(0.95*10_000*(1/(10/0.31)-1/(10_000/60.0))*1000 + 310), 32.258},
	} {
		p95, capacity := predictDest(tt.kind, tt.n, time.Minute, lat, tt.inFlight, tt.opsPerRow)
		if p95 != tt.wantP95 || capacity != tt.wantCapacity {
			t.Errorf("%s: predictDest(%s, %d) = %v ms, %v rows/s; want %v, %v", tt.name, tt.kind, tt.n, p95, capacity, tt.wantP95, tt.wantCapacity)
		}
	}
}

// The sender is open-loop but bounded: every delivery is sent, never
// more than senderConns at once, and a delivery that waited for a free
// sender counts that wait in its ack time.
func TestReplayBoundsItsSenders(t *testing.T) {
	t.Parallel()
	ds := make([]delivery, 3*senderConns) // all due at once
	var mu sync.Mutex
	inFlight, most, sent := 0, 0, 0
	send := func(context.Context, delivery) (int, string, time.Duration, error) {
		mu.Lock()
		inFlight++
		most, sent = max(most, inFlight), sent+1
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return http.StatusOK, "queued", 0, nil
	}
	out := replay(t.Context(), ds, send, time.Second, time.Minute)
	if sent != len(ds) || most > senderConns {
		t.Errorf("replay(%d deliveries) sent %d, at most %d at once; want all, at most %d", len(ds), sent, most, senderConns)
	}
	// The last third waited for two rounds of sends before its own.
	slowest := slices.MaxFunc(out, func(a, b outcome) int { return cmp.Compare(a.acks[0], b.acks[0]) })
	if slowest.acks[0] < 40*time.Millisecond {
		t.Errorf("slowest ack = %s, want the wait for a free sender counted (>= 40ms)", slowest.acks[0])
	}
}
