package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the fixtures' zones, on machines without a zone database

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/platform"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// entry is one record or error of a fixture, as kept in a golden file.
type entry struct {
	Line    int          `json:"line"`
	EndLine int          `json:"end_line"`
	Error   string       `json:"error,omitempty"`
	Event   *goldenEvent `json:"event,omitempty"`
	Body    any          `json:"body,omitempty"` // decoded with json.Number: ids stay exact
}

// goldenEvent is platform.Event without its raw body, which entry keeps
// as JSON rather than base64.
type goldenEvent struct {
	Kind       platform.Kind
	Topic      string
	DeliveryID string
	Version    int64
	Order      *platform.Order    `json:",omitempty"`
	Booking    *platform.Booking  `json:",omitempty"`
	Erasure    *platform.Erasure  `json:",omitempty"`
	Customer   *platform.Customer `json:",omitempty"`
}

func toEntry(rec Record, err error) entry {
	var le *LineError
	if errors.As(err, &le) {
		return entry{Line: le.Line, EndLine: le.EndLine, Error: le.Error()}
	}
	ev := rec.Event
	g := &goldenEvent{Kind: ev.Kind, Topic: ev.Topic, DeliveryID: ev.DeliveryID, Version: ev.Version,
		Order: ev.Order, Booking: ev.Booking, Erasure: ev.Erasure}
	if ev.Customer != (platform.Customer{}) {
		g.Customer = &ev.Customer
	}
	e := entry{Line: rec.Line, EndLine: rec.EndLine, Event: g}
	if json.Valid(ev.Body) {
		e.Body = json.RawMessage(ev.Body)
	}
	return e
}

// readAll reads every record and error of an export.
func readAll(t *testing.T, r *Reader) []entry {
	t.Helper()
	var out []entry
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil && !errors.Is(err, ErrRecord) {
			t.Fatalf("Next() = %v, want a record, a LineError or io.EOF", err)
		}
		out = append(out, toEntry(rec, err))
	}
}

// fixtures are the exports of testdata, each with the options of the
// source it backfills.
var fixtures = []struct {
	file, format string
	opts         Options
}{
	{"shopify_orders_export.DERIVED.csv", ShopifyCSV, Options{Preset: platform.Options{Store: "cafe-demo.myshopify.com"}}},
	{"woocommerce_coupon_export.DERIVED.csv", WooCommerceCSV, Options{Location: berlin, Preset: platform.Options{Store: "shop.example"}}},
	{"woocommerce_coupon_export_items.DERIVED.csv", WooCommerceCSV, Options{Location: berlin, Preset: platform.Options{Store: "shop.example"}}},
	{"woocommerce_analytics_orders.DERIVED.csv", WooCommerceCSV, Options{Location: berlin, Preset: platform.Options{Store: "shop.example"}}},
	{"lightspeed_xseries_sales_ledger.DERIVED.csv", LightspeedXSeriesCSV, Options{Location: auckland, Preset: platform.Options{Currency: "NZD", Store: "cafe-demo"}}},
	{"shopify_webhooks.jsonl", JSONL, Options{Platform: "shopify", Preset: platform.Options{Store: "cafe-demo.myshopify.com"}}},
	{"woocommerce_webhooks.jsonl", JSONL, Options{Platform: "woocommerce"}},
	{"lightspeed_xseries_sales.jsonl", JSONL, Options{Platform: "lightspeed-xseries", Preset: platform.Options{Currency: "NZD"}}},
}

var (
	berlin   = mustZone("Europe/Berlin")
	auckland = mustZone("Pacific/Auckland")
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func openFixture(t testing.TB, file, format string, o Options) *Reader {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := Open(format, f, o)
	if err != nil {
		t.Fatalf("Open(%q, %s) = %v", format, file, err)
	}
	return r
}

// TestGolden reads every fixture and compares its records and errors with
// testdata/golden. A mismatch names the records and fields that differ,
// never their values (the fixtures hold canary personal data): run with
// -update and review the diff of the golden file.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			t.Parallel()
			got := readAll(t, openFixture(t, fx.file, fx.format, fx.opts))
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(fx.file, filepath.Ext(fx.file))+".json")
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/export -run TestGolden -update)", err)
			}
			want := decodeEntries(t, b)
			// Compare through JSON, as the golden file holds it.
			b, err = json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if paths := diffPaths(want, decodeEntries(t, b)); len(paths) > 0 {
				t.Errorf("%s differs from %s at %s (values withheld: fixtures hold personal canaries; rerun with -update and review the golden diff)",
					fx.file, golden, summarize(paths))
			}
		})
	}
}

func decodeEntries(t *testing.T, b []byte) []entry {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []entry
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// summarize lists the first few paths and counts the others.
func summarize(paths []string) string {
	const most = 8
	if len(paths) <= most {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:most], ", "), len(paths)-most)
}

// diffPaths returns the paths where two values differ, without the values.
func diffPaths(want, got any) []string {
	var r pathReporter
	cmp.Equal(want, got, cmp.Reporter(&r))
	return r.diffs
}

type pathReporter struct {
	path  cmp.Path
	diffs []string
}

func (r *pathReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *pathReporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }
func (r *pathReporter) Report(rs cmp.Result) {
	if !rs.Equal() {
		r.diffs = append(r.diffs, fmt.Sprint(r.path.GoString()))
	}
}
