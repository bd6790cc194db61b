package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
)

// The Excel run (-excel): the same burst and calm run, through the
// function's handler, into the example's Excel destination (compta, the
// named table Ventes) on a Graph emulator with Graph's documented limit
// for the Excel service (graphtest.ExcelThrottle: 1,500 requests every
// 10 s per app and tenant, each request of a $batch counted) and the
// run's latency on every HTTP request. The main spreadsheet is emulated
// without quota or latency, so that what the figures measure is Excel.
//
// The baseline, on its own Graph emulator with the same limits, is the way
// Power Automate's, Zapier's and Make's "update a row" steps work: for
// each event as it comes, read the key column of the table, then update
// that row or add one; no versions, no batching, no retry.

// excelFigures is the JSON line of an Excel run.
type excelFigures struct {
	Date      string  `json:"date"`
	Quick     bool    `json:"quick"`
	LatencyMS float64 `json:"latency_ms"`
	Events    int     `json:"events"`
	OverS     float64 `json:"burst_seconds"`
	Orders    int     `json:"orders"`
	Limit     int     `json:"graph_limit_per_10s"`

	RequestsPerEvent         float64 `json:"graph_requests_per_event"`
	BaselineRequestsPerEvent float64 `json:"baseline_graph_requests_per_event"`
	WritesPerEvent           float64 `json:"workbook_writes_per_event"`
	BaselineWritesPerEvent   float64 `json:"baseline_workbook_writes_per_event"`
	OpsPerEvent              float64 `json:"workbook_operations_per_event"`
	BaselineOpsPerEvent      float64 `json:"baseline_workbook_operations_per_event"`
	MaxOps10s                int     `json:"max_operations_in_10s"`
	BaselineMaxOps10s        int     `json:"baseline_max_operations_in_10s"`
	Throttled                int     `json:"throttled"`
	BaselineThrottled        int     `json:"baseline_throttled"`
	Sessions                 int     `json:"sessions_created"`
	Redelivered              int     `json:"redelivered_after_503"`
	Failed                   int     `json:"failed"`
	BaselineFailed           int     `json:"baseline_failed"`
	Lost                     int     `json:"lost"`
	BaselineLost             int     `json:"baseline_lost"`
	Doubled                  int     `json:"doubled"`
	BaselineDoubled          int     `json:"baseline_doubled"`

	ReceiptToRowP50         float64 `json:"receipt_to_row_p50_ms"`
	ReceiptToRowP95         float64 `json:"receipt_to_row_p95_ms"`
	ReceiptToRowP99         float64 `json:"receipt_to_row_p99_ms"`
	BaselineReceiptToRowP50 float64 `json:"baseline_receipt_to_row_p50_ms"`
	BaselineReceiptToRowP95 float64 `json:"baseline_receipt_to_row_p95_ms"`
	BaselineReceiptToRowP99 float64 `json:"baseline_receipt_to_row_p99_ms"`

	CalmRate   float64 `json:"calm_events_per_second"`
	CalmP50    float64 `json:"calm_receipt_to_row_p50_ms"`
	CalmP95    float64 `json:"calm_receipt_to_row_p95_ms"`
	CalmWrites float64 `json:"calm_workbook_writes_per_event"`
	CalmLost   int     `json:"calm_lost"`

	Stalls       int     `json:"process_stalls"`
	LongestStall float64 `json:"longest_stall_ms"`
	TotalSeconds float64 `json:"total_seconds"`
}

// excelStack is the function in front of the Excel destination.
type excelStack struct {
	ms     *exceltest.Stack
	sheets *gsheetstest.Server
	srv    *httptest.Server
	send   func(context.Context, delivery) (int, string, time.Duration, error)
	dest   exceltest.Destination
}

func (s *excelStack) Close() {
	s.srv.Close()
	s.ms.Close()
	s.sheets.Close()
}

// startExcel builds the function's handler for the example
// configuration, its Excel destination on an emulated Graph with opts.
func startExcel(ctx context.Context, opts []graphtest.Option) (*excelStack, error) {
	cfg, err := config.Load(localstack.DefaultConfig())
	if err != nil {
		return nil, err
	}
	st := &excelStack{sheets: gsheetstest.Start()}
	var tabs []string
	for _, t := range cfg.Tables {
		tabs = append(tabs, t.Tab)
	}
	cfg.Spreadsheet.ID = st.sheets.CreateSpreadsheet("Safeview (Excel run)", tabs...)
	if st.ms, err = exceltest.Start(cfg, "127.0.0.1:0", opts...); err != nil {
		st.sheets.Close()
		return nil, err
	}
	st.dest = st.ms.Destinations["compta"]
	res := secrets.Map{}
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		secret, _ := demo.SourceDemo(name, src, "http://127.0.0.1")
		for _, s := range src.Secrets {
			res[s] = []string{secret}
		}
	}
	if k := cfg.Privacy.PseudonymKey; k != "" {
		res[k] = []string{demo.PseudonymKey}
	}
	fail := func(err error) (*excelStack, error) {
		st.ms.Close()
		st.sheets.Close()
		return nil, err
	}
	svc, err := st.sheets.Service(ctx)
	if err != nil {
		return fail(err)
	}
	graph, err := st.ms.Options(res)
	if err != nil {
		return fail(err)
	}
	h, err := webhookfn.New(ctx, webhookfn.Deps{Config: cfg, Secrets: res, Sheets: svc, Graph: &graph, Logger: logging.New(io.Discard, slog.LevelError)})
	if err != nil {
		return fail(err)
	}
	st.srv = httptest.NewServer(h)
	secret, _ := demo.SourceDemo("shopify", cfg.Sources["shopify"], "http://127.0.0.1")
	st.send = newWebhookSender(st.srv.URL, secret).send
	return st, nil
}

// withStackGraph connects the handler's deps to the local stack's Graph
// emulator, when the configuration has Excel destinations (the example's
// compta): the runs that build the handler themselves write it too.
func withStackGraph(st *localstack.Stack, d webhookfn.Deps) (webhookfn.Deps, error) {
	if st.Microsoft == nil {
		return d, nil
	}
	g, err := st.Microsoft.Options(d.Secrets)
	if err != nil {
		return d, err
	}
	d.Graph = &g
	return d, nil
}

// excelRows reads a named table as Graph holds it and returns, for each
// key, the versions of its rows.
func excelRows(emu *graphtest.Server, drive, item, table, keyHeader, versionHeader string) (map[string][]int64, error) {
	all, err := emu.Table(drive, item, table)
	if err != nil {
		return nil, err
	}
	return versionsByKey(all, table, keyHeader, versionHeader)
}

// opStamps records when workbook operations arrive at a Graph emulator.
type opStamps struct {
	mu sync.Mutex
	ts []time.Time
}

func (s *opStamps) hook(string) {
	s.mu.Lock()
	s.ts = append(s.ts, time.Now())
	s.mu.Unlock()
}

func (s *opStamps) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts = nil
}

func (s *opStamps) get() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ts)
}

// excelBaseline is the naive writer: per event, the key column read,
// then the row updated or added, each a Graph request.
type excelBaseline struct {
	hc    *http.Client
	base  string // .../workbook/tables/{name}
	sheet string // .../workbook/worksheets/{name}
}

// excelBaselineHeader is the baseline's table: the key, a status, the
// version (written, never compared).
var excelBaselineHeader = []string{"order_id", "status", "version"}

func (b *excelBaseline) send(ctx context.Context, d delivery) (int, string, time.Duration, error) {
	if err := b.upsert(ctx, d.order, "paid", d.version.UnixMicro()); err != nil {
		return 0, "", 0, err
	}
	return http.StatusOK, "written", 0, nil
}

func (b *excelBaseline) upsert(ctx context.Context, key, status string, version int64) error {
	var col struct {
		Values [][]any `json:"values"`
	}
	if err := b.call(ctx, http.MethodGet, b.base+"/columns/order_id/dataBodyRange?$select=values", nil, &col); err != nil {
		return err
	}
	values := [][]any{{key, status, strconv.FormatInt(version, 10)}}
	for i, r := range col.Values {
		if len(r) > 0 && cellText(r[0]) == key {
			// The table starts at A1 of its worksheet: data row i is
			// sheet row i+2.
			n := strconv.Itoa(i + 2)
			return b.call(ctx, http.MethodPatch, b.sheet+"/range(address='A"+n+":C"+n+"')", map[string]any{"values": values}, nil)
		}
	}
	return b.call(ctx, http.MethodPost, b.base+"/rows/add", map[string]any{"values": values}, nil)
}

// cellText is a cell as the connectors compare it: Excel stored the
// typed key 5000000 as a number, shown as typed.
func cellText(v any) string {
	if n, ok := v.(float64); ok {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func (b *excelBaseline) call(ctx context.Context, method, u string, body, into any) error {
	var r io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %d", method, resp.StatusCode)
	}
	if into != nil {
		return json.NewDecoder(resp.Body).Decode(into)
	}
	return nil
}

// measureExcel is the Excel run.
func measureExcel(ctx context.Context, p params, progress io.Writer) (excelFigures, error) {
	began := time.Now()
	stalls := watchStalls(ctx)
	limit := graphtest.ExcelThrottle()
	f := excelFigures{Date: began.UTC().Format(time.RFC3339), LatencyMS: ms(p.latency), Events: p.events, OverS: p.over.Seconds(), Limit: limit.Requests}
	ops, bops := &opStamps{}, &opStamps{}
	opts := []graphtest.Option{graphtest.WithThrottle(limit)}
	if p.latency > 0 {
		opts = append(opts, graphtest.WithLatency(p.latency, 0))
	}
	st, err := startExcel(ctx, append(slices.Clone(opts), graphtest.WithRequestHook(ops.hook)))
	if err != nil {
		return f, err
	}
	defer st.Close()
	bemu := graphtest.NewServer(nopCleanup{}, append(slices.Clone(opts), graphtest.WithoutAuth(), graphtest.WithRequestHook(bops.hook))...)
	defer bemu.Close()
	bemu.CreateWorkbook("b!baseline", "01BASELINE", "Baseline.xlsx")
	if err := bemu.AddTable("b!baseline", "01BASELINE", "Orders", "Orders", excelBaselineHeader...); err != nil {
		return f, err
	}
	wb := bemu.GraphEndpoint() + "/drives/" + url.PathEscape("b!baseline") + "/items/01BASELINE/workbook"
	base := &excelBaseline{hc: bemu.Client(), base: wb + "/tables/Orders", sheet: wb + "/worksheets/Orders"}

	// A first delivery opens the workbook and indexes the table: a cold
	// start, not the burst.
	if status, _, _, err := st.send(ctx, delivery{order: "4999999", version: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), topic: "orders/create"}); err != nil || status != http.StatusOK {
		return f, fmt.Errorf("warm-up delivery: status %d, %v", status, err)
	}
	ds := burst(rand.New(rand.NewPCG(p.seed, p.seed+1)), p.events, p.over, 5_000_000)
	newest := newestOf(ds)
	f.Orders = len(newest)
	fmt.Fprintf(progress, "bench: Excel, burst of %d events for %d orders over %s, Safeview and the baseline side by side...\n", len(ds), len(newest), p.over)
	s0, b0 := st.ms.Graph.Stats(), bemu.Stats()
	ops.reset()
	bops.reset()
	var safe, naive []outcome
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); safe = replay(ctx, ds, st.send, p.retryCap, p.giveUp) }()
	go func() { defer wg.Done(); naive = replay(ctx, ds, base.send, p.retryCap, p.giveUp) }()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return f, err
	}
	s1, b1 := st.ms.Graph.Stats(), bemu.Stats()
	per := func(n int) float64 { return round(float64(n) / float64(len(ds))) }
	f.RequestsPerEvent, f.BaselineRequestsPerEvent = per(s1.Requests-s0.Requests), per(b1.Requests-b0.Requests)
	f.WritesPerEvent, f.BaselineWritesPerEvent = per(s1.Writes-s0.Writes), per(b1.Writes-b0.Writes)
	f.OpsPerEvent, f.BaselineOpsPerEvent = per(s1.Operations-s0.Operations), per(b1.Operations-b0.Operations)
	f.MaxOps10s, f.BaselineMaxOps10s = gsheetstest.Busiest(ops.get(), 10*time.Second), gsheetstest.Busiest(bops.get(), 10*time.Second)
	f.Throttled, f.BaselineThrottled = s1.Throttled-s0.Throttled, b1.Throttled-b0.Throttled
	f.Sessions = s1.SessionsCreated - s0.SessionsCreated
	t := tallyOf(safe, naive)
	r2r, br2r := t.r2r, t.br2r
	f.Redelivered, f.Failed, f.BaselineFailed = t.redelivered, t.failed, t.baseFailed
	f.ReceiptToRowP50, f.ReceiptToRowP95, f.ReceiptToRowP99 = percentile(r2r, 0.50), percentile(r2r, 0.95), percentile(r2r, 0.99)
	f.BaselineReceiptToRowP50, f.BaselineReceiptToRowP95, f.BaselineReceiptToRowP99 = percentile(br2r, 0.50), percentile(br2r, 0.95), percentile(br2r, 0.99)
	d := st.dest
	rows, err := excelRows(st.ms.Graph, d.DriveID, d.ItemID, d.Tables["Orders"], "order_id", excel.VersionHeader)
	if err != nil {
		return f, err
	}
	delete(rows, "4999999")
	f.Lost, f.Doubled = lostAndDoubled(newest, rows)
	brows, err := excelRows(bemu, "b!baseline", "01BASELINE", "Orders", "order_id", "version")
	if err != nil {
		return f, err
	}
	f.BaselineLost, f.BaselineDoubled = lostAndDoubled(newest, brows)

	fmt.Fprintf(progress, "bench: Excel, calm run, %d events at %.1f/s...\n", p.calmEvents, p.calmRate)
	time.Sleep(2 * time.Second)
	cs := calm(p.calmEvents, p.calmRate, 7_000_000)
	c0 := st.ms.Graph.Stats()
	calmOut := replay(ctx, cs, st.send, p.retryCap, p.giveUp)
	f.CalmRate = p.calmRate
	f.CalmP50, f.CalmP95 = percentile(receipts(calmOut), 0.50), percentile(receipts(calmOut), 0.95)
	f.CalmWrites = round(float64(st.ms.Graph.Stats().Writes-c0.Writes) / float64(len(cs)))
	if rows, err = excelRows(st.ms.Graph, d.DriveID, d.ItemID, d.Tables["Orders"], "order_id", excel.VersionHeader); err != nil {
		return f, err
	}
	calmLost, calmDoubled := lostAndDoubled(newestOf(cs), rows)
	f.CalmLost = calmLost
	f.Doubled += calmDoubled // a row doubled by either run
	f.TotalSeconds = math.Round(time.Since(began).Seconds())
	f.Stalls, f.LongestStall = stalls.get()
	return f, nil
}

// nopCleanup lets the bench make a graphtest server it closes itself.
type nopCleanup struct{}

func (nopCleanup) Cleanup(func()) {}

func printExcelTable(w io.Writer, f excelFigures) {
	mode := "full"
	if f.Quick {
		mode = "quick"
	}
	fmt.Fprintf(w, "\nSafeview bench, Excel (%s run, %s): %d events for %d orders over %.0f s, Graph latency %.0f ms, Graph's Excel limit (%d requests/10 s/app)\n\n",
		mode, f.Date, f.Events, f.Orders, f.OverS, f.LatencyMS, f.Limit)
	row := func(name, safe, naive, target string) {
		fmt.Fprintf(w, "  %-42s %16s %16s   %s\n", name, safe, naive, target)
	}
	row("", "Safeview", "baseline", "target")
	row("Graph HTTP requests per event", fmt.Sprintf("%.3f", f.RequestsPerEvent), fmt.Sprintf("%.3f", f.BaselineRequestsPerEvent), "")
	row("workbook writes per event", fmt.Sprintf("%.3f", f.WritesPerEvent), fmt.Sprintf("%.3f", f.BaselineWritesPerEvent), "")
	row("workbook operations per event", fmt.Sprintf("%.3f", f.OpsPerEvent), fmt.Sprintf("%.3f", f.BaselineOpsPerEvent), "")
	row("most operations in any 10 s", fmt.Sprint(f.MaxOps10s), fmt.Sprint(f.BaselineMaxOps10s), fmt.Sprintf("<= %d", f.Limit))
	row("429 answers from Graph", fmt.Sprint(f.Throttled), fmt.Sprint(f.BaselineThrottled), "")
	row("workbook sessions opened", fmt.Sprint(f.Sessions), "-", "")
	row("events failed (never written)", fmt.Sprint(f.Failed), fmt.Sprint(f.BaselineFailed), "0")
	row("orders lost (not at their newest version)", fmt.Sprint(f.Lost), fmt.Sprint(f.BaselineLost), "0")
	row("rows doubled", fmt.Sprint(f.Doubled), fmt.Sprint(f.BaselineDoubled), "0")
	row("deliveries answered 503, sent again", fmt.Sprint(f.Redelivered), "-", "")
	row("receipt to row p50 (ms)", fmt.Sprint(f.ReceiptToRowP50), fmt.Sprint(f.BaselineReceiptToRowP50), "")
	row("receipt to row p95 (ms)", fmt.Sprint(f.ReceiptToRowP95), fmt.Sprint(f.BaselineReceiptToRowP95), "<= 1500")
	row("receipt to row p99 (ms)", fmt.Sprint(f.ReceiptToRowP99), fmt.Sprint(f.BaselineReceiptToRowP99), "")
	row(fmt.Sprintf("calm %.1f/s: receipt to row p95 (ms)", f.CalmRate), fmt.Sprint(f.CalmP95), "-", "")
	row(fmt.Sprintf("calm %.1f/s: workbook writes per event", f.CalmRate), fmt.Sprintf("%.3f", f.CalmWrites), "-", "")
	row(fmt.Sprintf("calm %.1f/s: orders lost", f.CalmRate), fmt.Sprint(f.CalmLost), "-", "0")
	fmt.Fprintf(w, "\n  (%0.f s in all", f.TotalSeconds)
	if f.Stalls > 0 {
		fmt.Fprintf(w, "; the process stalled %d times, up to %.0f ms: the machine was busy, take these figures with care", f.Stalls, f.LongestStall)
	}
	fmt.Fprintf(w, ")\n\n")
}
