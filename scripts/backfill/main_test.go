package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/platform"
)

// These tests print their figures (fmt.Printf, not t.Log) so that plain
// `go test` in this directory shows them; they assert outcomes, never
// durations.

const (
	exampleConfig = "../../functions/webhook/safeview.yaml"
	pseudonymKey  = "pppppppppppppppppppppppppppppppp"
	webhookSecret = "shpss_backfill_test"
	store         = "cafe-demo.myshopify.com"
)

// fixture is a spreadsheet in the emulator, the example configuration
// with the sink's pacing lifted, and the secrets of both the function and
// the backfill.
type fixture struct {
	t       testing.TB
	emu     *gsheetstest.Server
	id      string
	dir     string
	config  string // path of the configuration
	secrets string // path of the secrets file
	cfg     *config.Config
	excel   *exceltest.Stack
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newPacedFixture(t, false)
}

// newPacedFixture is newFixture, with the sink's default pacing when paced.
func newPacedFixture(t testing.TB, paced bool) *fixture {
	t.Helper()
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !paced {
		// The emulator has no quotas unless a test sets some: do not pace.
		data = append(data, fmt.Sprintf("\nsheet:\n  write_requests_per_minute: %d\n  read_requests_per_minute: %d\n",
			config.MaxRequestsPerMinute, config.MaxRequestsPerMinute)...)
	}
	dir := t.TempDir()
	f := &fixture{t: t, emu: gsheetstest.NewServer(t), dir: dir,
		config: filepath.Join(dir, "safeview.yaml"), secrets: filepath.Join(dir, "secrets.yaml")}
	f.id = f.emu.CreateSpreadsheet("backfill", "Orders")
	if err := os.WriteFile(f.config, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if f.cfg, err = config.Load(f.config); err != nil {
		t.Fatal(err)
	}
	f.excel = exceltest.NewStack(t, f.cfg)
	var sec strings.Builder
	for _, name := range f.cfg.SecretNames() {
		v := webhookSecret
		if name == f.cfg.Privacy.PseudonymKey {
			v = pseudonymKey
		}
		fmt.Fprintf(&sec, "%s: %s\n", name, v)
	}
	if err := os.WriteFile(f.secrets, []byte(sec.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// export writes a generated export into the fixture's folder.
func (f *fixture) export(spec exporttest.Spec) (string, exporttest.Summary) {
	f.t.Helper()
	path := filepath.Join(f.dir, "export-"+spec.Format+".txt")
	w, err := os.Create(path)
	if err != nil {
		f.t.Fatal(err)
	}
	sum, err := exporttest.Write(w, spec)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return path, sum
}

// args are the arguments of a backfill of path into the fixture's
// spreadsheet, with extra flags before the file.
func (f *fixture) args(format, path string, extra ...string) []string {
	source := map[string]string{
		export.ShopifyCSV: "shopify", export.JSONL: "shopify", export.WooCommerceCSV: "woocommerce",
		export.LightspeedXSeriesCSV: "lightspeed-xseries",
	}[format]
	a := []string{"-config", f.config, "-source", source, "-format", format, "-store", store,
		"-secrets", "file:" + f.secrets, "-sheets-endpoint", f.emu.URL(), "-spreadsheet", f.id,
		"-graph-endpoint", f.excel.Graph.GraphEndpoint()}
	return append(append(a, extra...), path)
}

// result is what one run printed and returned.
type result struct {
	err            error
	stdout, stderr string
	done           int // records done in the run
}

func (f *fixture) run(ctx context.Context, d deps, args ...string) result {
	f.t.Helper()
	var out, errOut syncBuffer
	var mu sync.Mutex
	var done int
	after := d.afterRecord
	d.afterRecord = func(n int) {
		mu.Lock()
		done = max(done, n)
		mu.Unlock()
		if after != nil {
			after(n)
		}
	}
	err := run(ctx, args, &out, &errOut, d)
	return result{err: err, stdout: out.String(), stderr: errOut.String(), done: done}
}

// interrupt returns what a first Ctrl-C closes, and the key to press:
// any number of times, it closes it once.
func interrupt() (<-chan struct{}, func()) {
	ch := make(chan struct{})
	var once sync.Once
	return ch, func() { once.Do(func() { close(ch) }) }
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// row is one order's row as the sheet holds it.
type row struct {
	version int64
	status  string
	ref     string
	store   string
}

// rows reads the Orders tab: the rows of each key.
func (f *fixture) rows() map[string][]row {
	f.t.Helper()
	all, err := f.emu.Snapshot(f.id, "Orders")
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string][]row{}
	if len(all) == 0 {
		return out
	}
	h := all[0]
	key, ver := slices.Index(h, "order_id"), slices.Index(h, gsheets.VersionHeader)
	status, ref, st := slices.Index(h, "status"), slices.Index(h, "customer_ref"), slices.Index(h, "store")
	for _, r := range all[1:] {
		if r[key] == "" {
			continue
		}
		_, v, _ := gsheets.ParseVersion(r[ver])
		out[r[key]] = append(out[r[key]], row{version: v, status: r[status], ref: r[ref], store: r[st]})
	}
	return out
}

// expected reads a Shopify export as the backfill does and returns the
// newest version of every order that belongs in the sheet (the example's
// filter lets paid orders in), with its status, and the ids of the records
// read in file order.
func expected(t testing.TB, path string) (map[string]row, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := export.Open(export.ShopifyCSV, f, export.Options{Preset: platform.Options{Store: store}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]row{}
	var ids []string
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, ids
		}
		if errors.Is(err, export.ErrRecord) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		o := rec.Event.Order
		ids = append(ids, o.ID)
		if o.Status != platform.StatusPaid {
			continue
		}
		if cur, ok := out[o.ID]; !ok || rec.Event.Version > cur.version {
			out[o.ID] = row{version: rec.Event.Version, status: string(o.Status)}
		}
	}
}

// check compares the Orders tab with the newest version of each order:
// lost counts orders with no row at their newest version, doubled the
// rows beyond one per order and rows of no order.
func check(want map[string]row, got map[string][]row) (lost, doubled int) {
	for id, w := range want {
		rs := got[id]
		if !slices.ContainsFunc(rs, func(r row) bool { return r.version == w.version && r.status == w.status }) {
			lost++
		}
		doubled += max(len(rs)-1, 0)
	}
	for id, rs := range got {
		if _, ok := want[id]; !ok {
			doubled += len(rs)
		}
	}
	return lost, doubled
}

// checkSheet fails the test unless every order of a Shopify export that
// belongs in the sheet is on exactly one row, at its newest version.
func (f *fixture) checkSheet(path string) {
	f.t.Helper()
	want, _ := expected(f.t, path)
	if lost, doubled := check(want, f.rows()); lost != 0 || doubled != 0 {
		f.t.Errorf("lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}
}

// summaryCounts reads the counts of a run's summary ("  written  180").
func summaryCounts(stdout string) map[string]int {
	out := map[string]int{}
	for _, line := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(fields[len(fields)-1], ",", ""))
		if err != nil {
			continue
		}
		out[strings.Join(fields[:len(fields)-1], " ")] = n
	}
	return out
}

// An interrupted backfill of 10,000 records (3,000 under the race
// detector) resumes where the last record written in order left it: the
// resumed run reads only the records after the saved position, and every
// order ends on exactly one row at its newest version.
func TestInterruptedThenResumed(t *testing.T) {
	t.Parallel()
	n := 10000 // under -race too, as the issue asks: about 20 s there
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: n, CountOnly: true})
	want, ids := expected(t, path)
	args := f.args(export.ShopifyCSV, path)

	stop, ctrlC := interrupt()
	start := time.Now()
	first := f.run(context.Background(), deps{stop: stop, afterRecord: func(done int) {
		if done >= n/2 {
			ctrlC()
		}
	}}, args...)
	if !errors.Is(first.err, errStopped) {
		t.Fatalf("interrupted run: %v, want errStopped\n%s", first.err, first.stdout)
	}
	st, err := loadState(path + resumeSuffix)
	if err != nil {
		t.Fatalf("interrupted run left no resume file: %v", err)
	}
	tok, err := export.ParseToken(st.Token)
	if err != nil {
		t.Fatal(err)
	}
	committed := st.Counts.Read
	if tok.Records != committed || committed < n/2 || committed > first.done {
		t.Fatalf("resume file: token after %d records, counts %d, %d done; want the same, at least %d", tok.Records, committed, first.done, n/2)
	}
	// Every record before the position is in the sheet.
	rows := f.rows()
	for _, id := range ids[:committed] {
		if w, ok := want[id]; ok && (len(rows[id]) != 1 || rows[id][0].version != w.version) {
			t.Fatalf("order %s, before the saved position: rows %v, want one at version %d", id, rows[id], w.version)
		}
	}
	firstTook := time.Since(start)

	f.emu.ResetStats()
	start = time.Now()
	second := f.run(context.Background(), deps{}, args...)
	if second.err != nil {
		t.Fatalf("resumed run: %v\n%s", second.err, second.stdout)
	}
	if second.done != n-committed {
		t.Errorf("resumed run did %d records, want %d: the %d before the saved position skipped", second.done, n-committed, committed)
	}
	if got := summaryCounts(second.stdout)["read"]; got != n {
		t.Errorf("resumed run's summary: read %d, want %d in all", got, n)
	}
	lost, doubled := check(want, f.rows())
	if lost != 0 || doubled != 0 {
		t.Errorf("after the resumed run: lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}
	if _, err := os.Stat(path + resumeSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the resume file is still there after a complete run: %v", err)
	}
	stats := f.emu.Stats()
	fmt.Printf("interrupted and resumed: %d records (%d orders in the sheet); the first run did %d records in %s and saved the position after %d; the resumed run did %d in %s with %d write and %d read requests (%.4f writes a record); lost=%d doubled=%d\n",
		n, len(want), first.done, firstTook.Round(time.Millisecond), committed, second.done, time.Since(start).Round(time.Millisecond),
		stats.Writes, stats.Reads, float64(stats.Writes)/float64(second.done), lost, doubled)
}

// Running the same backfill again writes nothing: every record is
// answered unchanged (or filtered, as before), with no write request.
func TestTwiceWritesNothingNew(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 500})
	want, _ := expected(t, path)
	args := f.args(export.ShopifyCSV, path)
	first := f.run(context.Background(), deps{}, args...)
	if first.err != nil {
		t.Fatalf("first run: %v", first.err)
	}
	f.emu.ResetStats()
	second := f.run(context.Background(), deps{}, args...)
	if second.err != nil {
		t.Fatalf("second run: %v", second.err)
	}
	c1, c2 := summaryCounts(first.stdout), summaryCounts(second.stdout)
	if c1["written"] != len(want) || c2["written"] != 0 || c2["unchanged"] != c1["written"] || c2["filtered"] != c1["filtered"] {
		t.Errorf("first run %v, second %v: want the second to write nothing, answering unchanged what the first wrote", c1, c2)
	}
	if w := f.emu.Stats().Writes; w != 0 {
		t.Errorf("second run sent %d write requests, want 0", w)
	}
	if lost, doubled := check(want, f.rows()); lost != 0 || doubled != 0 {
		t.Errorf("lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}
}

// Broken records are reported by line, with a reason and no content; the
// others are written; the exit status says some failed.
func TestBrokenLinesReportedByNumber(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, sum := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 200, Broken: []int{0, 17, 199}})
	res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path)...)
	if !errors.Is(res.err, errFailed) || exitCode(res.err) != 1 {
		t.Fatalf("run with broken lines = %v (exit %d), want errFailed (exit 1)", res.err, exitCode(res.err))
	}
	for _, line := range sum.BrokenLines {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^lines? %d(-\d+)?: .*total is not a decimal$`, line))
		if !re.MatchString(res.stdout) {
			t.Errorf("no report of line %d in:\n%s", line, res.stdout)
		}
	}
	if got := summaryCounts(res.stdout)["failed"]; got != 3 {
		t.Errorf("summary: failed %d, want 3", got)
	}
	f.checkSheet(path)
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errFailed, 1},
		{fmt.Errorf("%w: interrupted", errStopped), 2},
		{errors.New("no spreadsheet"), 2},
		{flag.ErrHelp, 0},
	} {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
