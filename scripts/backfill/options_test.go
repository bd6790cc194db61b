package main

import (
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/scripts/internal/cloud"
	"github.com/safeview/safeview/shared/export"
)

func TestParse(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	args := []string{"-config", "c.yaml", "-source", "shopify", "-format", export.ShopifyCSV, "-spreadsheet", "s",
		"-sheets-endpoint", "http://emu", "-secrets", "env", "-store", store, "-concurrency", "8", "-dry-run", "orders.csv"}
	got, err := parse(args, io.Discard)
	if err != nil {
		t.Fatalf("parse(%q) error = %v", args, err)
	}
	want := options{
		cloud: cloud.Flags{Config: "c.yaml", Spreadsheet: "s", Secrets: "env", SheetsEndpoint: "http://emu"},
		path:  "orders.csv", source: "shopify", format: export.ShopifyCSV, store: store,
		dryRun: true, concurrency: 8, retryFor: 5 * time.Minute,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("parse(%q) mismatch (-want +got):\n%s", args, diff)
	}
}

// plan settles what the command line leaves to the configuration, with
// no flag parsed.
func TestPlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	j, err := plan(options{cloud: cloud.Flags{Config: f.config}, source: "shopify", format: export.ShopifyCSV,
		path: "orders.csv", store: store, dryRun: true, retryFor: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if j.concurrency != 2*defaultRowsPerFlush || j.resumePath != "orders.csv"+resumeSuffix || j.opts.Preset.Store != store {
		t.Errorf("plan() = concurrency %d, resume %q, store %q; want %d, %q, %q",
			j.concurrency, j.resumePath, j.opts.Preset.Store, 2*defaultRowsPerFlush, "orders.csv"+resumeSuffix, store)
	}
	if got := time.Duration(j.cfg.Sheet.RequestTimeout); got < minRequestTimeout {
		t.Errorf("plan() request timeout = %s, want at least %s", got, minRequestTimeout)
	}
}
