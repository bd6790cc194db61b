package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// The benchmark's own path, with tiny numbers and no latency, so that it
// cannot rot: every figure is there and Safeview loses nothing. Speed is
// not asserted.
func TestBenchRuns(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-quick", "-latency", "0", "-events", "30", "-over", "1s", "-calm", "6", "-small", "50", "-large", "500"}
	if err := run(t.Context(), args, &out, io.Discard); err != nil {
		t.Fatalf("run(%q) error = %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	for _, k := range []string{"writes_per_event", "baseline_writes_per_event", "lost", "baseline_lost", "receipt_to_row_p95_ms",
		"ack_p99_ms", "upsert_cost_ratio_100k_over_1k", "calm_receipt_to_row_p95_ms", "max_writes_in_60s"} {
		if _, ok := f[k]; !ok {
			t.Errorf("JSON line lacks %q", k)
		}
	}
	for _, k := range []string{"lost", "doubled", "failed"} {
		if f[k] != 0.0 {
			t.Errorf("%s = %v, want 0", k, f[k])
		}
	}
	if f["writes_per_event"].(float64) <= 0 || f["upsert_requests_1k"].(float64) <= 0 {
		t.Errorf("figures = %v, want requests counted", f)
	}
	if !strings.Contains(out.String(), "write requests per event") {
		t.Errorf("no table before the JSON line:\n%s", out.String())
	}
}
