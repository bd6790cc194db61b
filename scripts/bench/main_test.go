package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/safeview/safeview/scripts/internal/localstack"
)

// TestMain makes the test binary one of the queued run's children when
// the run starts it again (children.go), as main does the bench's.
func TestMain(m *testing.M) {
	if child, err := runRole(context.Background()); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, os.Getenv(roleEnv)+":", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The benchmark's own path, with tiny numbers and no latency, so that it
// cannot rot: every figure is there and Safeview loses nothing. Speed is
// not asserted.
func TestBenchRuns(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-quick", "-latency", "0", "-events", "30", "-over", "1s", "-calm", "6", "-small", "50", "-large", "500"}
	if err := run(t.Context(), args, &out, io.Discard); errors.Is(err, localstack.ErrStarted) {
		// go test -count=2: the function was served by the first run.
		t.Skip("the benchmark runs once per process:", err)
	} else if err != nil {
		t.Fatalf("run(%q) error = %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	for _, k := range []string{"writes_per_event", "baseline_writes_per_event", "lost", "baseline_lost", "receipt_to_row_p95_ms",
		"ack_p99_ms", "upsert_cost_ratio_100k_over_1k", "calm_receipt_to_row_p95_ms", "max_writes_in_60s",
		"raised_calm_receipt_to_row_p95_ms", "calm_expected_p95_under_quota_ms", "items_calls_per_event", "items_added_receipt_to_row_p50_ms"} {
		if _, ok := f[k]; !ok {
			t.Errorf("JSON line lacks %q", k)
		}
	}
	for _, k := range []string{"lost", "doubled", "failed", "raised_calm_failed", "raised_calm_rate_limited", "raised_calm_lost", "raised_calm_doubled", "items_failed", "items_rows_without_items"} {
		if f[k] != 0.0 {
			t.Errorf("%s = %v, want 0", k, f[k])
		}
	}
	// A new order calls the API once, its update finds the items cached.
	if c := f["items_calls_per_event"].(float64); c <= 0 || c >= 1 {
		t.Errorf("items_calls_per_event = %v, want between 0 and 1", c)
	}
	if f["writes_per_event"].(float64) <= 0 || f["upsert_requests_1k"].(float64) <= 0 || f["raised_calm_writes_per_event"].(float64) <= 0 {
		t.Errorf("figures = %v, want requests counted", f)
	}
	if !strings.Contains(out.String(), "write requests per event") {
		t.Errorf("no table before the JSON line:\n%s", out.String())
	}
}

// The figure printed beside the calm run: with a slot for every event
// there is no wait; with fewer slots than events an event waits for the
// next one.
func TestSlotP95(t *testing.T) {
	for _, c := range []struct {
		rate      float64
		perMinute int
		want      float64
	}{
		{0.5, 55, 300}, // one event every 2 s, a slot every 1.09 s
		{2, 55, math.Round(0.95*60_000/55 + 300)}, // 1,336 ms
		{2, 140, 300}, // the raised quota
		{2, 120, 300}, // exactly one slot an event
	} {
		if got := slotP95(c.rate, c.perMinute, 300); got != c.want {
			t.Errorf("slotP95(%v, %d, 300) = %v, want %v", c.rate, c.perMinute, got, c.want)
		}
	}
}

// The Excel run, tiny and without latency: every figure is there, and
// Safeview loses and doubles nothing in the Excel table.
func TestBenchRunsExcel(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-excel", "-quick", "-latency", "0", "-events", "30", "-over", "1s", "-calm", "6"}
	if err := run(t.Context(), args, &out, io.Discard); err != nil {
		t.Fatalf("run(%q) error = %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	for _, k := range []string{"graph_requests_per_event", "baseline_graph_requests_per_event", "workbook_writes_per_event",
		"max_operations_in_10s", "receipt_to_row_p95_ms", "baseline_receipt_to_row_p95_ms", "calm_receipt_to_row_p95_ms"} {
		if _, ok := f[k]; !ok {
			t.Errorf("JSON line lacks %q", k)
		}
	}
	for _, k := range []string{"lost", "doubled", "failed", "calm_lost"} {
		if f[k] != 0.0 {
			t.Errorf("%s = %v, want 0", k, f[k])
		}
	}
	if f["graph_requests_per_event"].(float64) <= 0 || f["baseline_graph_requests_per_event"].(float64) <= 0 {
		t.Errorf("figures = %v, want requests counted", f)
	}
}

// The partner runs' own path, tiny: every spreadsheet holds exactly its
// orders, and no account goes past its quota. Speed is not asserted.
func TestBenchDestinationsRuns(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-destinations", "2", "-latency", "0", "-events", "30", "-over", "1s"}
	if err := run(t.Context(), args, &out, io.Discard); err != nil {
		t.Fatalf("run(%q) error = %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var f partnerFigures
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	if f.Destinations != 2 || len(f.PerDestination) != 3 || f.Lost != 0 || f.Doubled != 0 || f.Failed != 0 || f.MaxWrites60s > f.WriteQuota {
		t.Errorf("figures = %+v, want main and 2 destinations, nothing lost, doubled or failed", f)
	}
	for _, d := range f.PerDestination[1:] {
		if d.Orders == 0 || d.Orders == f.Orders || d.Writes == 0 {
			t.Errorf("%s holds %d of %d orders in %d writes, want its store's alone", d.Name, d.Orders, f.Orders, d.Writes)
		}
	}
	// Every spreadsheet is watched: each shows at least one row per order
	// it holds, read when it became visible there, never after the answer.
	for _, d := range f.PerDestination {
		if d.Shown < d.Orders || d.RowP99 <= 0 || d.RowP99 > f.AckP99+f.ReceiptToRowP99 {
			t.Errorf("%s: %d deliveries shown (p99 %v ms) for %d orders, want one or more per order", d.Name, d.Shown, d.RowP99, d.Orders)
		}
	}
	if !strings.Contains(out.String(), "most write requests in any 60 s, project") {
		t.Errorf("no table before the JSON line:\n%s", out.String())
	}
}
