// Command bench measures Safeview's sink against the naive way of keeping
// a sheet of orders, side by side in one run, on the local stack: the real
// function (functions-framework) and the Sheets emulator with Google's
// default quotas (60 reads and 60 writes a minute per user) and a fixed
// latency on every call.
//
// Usage:
//
//	go run ./scripts/bench [-quick] [-latency 150ms] [-v]
//	go run ./scripts/bench -queue [-quick] [-latency 150ms] [-rates 10000,60000] [-over 60s] [-outage 10m] [-outage-events 20000] [-push-deadline 10s]
//	go run ./scripts/bench -excel [-quick] [-latency 150ms] [-v]
//
// -queue measures queued mode instead, against direct mode in the same
// run: see queue.go and queuedest.go. -cpuprofile FILE writes a CPU
// profile of any run, for go tool pprof. -excel measures the Excel destination instead: see
// excel.go.
//
//	go run ./scripts/bench -destinations 4        # partner views, destinations.go
//	go run ./scripts/bench -destinations 1,5,10,20 -quick
//
// It replays:
//
//   - a burst of order events (1,000 over 60 s; -quick: 200 over 12 s):
//     20% duplicates, 10% out of order, 30% updates, the rest new orders.
//     Safeview gets them as signed webhooks through the function, a 503
//     being delivered again after its Retry-After as a platform would; the
//     baseline, the way n8n's and Zapier's "create or update row" work,
//     reads the key column for each event as it comes and then updates the
//     row or appends one, without versions or retries, on its own emulator
//     with the same latency and quotas;
//   - one upsert into a tab of 1,000 rows and one of 100,000 rows: requests
//     and bytes per upsert, for each;
//   - a calm run at 2 events a second and one at 0.5, for the
//     receipt-to-row latency of a trickle; at 2 a second the default
//     quota is what limits (see raised.go), so the 2-a-second run is
//     made again with the per-user quota raised.
//
// With -excel it runs the burst and a calm run against the example's Excel
// destination instead, on a Graph emulator with Graph's limits, beside the
// naive Excel writer (see excel.go).
//
// It prints a table and, last, one line of JSON with every figure. Speed
// is reported, never asserted: see docs/sheet.md for the targets and the
// figures of a full run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if child, err := runRole(ctx); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", os.Getenv(roleEnv)+":", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// params are the sizes of a run.
type params struct {
	latency          time.Duration
	events           int
	over             time.Duration
	calmEvents       int
	calmRate         float64
	slowEvents       int
	slowRate         float64
	small, large     int
	upserts          int
	retryCap, giveUp time.Duration
	seed             uint64
}

// runInfo opens every JSON line: when, how big, how slow the calls.
type runInfo struct {
	Date      string  `json:"date"`
	Quick     bool    `json:"quick"`
	LatencyMS float64 `json:"latency_ms"`
	Events    int     `json:"events"`
	OverS     float64 `json:"burst_seconds"`
	Orders    int     `json:"orders"`
}

// newRunInfo is the opening of a run's figures.
func newRunInfo(began time.Time, p params) runInfo {
	return runInfo{Date: began.UTC().Format(time.RFC3339), LatencyMS: ms(p.latency), Events: p.events, OverS: p.over.Seconds()}
}

// figures is the JSON line: every figure of the run.
type figures struct {
	// Mode is direct, or queued (-queue, queue.go).
	Mode string `json:"mode"`
	runInfo

	WritesPerEvent         float64 `json:"writes_per_event"`
	BaselineWritesPerEvent float64 `json:"baseline_writes_per_event"`
	ReadsPerEvent          float64 `json:"reads_per_event"`
	BaselineReadsPerEvent  float64 `json:"baseline_reads_per_event"`
	MaxWrites60s           int     `json:"max_writes_in_60s"`
	BaselineMaxWrites60s   int     `json:"baseline_max_writes_in_60s"`
	RateLimited            int     `json:"rate_limited"`
	BaselineRateLimited    int     `json:"baseline_rate_limited"`
	Redelivered            int     `json:"redelivered_after_503"`
	Failed                 int     `json:"failed"`
	BaselineFailed         int     `json:"baseline_failed"`
	Lost                   int     `json:"lost"`
	BaselineLost           int     `json:"baseline_lost"`
	Doubled                int     `json:"doubled"`
	BaselineDoubled        int     `json:"baseline_doubled"`

	ReceiptToRowP50         float64 `json:"receipt_to_row_p50_ms"`
	ReceiptToRowP95         float64 `json:"receipt_to_row_p95_ms"`
	ReceiptToRowP99         float64 `json:"receipt_to_row_p99_ms"`
	BaselineReceiptToRowP50 float64 `json:"baseline_receipt_to_row_p50_ms"`
	BaselineReceiptToRowP95 float64 `json:"baseline_receipt_to_row_p95_ms"`
	BaselineReceiptToRowP99 float64 `json:"baseline_receipt_to_row_p99_ms"`
	AckP50                  float64 `json:"ack_p50_ms"`
	AckP99                  float64 `json:"ack_p99_ms"`
	// The queued run's baseline is direct mode, which answers too.
	BaselineAckP50 float64 `json:"baseline_ack_p50_ms,omitempty"`
	BaselineAckP99 float64 `json:"baseline_ack_p99_ms,omitempty"`
	// Queue is the queued run's own figures.
	Queue *queueFigures `json:"queue,omitempty"`

	SmallRows                int     `json:"upsert_small_rows"`
	LargeRows                int     `json:"upsert_large_rows"`
	UpsertRequests1k         float64 `json:"upsert_requests_1k"`
	UpsertBytes1k            float64 `json:"upsert_bytes_1k"`
	UpsertRequests100k       float64 `json:"upsert_requests_100k"`
	UpsertBytes100k          float64 `json:"upsert_bytes_100k"`
	UpsertCostRatio          float64 `json:"upsert_cost_ratio_100k_over_1k"`
	IndexLoadBytes1k         int64   `json:"index_load_bytes_1k"`
	IndexLoadBytes100k       int64   `json:"index_load_bytes_100k"`
	BaselineUpsertRequests1k float64 `json:"baseline_upsert_requests_1k"`
	BaselineUpsertBytes1k    float64 `json:"baseline_upsert_bytes_1k"`
	BaselineUpsertBytes100k  float64 `json:"baseline_upsert_bytes_100k"`
	BaselineUpsertCostRatio  float64 `json:"baseline_upsert_cost_ratio_100k_over_1k"`

	CalmRate     float64 `json:"calm_events_per_second"`
	CalmP50      float64 `json:"calm_receipt_to_row_p50_ms"`
	CalmP95      float64 `json:"calm_receipt_to_row_p95_ms"`
	CalmWrites   float64 `json:"calm_writes_per_event"`
	SlowCalmRate float64 `json:"slow_calm_events_per_second"`
	SlowCalmP95  float64 `json:"slow_calm_receipt_to_row_p95_ms"`
	// CalmSlotP95 is what CalmP95 should be under the quota: see slotP95.
	CalmSlotP95 float64 `json:"calm_expected_p95_under_quota_ms"`
	// The calm run again with the quota raised (see raised.go).
	RaisedQuota       int     `json:"raised_write_quota_per_minute"`
	RaisedSinkRate    int     `json:"raised_sink_write_requests_per_minute"`
	RaisedP50         float64 `json:"raised_calm_receipt_to_row_p50_ms"`
	RaisedP95         float64 `json:"raised_calm_receipt_to_row_p95_ms"`
	RaisedWrites      float64 `json:"raised_calm_writes_per_event"`
	RaisedRateLimited int     `json:"raised_calm_rate_limited"`
	RaisedFailed      int     `json:"raised_calm_failed"`
	RaisedLost        int     `json:"raised_calm_lost"`
	RaisedDoubled     int     `json:"raised_calm_doubled"`
	// The calm run as Stripe orders whose line items are read from a fake
	// API (items.go): calls per event, and receipt→row of the deliveries
	// that called it against those that found the items cached.
	ItemsLatencyMS     float64 `json:"items_api_latency_ms"`
	ItemsCallsPerEvent float64 `json:"items_calls_per_event"`
	ItemsReadP50       float64 `json:"items_read_receipt_to_row_p50_ms"`
	ItemsReadP95       float64 `json:"items_read_receipt_to_row_p95_ms"`
	ItemsCachedP50     float64 `json:"items_cached_receipt_to_row_p50_ms"`
	ItemsCachedP95     float64 `json:"items_cached_receipt_to_row_p95_ms"`
	ItemsAddedP50      float64 `json:"items_added_receipt_to_row_p50_ms"`
	ItemsFailed        int     `json:"items_failed"`
	ItemsRowsWithout   int     `json:"items_rows_without_items"`
	Stalls             int     `json:"process_stalls"`
	LongestStall       float64 `json:"longest_stall_ms"`
	TotalSeconds       float64 `json:"total_seconds"`
	WriteQuota         int     `json:"write_quota_per_minute"`
	SinkWriteRate      int     `json:"sink_write_requests_per_minute"`
}

// run is the command: the command line parsed, then the work.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	raiseFileLimit(stderr)
	if o.cpuprofile != "" {
		stop, err := profileCPU(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	return work(ctx, o, stdout, stderr)
}

// options are the command line: the sizes of the run, and how it is
// reported.
type options struct {
	params  params
	quick   bool // -quick, reported in the figures
	verbose bool // -v
	// The queued run's (-queue): -over as given, -outage, -outage-events.
	queue        bool
	over         time.Duration
	outage       time.Duration
	outageEvents int
	pushDeadline time.Duration
	steady       bool  // -queue: the steady runs only
	rates        []int // events a minute of the steady runs
	excel        bool  // -excel: the Excel run instead (excel.go)
	// destinations are the counts of partner destinations of a partner
	// run (destinations.go); none for the main run.
	destinations []int
	cpuprofile   string // -cpuprofile: where the run's CPU profile goes
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a shorter run: 200 events over 12 s, shorter calm runs (same figures)")
	latency := fs.Duration("latency", 150*time.Millisecond, "latency of every Sheets call")
	verbose := fs.Bool("v", false, "keep the function's logs (on stderr)")
	excel := fs.Bool("excel", false, "measure the Excel destination instead, on a Graph emulator with Graph's limits, beside a naive Excel writer (excel.go)")
	events := fs.Int("events", 0, "events in the burst (default 1000, -quick 200)")
	over := fs.Duration("over", 0, "duration of the burst (default 60s, -quick 12s)")
	calmEvents := fs.Int("calm", 0, "events of the calm run (default 60, -quick 20)")
	small := fs.Int("small", 1000, "rows of the small tab of the upsert cost (its key stays _1k)")
	large := fs.Int("large", 100000, "rows of the large tab of the upsert cost (its key stays _100k)")
	queued := fs.Bool("queue", false, "queued mode instead: 10,000 and 60,000 events a minute, then an outage (queue.go)")
	outage := fs.Duration("outage", 0, "-queue: how long the spreadsheet is away (default 10m, -quick 2m)")
	outageEvents := fs.Int("outage-events", 0, "-queue: events during the outage (default 20000, -quick 2000)")
	pushDeadline := fs.Duration("push-deadline", 10*time.Second, "-queue: the writer's deadline for one push (SAFEVIEW_PUSH_DEADLINE)")
	rates := fs.String("rates", "10000,60000", "-queue: events a minute of the steady runs, the first beside direct mode")
	steady := fs.Bool("steady", false, "-queue: the steady runs only, without the direct baseline and the outage")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	dests := fs.String("destinations", "", "partner views instead: the burst across 4 stores into main + N destinations, for each N of a list such as 4 or 1,5,10,20")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	counts, err := parseCounts(*dests)
	if err != nil {
		return options{}, err
	}
	perMinute, err := parseRates(*rates)
	if err != nil {
		return options{}, err
	}
	p := params{latency: *latency, events: 1000, over: 60 * time.Second, calmEvents: 60, calmRate: 2, slowEvents: 20, slowRate: 0.5,
		small: *small, large: *large, upserts: 20, retryCap: 10 * time.Second, giveUp: 5 * time.Minute, seed: 2026}
	if *quick {
		p.events, p.over, p.calmEvents, p.slowEvents = 200, 12*time.Second, 20, 8
	}
	if *events > 0 {
		p.events = *events
	}
	if *over > 0 {
		p.over = *over
	}
	if *calmEvents > 0 {
		p.calmEvents, p.slowEvents = *calmEvents, max(*calmEvents/3, 2)
	}
	return options{params: p, quick: *quick, verbose: *verbose, queue: *queued, over: *over, outage: *outage, outageEvents: *outageEvents, pushDeadline: *pushDeadline, steady: *steady, rates: perMinute, excel: *excel, destinations: counts, cpuprofile: *cpuprofile}, nil
}

// work measures, then prints the table and the JSON line on stdout; the
// progress goes to stderr.
func work(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if !o.verbose {
		os.Setenv("SAFEVIEW_LOG_LEVEL", "error")
	}
	if n := btoi(o.queue) + btoi(o.excel) + btoi(len(o.destinations) > 0); n > 1 {
		return errors.New("-queue, -excel and -destinations measure different runs: give one")
	}
	if len(o.destinations) > 0 {
		fs, err := measureDestinations(ctx, o.params, o.destinations, stderr)
		if err != nil {
			return err
		}
		for i := range fs {
			fs[i].Quick = o.quick
		}
		printPartners(stdout, fs)
		for _, f := range fs {
			line, _ := json.Marshal(f)
			fmt.Fprintf(stdout, "%s\n", line)
		}
		return nil
	}
	if o.queue {
		f, err := measureQueued(ctx, queueParamsOf(o), stderr)
		f.Quick = o.quick
		if f.Queue != nil && len(f.Queue.Runs) > 0 {
			printQueueTable(stdout, f)
			line, _ := json.Marshal(f)
			fmt.Fprintf(stdout, "%s\n", line)
		}
		return err
	}
	if o.excel {
		f, err := measureExcel(ctx, o.params, stderr)
		if err != nil {
			return err
		}
		f.Quick = o.quick
		printExcelTable(stdout, f)
		line, _ := json.Marshal(f)
		fmt.Fprintf(stdout, "%s\n", line)
		return nil
	}
	f, err := measure(ctx, o.params, stderr)
	if err != nil {
		return err
	}
	f.Quick, f.Mode = o.quick, "direct"
	printTable(stdout, f)
	line, _ := json.Marshal(f)
	fmt.Fprintf(stdout, "%s\n", line)
	return nil
}

func measure(ctx context.Context, p params, progress io.Writer) (figures, error) {
	began := time.Now()
	stalls := watchStalls(ctx)
	f := figures{runInfo: newRunInfo(began, p),
		WriteQuota: gsheetstest.GoogleQuotas().WriteRequestsPerMinutePerUser, SinkWriteRate: gsheets.DefaultWriteRequestsPerMinute}
	emuOpts := []gsheetstest.Option{gsheetstest.WithQuotas(gsheetstest.GoogleQuotas())}
	if p.latency > 0 {
		emuOpts = append(emuOpts, gsheetstest.WithLatency(p.latency, 0))
	}
	// The main spreadsheet alone: -destinations measures partner views.
	st, err := localstack.Start(ctx, localstack.Options{Emulator: emuOpts, NoDestinations: true})
	if err != nil {
		return f, err
	}
	defer st.Close()
	if st.Config.Sheet.WriteRequestsPerMinute != 0 {
		f.SinkWriteRate = st.Config.Sheet.WriteRequestsPerMinute
	}
	writesAt := recordWrites(st.Emulator)

	bemu := gsheetstest.Start(emuOpts...)
	defer bemu.Close()
	bid := bemu.CreateSpreadsheet("baseline", "Orders")
	if err := bemu.SetValues(bid, "Orders!A1:C1", [][]any{baselineHeader}); err != nil {
		return f, err
	}
	bsvc, err := bemu.Service(ctx)
	if err != nil {
		return f, err
	}
	base := &baseline{svc: bsvc, id: bid, tab: "Orders"}
	baseWritesAt := recordWrites(bemu)

	// The burst, both ways at once, each on its own emulator and quota.
	ds := burst(rand.New(rand.NewPCG(p.seed, p.seed+1)), p.events, p.over, 5_000_000)
	newest := newestOf(ds)
	f.Orders = len(newest)
	fmt.Fprintf(progress, "bench: burst of %d events for %d orders over %s, Safeview and the baseline side by side...\n", len(ds), len(newest), p.over)
	sender := newWebhookSender(st.Ready.WebhookBase, st.Ready.Sources["shopify"].Secret)
	st.Emulator.ResetStats()
	bemu.ResetStats()
	writesAt.reset()
	baseWritesAt.reset()
	var safe, naive []outcome
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); safe = replay(ctx, ds, sender.send, p.retryCap, p.giveUp) }()
	go func() { defer wg.Done(); naive = replay(ctx, ds, base.send, p.retryCap, p.giveUp) }()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return f, err
	}
	sst, bst := st.Emulator.Stats(), bemu.Stats()
	f.WritesPerEvent = round(float64(sst.Writes) / float64(len(ds)))
	f.ReadsPerEvent = round(float64(sst.Reads) / float64(len(ds)))
	f.BaselineWritesPerEvent = round(float64(bst.Writes) / float64(len(ds)))
	f.BaselineReadsPerEvent = round(float64(bst.Reads) / float64(len(ds)))
	f.MaxWrites60s, f.BaselineMaxWrites60s = gsheetstest.Busiest(writesAt.get(), time.Minute), gsheetstest.Busiest(baseWritesAt.get(), time.Minute)
	f.RateLimited, f.BaselineRateLimited = sst.RateLimited, bst.RateLimited
	t := tallyOf(safe, naive)
	acks, r2r, br2r := t.acks, t.r2r, t.br2r
	f.Redelivered, f.Failed, f.BaselineFailed = t.redelivered, t.failed, t.baseFailed
	f.ReceiptToRowP50, f.ReceiptToRowP95, f.ReceiptToRowP99 = percentile(r2r, 0.50), percentile(r2r, 0.95), percentile(r2r, 0.99)
	f.BaselineReceiptToRowP50, f.BaselineReceiptToRowP95, f.BaselineReceiptToRowP99 = percentile(br2r, 0.50), percentile(br2r, 0.95), percentile(br2r, 0.99)
	f.AckP50, f.AckP99 = percentile(acks, 0.50), percentile(acks, 0.99)
	rows, err := rowsOf(st.Emulator, st.Ready.SpreadsheetID, "Orders", "order_id", gsheets.VersionHeader)
	if err != nil {
		return f, err
	}
	f.Lost, f.Doubled = lostAndDoubled(newest, rows)
	brows, err := rowsOf(bemu, bid, "Orders", "order_id", "version")
	if err != nil {
		return f, err
	}
	f.BaselineLost, f.BaselineDoubled = lostAndDoubled(newest, brows)

	// One upsert into a tab of 1,000 and of 100,000 rows.
	fmt.Fprintf(progress, "bench: upsert cost at %d and %d rows...\n", p.small, p.large)
	sc, err := upsertCost(ctx, p.small, p.upserts)
	if err != nil {
		return f, fmt.Errorf("upsert cost at %d rows: %w", p.small, err)
	}
	lc, err := upsertCost(ctx, p.large, p.upserts)
	if err != nil {
		return f, fmt.Errorf("upsert cost at %d rows: %w", p.large, err)
	}
	f.SmallRows, f.LargeRows = p.small, p.large
	f.UpsertRequests1k, f.UpsertBytes1k = round(sc.requests), math.Round(sc.bytes)
	f.UpsertRequests100k, f.UpsertBytes100k = round(lc.requests), math.Round(lc.bytes)
	f.UpsertCostRatio = round(lc.bytes / sc.bytes)
	f.IndexLoadBytes1k, f.IndexLoadBytes100k = sc.loadBytes, lc.loadBytes
	f.BaselineUpsertRequests1k, f.BaselineUpsertBytes1k = round(sc.baseRequests), math.Round(sc.baseBytes)
	f.BaselineUpsertBytes100k = math.Round(lc.baseBytes)
	f.BaselineUpsertCostRatio = round(lc.baseBytes / sc.baseBytes)

	// Calm: a steady trickle, through the same function.
	fmt.Fprintf(progress, "bench: calm runs, %d events at %.1f/s and %d at %.1f/s...\n", p.calmEvents, p.calmRate, p.slowEvents, p.slowRate)
	time.Sleep(2 * time.Second) // let the burst's last tokens come back
	st.Emulator.ResetStats()
	calmOut := replay(ctx, calm(p.calmEvents, p.calmRate, 7_000_000), sender.send, p.retryCap, p.giveUp)
	f.CalmRate = p.calmRate
	f.CalmP50, f.CalmP95 = percentile(receipts(calmOut), 0.50), percentile(receipts(calmOut), 0.95)
	f.CalmWrites = round(float64(st.Emulator.Stats().Writes) / float64(p.calmEvents))
	time.Sleep(3 * time.Second) // calm means the sink is not catching up
	slowOut := replay(ctx, calm(p.slowEvents, p.slowRate, 8_000_000), sender.send, p.retryCap, p.giveUp)
	f.SlowCalmRate, f.SlowCalmP95 = p.slowRate, percentile(receipts(slowOut), 0.95)
	f.CalmSlotP95 = slotP95(p.calmRate, f.SinkWriteRate, 2*ms(p.latency))

	fmt.Fprintf(progress, "bench: calm run at %.1f/s again, per-user quota raised to %d a minute...\n", p.calmRate, raisedQuota)
	r, err := calmRaised(ctx, st, emuOpts, p)
	if err != nil {
		return f, fmt.Errorf("calm run, raised quota: %w", err)
	}
	f.RaisedQuota, f.RaisedSinkRate = raisedQuota, raisedSinkRate
	f.RaisedP50, f.RaisedP95 = percentile(receipts(r.out), 0.50), percentile(receipts(r.out), 0.95)
	f.RaisedWrites, f.RaisedRateLimited = round(float64(r.stats.Writes)/float64(p.calmEvents)), r.stats.RateLimited
	f.RaisedFailed, f.RaisedLost, f.RaisedDoubled = len(r.out)-len(receipts(r.out)), r.lost, r.doubled

	fmt.Fprintf(progress, "bench: calm run as Stripe orders, line items read from an API %s away...\n", itemsLatency)
	ir, err := measureItems(ctx, st, emuOpts, p)
	if err != nil {
		return f, fmt.Errorf("line items run: %w", err)
	}
	f.ItemsLatencyMS, f.ItemsCallsPerEvent = ms(itemsLatency), ir.callsPerEvent
	f.ItemsReadP50, f.ItemsReadP95, f.ItemsCachedP50, f.ItemsCachedP95 = ir.readP50, ir.readP95, ir.cachedP50, ir.cachedP95
	f.ItemsAddedP50 = round(ir.readP50 - ir.cachedP50)
	f.ItemsFailed, f.ItemsRowsWithout = ir.failed, ir.withoutItems
	f.TotalSeconds = math.Round(time.Since(began).Seconds())
	f.Stalls, f.LongestStall = stalls.get()
	return f, nil
}

// stallWatch notices when the whole process stops running for a while:
// a ticker that wakes late. On a shared machine that is the machine, not
// Safeview, and the figures of that run are not to be trusted.
type stallWatch struct {
	mu      sync.Mutex
	n       int
	longest time.Duration
}

const stallAfter = 300 * time.Millisecond

func watchStalls(ctx context.Context) *stallWatch {
	w := &stallWatch{}
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if gap := now.Sub(last); gap > stallAfter {
					w.mu.Lock()
					w.n++
					w.longest = max(w.longest, gap)
					w.mu.Unlock()
				}
				last = now
			}
		}
	}()
	return w
}

func (w *stallWatch) get() (int, float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, ms(w.longest)
}

func receipts(os []outcome) []time.Duration {
	var out []time.Duration
	for _, o := range os {
		if o.status == http.StatusOK {
			out = append(out, o.receiptRow)
		}
	}
	return out
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }

// stamps records when write requests arrive at an emulator.
type stamps struct {
	mu sync.Mutex
	ts []time.Time
}

func recordWrites(emu *gsheetstest.Server) *stamps {
	s := &stamps{}
	emu.SetRequestHook(func(method string) {
		if gsheetstest.Writes(method) {
			s.mu.Lock()
			s.ts = append(s.ts, time.Now())
			s.mu.Unlock()
		}
	})
	return s
}

func (s *stamps) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts = nil
}

func (s *stamps) get() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.ts...)
}

func printTable(w io.Writer, f figures) {
	mode := "full"
	if f.Quick {
		mode = "quick"
	}
	fmt.Fprintf(w, "\nSafeview bench (%s run, %s): %d events for %d orders over %.0f s, Sheets latency %.0f ms, Google's default quotas (%d writes/min/user)\n\n",
		mode, f.Date, f.Events, f.Orders, f.OverS, f.LatencyMS, f.WriteQuota)
	row := func(name, safe, naive, target string) {
		fmt.Fprintf(w, "  %-42s %16s %16s   %s\n", name, safe, naive, target)
	}
	row("", "Safeview", "baseline", "target")
	row("write requests per event", fmt.Sprintf("%.3f", f.WritesPerEvent), fmt.Sprintf("%.3f", f.BaselineWritesPerEvent), "<= 0.07")
	row("read requests per event", fmt.Sprintf("%.3f", f.ReadsPerEvent), fmt.Sprintf("%.3f", f.BaselineReadsPerEvent), "")
	row("most write requests in any 60 s", fmt.Sprint(f.MaxWrites60s), fmt.Sprint(f.BaselineMaxWrites60s), fmt.Sprintf("<= %d", f.WriteQuota))
	row("429 answers from Sheets", fmt.Sprint(f.RateLimited), fmt.Sprint(f.BaselineRateLimited), "")
	row("events failed (never written)", fmt.Sprint(f.Failed), fmt.Sprint(f.BaselineFailed), "0")
	row("orders lost (not at their newest version)", fmt.Sprint(f.Lost), fmt.Sprint(f.BaselineLost), "0")
	row("rows doubled", fmt.Sprint(f.Doubled), fmt.Sprint(f.BaselineDoubled), "0")
	row("deliveries answered 503, sent again", fmt.Sprint(f.Redelivered), "-", "")
	row("receipt to row p50 (ms)", fmt.Sprint(f.ReceiptToRowP50), fmt.Sprint(f.BaselineReceiptToRowP50), "")
	row("receipt to row p95 (ms)", fmt.Sprint(f.ReceiptToRowP95), fmt.Sprint(f.BaselineReceiptToRowP95), "<= 1500")
	row("receipt to row p99 (ms)", fmt.Sprint(f.ReceiptToRowP99), fmt.Sprint(f.BaselineReceiptToRowP99), "")
	row("ack p99 (ms)", fmt.Sprint(f.AckP99), "-", "<= 2000")
	row(fmt.Sprintf("requests per upsert, %d rows", f.SmallRows), fmt.Sprint(f.UpsertRequests1k), fmt.Sprint(f.BaselineUpsertRequests1k), "O(1)")
	row(fmt.Sprintf("bytes per upsert, %d rows", f.SmallRows), fmt.Sprintf("%.0f", f.UpsertBytes1k), fmt.Sprintf("%.0f", f.BaselineUpsertBytes1k), "")
	row(fmt.Sprintf("bytes per upsert, %d rows", f.LargeRows), fmt.Sprintf("%.0f", f.UpsertBytes100k), fmt.Sprintf("%.0f", f.BaselineUpsertBytes100k), "")
	row("upsert cost, large / small tab", fmt.Sprintf("%.2fx", f.UpsertCostRatio), fmt.Sprintf("%.2fx", f.BaselineUpsertCostRatio), "<= 1.2x")
	row(fmt.Sprintf("index read once, %d rows (bytes)", f.LargeRows), fmt.Sprint(f.IndexLoadBytes100k), "-", "once per instance")
	row(fmt.Sprintf("calm %.1f/s: receipt to row p95 (ms)", f.CalmRate), fmt.Sprint(f.CalmP95), "-",
		fmt.Sprintf("<= 400; %.0f with %d writes/min", f.CalmSlotP95, f.SinkWriteRate))
	row(fmt.Sprintf("calm %.1f/s: receipt to row p95 (ms)", f.SlowCalmRate), fmt.Sprint(f.SlowCalmP95), "-", "")
	row(fmt.Sprintf("calm %.1f/s, quota %d/min: p95 (ms)", f.CalmRate, f.RaisedQuota), fmt.Sprint(f.RaisedP95), "-", "<= 400")
	row(fmt.Sprintf("calm %.1f/s, quota %d/min: writes/event", f.CalmRate, f.RaisedQuota), fmt.Sprintf("%.3f", f.RaisedWrites), "-", "")
	row(fmt.Sprintf("calm %.1f/s, quota %d/min: lost, doubled", f.CalmRate, f.RaisedQuota), fmt.Sprintf("%d, %d", f.RaisedLost, f.RaisedDoubled), "-", "0, 0")
	row(fmt.Sprintf("line items, API %.0f ms away: calls/event", f.ItemsLatencyMS), fmt.Sprintf("%.3f", f.ItemsCallsPerEvent), "-", "")
	row("line items: receipt to row p50, p95 (ms)", fmt.Sprintf("%.0f, %.0f", f.ItemsReadP50, f.ItemsReadP95),
		fmt.Sprintf("%.0f, %.0f", f.ItemsCachedP50, f.ItemsCachedP95), "baseline: cached")
	row("line items: added p50 (ms), rows without", fmt.Sprintf("%.0f, %d", f.ItemsAddedP50, f.ItemsRowsWithout), "-", fmt.Sprintf("~%.0f, 0", f.ItemsLatencyMS))
	fmt.Fprintf(w, "\n  (%0.f s in all", f.TotalSeconds)
	if f.Stalls > 0 {
		fmt.Fprintf(w, "; the process stalled %d times, up to %.0f ms: the machine was busy, take these figures with care", f.Stalls, f.LongestStall)
	}
	fmt.Fprintf(w, ")\n\n")
}

// btoi counts a flag that is set.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
