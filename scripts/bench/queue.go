package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"google.golang.org/api/sheets/v4"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/deadletter"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
)

// The queued benchmark (-queue): the local stack in queued mode, the
// webhook function publishing to Pub/Sub's fake server, the push pump
// delivering to the writer, the writer writing to the Sheets emulator
// under Google's default quotas and latency. The platform's sender with
// the webhook function, and Pub/Sub's fake server, run in processes of
// their own (children.go).
//
//   - two runs at a steady rate (10,000 and 60,000 events a minute for 60
//     s; -quick: 6 s), the burst's mix of duplicates, late deliveries and
//     updates: how fast deliveries are answered (ack), how long until the
//     row is in the sheet (receipt to row) against what the quota
//     arithmetic predicts (predictP95), the write requests at the quota
//     line, nothing lost or doubled. The first is then sent again to the
//     webhook function in direct mode on its own emulator with the same
//     quotas and latency: the baseline.
//   - an outage: the spreadsheet answers 503 to everything for 10 minutes
//     of wall time (-quick: 2 minutes) while 20,000 events arrive (-quick:
//     2,000), then comes back. Pub/Sub's backoff (10 s to 600 s) is scaled
//     by the outage's length over 10 minutes, so that -quick is the same
//     run in miniature; the writer's push deadline is not (10 s, a push
//     during the outage fails after it): it would cut the steady runs'
//     pushes short. The subscription allows 5 attempts (Pub/Sub's least,
//     where Terraform's default is 20), so that the earliest messages do
//     run out and go to the dead-letter topic: then scripts/replay's code
//     moves them back, and that is measured too.

// queueParams are the sizes of a queued run.
type queueParams struct {
	latency      time.Duration
	perMinute    []int         // the steady runs' rates
	over         time.Duration // each steady run's length
	outage       time.Duration
	outageEvents int
	attempts     int
	pushDeadline time.Duration // the writer's, for one push
	steady       bool          // the steady runs only
	concurrency  int           // pushes in flight: the writer's request concurrency
	seed         uint64
	retryCap     time.Duration
	giveUp       time.Duration
}

func (q queueParams) scale() float64 { return float64(q.outage) / float64(10*time.Minute) }

// queueParamsOf turns the command line into a queued run's sizes.
func queueParamsOf(o options) queueParams {
	q := queueParams{latency: o.params.latency, perMinute: o.rates, over: 60 * time.Second,
		outage: 10 * time.Minute, outageEvents: 20_000, attempts: 5, concurrency: 1000, seed: o.params.seed,
		retryCap: 10 * time.Second, giveUp: 30 * time.Minute, pushDeadline: o.pushDeadline, steady: o.steady}
	if o.quick {
		q.over, q.outage, q.outageEvents = 6*time.Second, 2*time.Minute, 2_000
	}
	if o.over > 0 {
		q.over = o.over
	}
	if o.outage > 0 {
		q.outage = o.outage
	}
	if o.outageEvents > 0 {
		q.outageEvents = o.outageEvents
	}
	return q
}

// parseRates reads -rates: events a minute, separated by commas.
func parseRates(s string) ([]int, error) {
	var out []int
	for _, r := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-rates: want events a minute, such as 10000,60000, not %q", r)
		}
		out = append(out, n)
	}
	return out, nil
}

// queueFigures are the queued run's own figures, beside the keys it
// shares with the direct run.
type queueFigures struct {
	Runs   []rateFigures  `json:"runs"`
	Outage outageFigures  `json:"outage"`
	Pump   map[string]any `json:"pump"`
}

// rateFigures are one steady run's.
type rateFigures struct {
	PerMinute      int     `json:"events_per_minute"`
	Events         int     `json:"events"`
	Orders         int     `json:"orders"`
	AckP50         float64 `json:"ack_p50_ms"`
	AckP99         float64 `json:"ack_p99_ms"`
	ReceiptToRow50 float64 `json:"receipt_to_row_p50_ms"`
	ReceiptToRow95 float64 `json:"receipt_to_row_p95_ms"`
	ReceiptToRow99 float64 `json:"receipt_to_row_p99_ms"`
	// PredictedP95 is the slowest destination's prediction (see
	// predictDest): a row is in every destination by then.
	PredictedP95   float64 `json:"predicted_receipt_to_row_p95_ms"`
	DrainSeconds   float64 `json:"drain_seconds"`
	WritesPerEvent float64 `json:"writes_per_event"`
	// MaxWrites60s is the busiest account's: each spreadsheet is written
	// as its own, with its own per-user quota; ProjectMaxWrites60s is
	// every account's together, under the project's quota.
	MaxWrites60s        int `json:"max_writes_in_60s"`
	ProjectMaxWrites60s int `json:"project_max_writes_in_60s"`
	RateLimited         int `json:"rate_limited"`
	// FailedPushes are pushes the writer did not acknowledge (its push
	// deadline passed, or the destination failed), each delivered again
	// after Pub/Sub's backoff.
	FailedPushes int `json:"failed_pushes"`
	Failed       int `json:"failed"`
	DeadLettered int `json:"dead_lettered"`
	Lost         int `json:"lost"`
	Doubled      int `json:"doubled"`
	// Dests are each destination's figures: "main" first.
	Dests []destFigures `json:"destinations"`
}

// outageFigures are the outage run's.
type outageFigures struct {
	Seconds          float64 `json:"seconds"`
	Events           int     `json:"events"`
	Orders           int     `json:"orders"`
	MinBackoffMS     float64 `json:"min_backoff_ms"`
	MaxBackoffMS     float64 `json:"max_backoff_ms"`
	Attempts         int     `json:"max_delivery_attempts"`
	AckP99           float64 `json:"ack_p99_ms"`
	Failed           int     `json:"failed"`
	FailedPushes     int     `json:"failed_pushes"`
	DeadLettered     int     `json:"dead_lettered"`
	LostBeforeReplay int     `json:"lost_before_replay"`
	RecoverySeconds  float64 `json:"recovery_seconds"`
	Replayed         int     `json:"replayed"`
	ReplayRounds     int     `json:"replay_rounds"`
	ReplaySeconds    float64 `json:"replay_seconds"`
	ReplayToRowsSec  float64 `json:"replay_to_rows_seconds"`
	LeftDeadLetters  int     `json:"left_in_dead_letters"`
	// LeftBy counts what is left by kind, destination and table.
	LeftBy  map[string]int `json:"left_by,omitempty"`
	Lost    int            `json:"lost"`
	Doubled int            `json:"doubled"`
}

// acked records when the writer acknowledged each row, by destination
// ("" the main spreadsheet), order and version; and which messages the
// pump settled (acknowledged, or dead-lettered), by id.
type acked struct {
	mu      sync.Mutex
	at      map[string]map[string][]time.Time // destination → "order/version"
	settled map[string]bool
}

func newAcked() *acked {
	return &acked{at: map[string]map[string][]time.Time{}, settled: map[string]bool{}}
}

// hook records a message the pump settled; the row's time and the id
// together, so that a drain that sees the id settled finds the row.
func (a *acked) hook(m *pubsub.Message, _, _ int, deadLettered bool) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settled[m.ID] = true
	if deadLettered {
		return
	}
	msg, err := queue.Decode(m.Data)
	if err != nil || msg.Kind != queue.KindRow {
		return
	}
	byKey := a.at[msg.Destination]
	if byKey == nil {
		byKey = map[string][]time.Time{}
		a.at[msg.Destination] = byKey
	}
	k := fmt.Sprintf("%s/%d", msg.Row.Key, msg.Row.Version)
	byKey[k] = append(byKey[k], now)
}

// receiptToRow is, for each delivery answered queued, the time from its
// receipt to the acknowledgement of its row in every destination (the
// first of its order at its version after it, in each): when the row it
// carried was in every sheet. byDest is the same for each destination
// alone, queued the same from the delivery's answer.
func (a *acked) receiptToRow(ds []delivery, out []outcome) (all []time.Duration, byDest, queued map[string][]time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	byDest, queued = map[string][]time.Duration{}, map[string][]time.Duration{}
	for i, d := range ds {
		if out[i].status != http.StatusOK {
			continue
		}
		// The edge's wall clock, as the hook's is this process's: one
		// machine, one clock (a step of it during a run would show).
		due := out[i].due
		k := fmt.Sprintf("%s/%d", d.order, d.version.UnixMicro())
		latest, found := time.Duration(0), false
		for dest, byKey := range a.at {
			ts := byKey[k]
			slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
			j, _ := slices.BinarySearchFunc(ts, due, func(t, due time.Time) int { return t.Compare(due) })
			if j < len(ts) {
				r := ts[j].Sub(due)
				byDest[dest] = append(byDest[dest], r)
				queued[dest] = append(queued[dest], max(r-out[i].receiptRow, 0))
				latest, found = max(latest, r), true
			}
		}
		if found {
			all = append(all, latest)
		}
	}
	return all, byDest, queued
}

// measureQueued runs the queued benchmark.
func measureQueued(ctx context.Context, q queueParams, progress io.Writer) (figures, error) {
	began := time.Now()
	stalls := watchStalls(ctx)
	f := figures{Mode: config.ModeQueued, runInfo: runInfo{Date: began.UTC().Format(time.RFC3339), LatencyMS: ms(q.latency)},
		WriteQuota: gsheetstest.GoogleQuotas().WriteRequestsPerMinutePerUser, SinkWriteRate: gsheets.DefaultWriteRequestsPerMinute}
	emuOpts := []gsheetstest.Option{gsheetstest.WithQuotas(gsheetstest.GoogleQuotas())}
	if q.latency > 0 {
		emuOpts = append(emuOpts, gsheetstest.WithLatency(q.latency, 0))
	}
	rec := newAcked()
	calls := &queueCalls{}
	baseOpts := slices.Clone(emuOpts) // the baseline's, without the hook
	emuOpts = append(emuOpts, gsheetstest.WithCallHook(calls.sheets.add))
	// Graph as the -excel run has it: its limit, the same latency.
	graphOpts := []graphtest.Option{graphtest.WithThrottle(graphtest.ExcelThrottle())}
	if q.latency > 0 {
		graphOpts = append(graphOpts, graphtest.WithLatency(q.latency, 0))
	}
	minB, maxB := scaled(10*time.Second, q), scaled(600*time.Second, q)
	// Pub/Sub, and below the platform with the webhook function, in
	// processes of their own (children.go).
	ps, err := startPubSub(ctx)
	if err != nil {
		return f, err
	}
	defer ps.close()
	st, err := localstack.Start(ctx, localstack.Options{Emulator: emuOpts, Graph: append(graphOpts, graphtest.WithRequestHook(calls.graph.hook)), Queue: true, QueueOptions: localstack.QueueOptions{
		MaxAttempts: q.attempts, MinBackoff: minB, MaxBackoff: maxB, AckDeadline: 60 * time.Second, Concurrency: q.concurrency, PubSub: ps.Addr,
		PushDeadline: q.pushDeadline, Pump: func(p *pubsubtest.Pump) { p.OnDone, p.Hold = rec.hook, true }}})
	if err != nil {
		return f, err
	}
	defer st.Close()
	if n := st.Config.Sheet.WriteRequestsPerMinute; n != 0 {
		f.SinkWriteRate = n
	}
	ed, err := startEdge(ctx)
	if err != nil {
		return f, err
	}
	defer ed.close()
	yieldToChildren(progress)
	secret := st.Ready.Sources["shopify"].Secret
	send := func(ds []delivery) ([]outcome, error) { return ed.replay(secret, ds, q.retryCap, q.giveUp) }
	rng := rand.New(rand.NewPCG(q.seed, q.seed+1))
	qf := &queueFigures{}
	f.Queue = qf

	// The steady runs; the first then in direct mode too.
	for i, perMinute := range q.perMinute {
		events := int(math.Round(float64(perMinute) * q.over.Minutes()))
		ds := burst(rng, events, q.over, 10_000_000*(i+1))
		fmt.Fprintf(progress, "bench: queued, %d events a minute for %s (%d events)...\n", perMinute, q.over, len(ds))
		r, err := rateRun(ctx, st, ps, rec, calls, send, ds, q)
		if err != nil {
			return f, err
		}
		fmt.Fprintf(progress, "bench:   ack p50 %.0f ms, p99 %.0f ms; receipt to row p95 %.0f ms (predicted %.0f); %d lost, %d doubled, %d dead-lettered\n",
			r.AckP50, r.AckP99, r.ReceiptToRow95, r.PredictedP95, r.Lost, r.Doubled, r.DeadLettered)
		var base *directRun
		if i == 0 && !q.steady {
			// Direct mode, the same events, once the queued run is
			// over: each run has the machine to itself.
			fmt.Fprintf(progress, "bench: direct mode, the same %d events...\n", len(ds))
			if base, err = startDirect(ctx, st, baseOpts, graphOpts); err != nil {
				return f, err
			}
			err = base.run(ctx, ds, q)
			base.close()
			if err != nil {
				return f, err
			}
		}
		r.PerMinute = perMinute
		qf.Runs = append(qf.Runs, r)
		if i == 0 {
			f.Events, f.OverS, f.Orders = r.Events, q.over.Seconds(), r.Orders
			f.WritesPerEvent, f.MaxWrites60s, f.RateLimited = r.WritesPerEvent, r.MaxWrites60s, r.RateLimited
			f.Failed, f.Lost, f.Doubled = r.Failed, r.Lost, r.Doubled
			f.AckP50, f.AckP99 = r.AckP50, r.AckP99
			f.ReceiptToRowP50, f.ReceiptToRowP95, f.ReceiptToRowP99 = r.ReceiptToRow50, r.ReceiptToRow95, r.ReceiptToRow99
		}
		if base != nil {
			b := base.figures
			f.BaselineWritesPerEvent, f.BaselineMaxWrites60s, f.BaselineRateLimited = b.WritesPerEvent, b.MaxWrites60s, b.RateLimited
			f.BaselineFailed, f.BaselineLost, f.BaselineDoubled = b.Failed, b.Lost, b.Doubled
			f.BaselineReceiptToRowP50, f.BaselineReceiptToRowP95, f.BaselineReceiptToRowP99 = b.ReceiptToRow50, b.ReceiptToRow95, b.ReceiptToRow99
			f.BaselineAckP50, f.BaselineAckP99 = b.AckP50, b.AckP99
		}
		time.Sleep(2 * time.Second) // the quota's tokens come back
	}
	if q.steady {
		s := st.Queue.Pump.Stats()
		qf.Pump = map[string]any{"pushes": s.Pushes, "acked": s.Acked, "failed": s.Failed, "dead_lettered": s.DeadLettered, "concurrency": q.concurrency}
		f.TotalSeconds = math.Round(time.Since(began).Seconds())
		return f, nil
	}

	fmt.Fprintf(progress, "bench: queued, every destination away for %s while %d events arrive...\n", q.outage, q.outageEvents)
	o, err := outageRun(ctx, st, ps, rec, send, rng, q)
	qf.Outage = o
	s := st.Queue.Pump.Stats()
	qf.Pump = map[string]any{"pushes": s.Pushes, "acked": s.Acked, "failed": s.Failed, "dead_lettered": s.DeadLettered, "concurrency": q.concurrency}
	f.TotalSeconds = math.Round(time.Since(began).Seconds())
	f.Stalls, f.LongestStall = stalls.get()
	return f, err
}

// scaled is d scaled as the outage is (see the package's comment).
func scaled(d time.Duration, q queueParams) time.Duration {
	return time.Duration(float64(d) * q.scale()).Round(time.Millisecond)
}

// predictP95 is the receipt-to-row p95 the quota allows a steady run of n
// events over d: the writer takes at most rowsPerFlush rows a flush and
// perMinute flushes a minute. Under that rate, an event waits for the next
// flush (slotP95); over it, the backlog grows, and the event at rank i is
// written at i over the writer's rate instead of i over the arrivals'.
func predictP95(n int, d time.Duration, rowsPerFlush, perMinute int, flush float64) float64 {
	capacity := float64(rowsPerFlush*perMinute) / 60 // rows a second
	rate := float64(n) / d.Seconds()
	if rate <= capacity {
		return slotP95(rate, perMinute, flush)
	}
	i := 0.95 * float64(n)
	return math.Round(i*(1/capacity-1/rate)*1000 + slotP95(capacity, perMinute, flush))
}

// directRun is the baseline: the webhook function in direct mode, on
// emulators of its own (Sheets, with a spreadsheet for the main one and
// each partner, each written as its own account; Graph with the Excel
// workbook) with the same quotas, limits and latency, through its
// handler (the functions framework serves the queued one).
type directRun struct {
	emu     *gsheetstest.Server
	ms      *exceltest.Stack
	id      string
	srv     *httptest.Server
	sender  *webhookSender
	calls   callLog
	figures rateFigures
}

func startDirect(ctx context.Context, st *localstack.Stack, emuOpts []gsheetstest.Option, graphOpts []graphtest.Option) (*directRun, error) {
	emu := gsheetstest.Start(emuOpts...)
	d := &directRun{emu: emu}
	fail := func(err error) (*directRun, error) {
		d.close()
		return nil, err
	}
	cfg := *st.Config
	cfg.Mode = config.ModeDirect
	var tabs []string
	for _, t := range cfg.Tables {
		tabs = append(tabs, t.Tab)
	}
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("Safeview (direct)", tabs...)
	d.id = cfg.Spreadsheet.ID
	cfg.Destinations = maps.Clone(cfg.Destinations)
	for name, dest := range cfg.Destinations {
		if dest.Kind == config.KindExcel {
			continue
		}
		c := *dest
		var tabs []string
		for _, t := range cfg.DestinationTables(dest) {
			tabs = append(tabs, t.Tab)
		}
		c.Spreadsheet.ID = emu.CreateSpreadsheet("Safeview (direct) – "+name, tabs...)
		cfg.Destinations[name] = &c
	}
	svc, err := emu.Service(ctx)
	if err != nil {
		return fail(err)
	}
	deps := webhookfn.Deps{Config: &cfg, Secrets: demoSecrets(&cfg), Sheets: svc, Logger: logging.Default(),
		SheetsFor: func(ctx context.Context, name string) (*sheets.Service, error) {
			return emu.ServiceAs(ctx, "account-"+name)
		}}
	if hasExcelDest(&cfg) {
		if d.ms, err = exceltest.Start(&cfg, "127.0.0.1:0", graphOpts...); err != nil {
			return fail(err)
		}
		g, err := d.ms.Options(deps.Secrets)
		if err != nil {
			return fail(err)
		}
		deps.Graph = &g
	}
	h, err := webhookfn.New(ctx, deps)
	if err != nil {
		return fail(err)
	}
	d.srv = httptest.NewServer(h)
	d.sender = newWebhookSender(d.srv.URL, st.Ready.Sources["shopify"].Secret)
	emu.SetCallHook(d.calls.add)
	return d, nil
}

// hasExcelDest reports whether a configuration has an Excel destination.
func hasExcelDest(cfg *config.Config) bool {
	for _, d := range cfg.Destinations {
		if d.Kind == config.KindExcel {
			return true
		}
	}
	return false
}

func (d *directRun) close() {
	if d.srv != nil {
		d.srv.Close()
	}
	if d.ms != nil {
		d.ms.Close()
	}
	d.emu.Close()
}

// rateRun has the edge send ds to the queued stack, waits until every
// message is written or dead-lettered, and measures.
func rateRun(ctx context.Context, st *localstack.Stack, ps *pubsubChild, rec *acked, calls *queueCalls, send func([]delivery) ([]outcome, error), ds []delivery, q queueParams) (rateFigures, error) {
	r := rateFigures{Events: len(ds)}
	newest := newestOf(ds)
	r.Orders = len(newest)
	st.Emulator.ResetStats()
	rec.reset()
	calls.sheets.reset()
	calls.graph.reset()
	dead0, failed0 := st.Queue.Pump.Stats().DeadLettered, st.Queue.Pump.Stats().Failed
	out, err := send(ds)
	if err != nil {
		return r, err
	}
	acks, failed := answered(out)
	r.Failed = failed
	r.AckP50, r.AckP99 = percentile(acks, 0.50), percentile(acks, 0.99)
	sent := time.Now()
	err = drain(ctx, ps, st.Queue.Pump, rec, q.giveUp)
	r.DeadLettered = st.Queue.Pump.Stats().DeadLettered - dead0
	if err != nil {
		return r, err
	}
	r.DrainSeconds = round(time.Since(sent).Seconds())
	r2r, byDest, queuedDest := rec.receiptToRow(ds, out)
	if r.Dests, err = measureDests(st, calls, byDest, queuedDest, rec.rowsAcked(), newest, len(ds), q); err != nil {
		return r, err
	}
	r.PredictedP95 = 0
	for _, d := range r.Dests {
		r.PredictedP95 = max(r.PredictedP95, d.PredictedP95)
	}
	r.MaxWrites60s, r.ProjectMaxWrites60s = calls.sheets.perAccount()
	r.FailedPushes = st.Queue.Pump.Stats().Failed - failed0
	r.ReceiptToRow50, r.ReceiptToRow95, r.ReceiptToRow99 = percentile(r2r, 0.50), percentile(r2r, 0.95), percentile(r2r, 0.99)
	es := st.Emulator.Stats()
	r.WritesPerEvent, r.RateLimited = round(float64(es.Writes)/float64(len(ds))), es.RateLimited
	rows, err := rowsOf(st.Emulator, st.Ready.SpreadsheetID, "Orders", "order_id", gsheets.VersionHeader)
	if err != nil {
		return r, err
	}
	r.Lost, r.Doubled = lostAndDoubled(newest, rows)
	for _, d := range r.Dests[1:] { // the main spreadsheet's are counted
		r.Lost, r.Doubled = r.Lost+d.Stale, r.Doubled+d.Doubled
	}
	return r, nil
}

// run sends ds to the direct stack, waits for every answer, and
// measures.
func (d *directRun) run(ctx context.Context, ds []delivery, q queueParams) error {
	newest := newestOf(ds)
	baseOut := replay(ctx, ds, d.sender.send, q.retryCap, q.giveUp)
	b := &d.figures
	var backs, br2r []time.Duration
	for _, o := range baseOut {
		backs = append(backs, o.acks...)
		if o.status == http.StatusOK {
			br2r = append(br2r, o.receiptRow)
		} else {
			b.Failed++
		}
	}
	b.AckP50, b.AckP99 = percentile(backs, 0.50), percentile(backs, 0.99)
	b.ReceiptToRow50, b.ReceiptToRow95, b.ReceiptToRow99 = percentile(br2r, 0.50), percentile(br2r, 0.95), percentile(br2r, 0.99)
	bs := d.emu.Stats()
	b.WritesPerEvent, b.RateLimited, b.MaxWrites60s = round(float64(bs.Writes)/float64(len(ds))), bs.RateLimited, 0
	b.MaxWrites60s, b.ProjectMaxWrites60s = d.calls.perAccount()
	brows, err := rowsOf(d.emu, d.id, "Orders", "order_id", gsheets.VersionHeader)
	if err != nil {
		return err
	}
	b.Lost, b.Doubled = lostAndDoubled(newest, brows)
	return nil
}

// drain waits until every message of the topic that Pub/Sub has not
// seen acknowledged was settled by the pump: written (the writer
// answered 2xx) or dead-lettered. Pub/Sub's fake server counts a message
// once, however often it was delivered (its lease lost while the machine
// stalled). The pump's record covers what the fake server forgets: it
// drops a message available again and ten minutes old, and then ignores
// its acknowledgement (a lease that lapsed while the server was busy
// with a backlog of 100,000 messages made a 60,000-a-minute run wait for
// ever). A message it dropped before the pump ever had it is never
// settled, and the drain says so when it gives up. The bench's pump
// holds what it pulled (Pump.Hold), which pstest then sees acknowledged:
// the drain waits for those too.
func drain(ctx context.Context, ps *pubsubChild, pump *pubsubtest.Pump, rec *acked, giveUp time.Duration) error {
	deadline := time.Now().Add(giveUp)
	topic := pubsubtest.TopicName(localstack.Topic)
	for {
		ids, err := ps.unacked(ctx, topic)
		if err != nil {
			return err
		}
		// The pump holds what it pulled (Pump.Hold): pstest saw it
		// acknowledged at once.
		waiting := rec.unsettled(ids) + pump.Stats().Holding
		if waiting == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%d messages neither written nor dead-lettered within %s", waiting, giveUp)
		}
		time.Sleep(500 * time.Millisecond) // the list copies every message, under the server's lock
	}
}

// unsettled counts the ids the pump has not settled.
func (a *acked) unsettled(ids []string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, id := range ids {
		if !a.settled[id] {
			n++
		}
	}
	return n
}

// answered sums up the answers to deliveries: their ack times, and how
// many failed (were not queued).
func answered(out []outcome) (acks []time.Duration, failed int) {
	for _, o := range out {
		acks = append(acks, o.acks...)
		if o.status != http.StatusOK {
			failed++
		}
	}
	return acks, failed
}

// outageRun has the spreadsheet answer 503 for q.outage while
// q.outageEvents arrive, then waits until every message is written or
// dead-lettered, and moves the dead letters back.
func outageRun(ctx context.Context, st *localstack.Stack, ps *pubsubChild, rec *acked, send func([]delivery) ([]outcome, error), rng *rand.Rand, q queueParams) (outageFigures, error) {
	o := outageFigures{Seconds: q.outage.Seconds(), Events: q.outageEvents, Attempts: q.attempts,
		MinBackoffMS: ms(scaled(10*time.Second, q)), MaxBackoffMS: ms(scaled(600*time.Second, q))}
	ds := burst(rng, q.outageEvents, q.outage, 50_000_000)
	newest := newestOf(ds)
	o.Orders = len(newest)
	pump := st.Queue.Pump
	p0 := pump.Stats()
	// Every destination away: the spreadsheets, and Graph for the Excel
	// workbook.
	st.Emulator.FailRandomly(func(string) bool { return true }, 1, gsheetstest.FaultUnavailable)
	if st.Microsoft != nil {
		st.Microsoft.Graph.FailRandomly(func(string) bool { return true }, 1, graphtest.FaultUnavailable)
	}
	back := time.AfterFunc(q.outage, func() {
		st.Emulator.ClearFaults()
		if st.Microsoft != nil {
			st.Microsoft.Graph.ClearFaults()
		}
	})
	defer back.Stop()
	ended := time.Now().Add(q.outage)
	out, err := send(ds)
	if err != nil {
		return o, err
	}
	acks, failed := answered(out)
	o.Failed, o.AckP99 = failed, percentile(acks, 0.99)
	// Every message is written, or dead-lettered.
	if err := drain(ctx, ps, st.Queue.Pump, rec, q.giveUp); err != nil {
		return o, fmt.Errorf("outage: %w", err)
	}
	o.RecoverySeconds = round(time.Since(ended).Seconds())
	s := pump.Stats()
	o.FailedPushes, o.DeadLettered = s.Failed-p0.Failed, s.DeadLettered-p0.DeadLettered
	rows, err := rowsOf(st.Emulator, st.Ready.SpreadsheetID, "Orders", "order_id", gsheets.VersionHeader)
	if err != nil {
		return o, err
	}
	o.LostBeforeReplay, _ = lostAndDoubled(newest, rows)

	// scripts/replay's code, once the spreadsheet is back, as an operator
	// runs it: again while dead letters are left (a replayed message may
	// run out of its attempts again when the machine stalls for longer
	// than the writer's push deadline), at most 5 times.
	t0 := time.Now()
	for o.ReplayRounds < 5 {
		o.ReplayRounds++
		t, err := deadletter.Move(ctx, st.Queue.Server.Client, deadletter.Options{Project: pubsubtest.Project,
			Subscription: localstack.DeadLetterSubscription, Topic: localstack.Topic, Batch: 1000, Wait: 2 * time.Second}, io.Discard)
		if err != nil {
			return o, fmt.Errorf("replay: %w", err)
		}
		o.Replayed += t.Moved
		if o.ReplayRounds == 1 {
			o.ReplaySeconds = round(time.Since(t0).Seconds())
		}
		if err := drain(ctx, ps, st.Queue.Pump, rec, q.giveUp); err != nil {
			return o, fmt.Errorf("replayed: %w", err)
		}
		if o.ReplayRounds == 1 {
			o.ReplayToRowsSec = round(time.Since(t0).Seconds())
		}
		left, err := deadletter.Move(ctx, st.Queue.Server.Client, deadletter.Options{Project: pubsubtest.Project, DryRun: true,
			Subscription: localstack.DeadLetterSubscription, Topic: localstack.Topic, Wait: time.Second}, io.Discard)
		if err != nil {
			return o, err
		}
		o.LeftBy = left.By
		if o.LeftDeadLetters = left.Total; left.Total == 0 {
			break
		}
	}
	if rows, err = rowsOf(st.Emulator, st.Ready.SpreadsheetID, "Orders", "order_id", gsheets.VersionHeader); err != nil {
		return o, err
	}
	o.Lost, o.Doubled = lostAndDoubled(newest, rows)
	// The other destinations: none of their orders at another version
	// than the newest, none doubled.
	for _, name := range destinationsOf(st)[1:] {
		kind := st.Config.Destinations[name].Kind
		held, err := heldRows(st, name, kind)
		if err != nil {
			return o, fmt.Errorf("destination %s: %w", name, err)
		}
		stale, doubled := staleAndDoubled(newest, held)
		o.Lost, o.Doubled = o.Lost+stale, o.Doubled+doubled
	}
	return o, nil
}

// printQueueTable prints the queued run: each steady run, queued beside
// direct for the first, then the outage.
func printQueueTable(w io.Writer, f figures) {
	mode := "full"
	if f.Quick {
		mode = "quick"
	}
	q := f.Queue
	fmt.Fprintf(w, "\nSafeview bench, queued mode (%s run, %s): Sheets latency %.0f ms, Google's default quotas (%d writes/min/user)\n\n",
		mode, f.Date, f.LatencyMS, f.WriteQuota)
	row := func(name, a, b, target string) { fmt.Fprintf(w, "  %-44s %16s %16s   %s\n", name, a, b, target) }
	for i, r := range q.Runs {
		fmt.Fprintf(w, "  %d events a minute (%d events, %d orders)\n", r.PerMinute, r.Events, r.Orders)
		direct := func(v string) string {
			if i == 0 && f.BaselineAckP99 > 0 {
				return v
			}
			return "-"
		}
		row("", "queued", "direct", "target")
		row("ack p50 (ms)", fmt.Sprint(r.AckP50), direct(fmt.Sprint(f.BaselineAckP50)), "")
		row("ack p99 (ms)", fmt.Sprint(r.AckP99), direct(fmt.Sprint(f.BaselineAckP99)), "<= 100")
		row("receipt to row p50 (ms)", fmt.Sprint(r.ReceiptToRow50), direct(fmt.Sprint(f.BaselineReceiptToRowP50)), "")
		row("receipt to row p95 (ms)", fmt.Sprint(r.ReceiptToRow95), direct(fmt.Sprint(f.BaselineReceiptToRowP95)), fmt.Sprintf("%.0f predicted", r.PredictedP95))
		row("write requests per event", fmt.Sprintf("%.3f", r.WritesPerEvent), direct(fmt.Sprintf("%.3f", f.BaselineWritesPerEvent)), "")
		row("most write requests in any 60 s, one account", fmt.Sprint(r.MaxWrites60s), direct(fmt.Sprint(f.BaselineMaxWrites60s)), fmt.Sprintf("<= %d", f.WriteQuota))
		row("most write requests in any 60 s, project", fmt.Sprint(r.ProjectMaxWrites60s), "-", fmt.Sprintf("<= %d", gsheetstest.GoogleQuotas().WriteRequestsPerMinutePerProject))
		row("pushes failed (timed out), pushed again", fmt.Sprint(r.FailedPushes), "-", "")
		row("429 answers from Sheets", fmt.Sprint(r.RateLimited), direct(fmt.Sprint(f.BaselineRateLimited)), "")
		row("events failed, lost, doubled", fmt.Sprintf("%d, %d, %d", r.Failed, r.Lost, r.Doubled),
			direct(fmt.Sprintf("%d, %d, %d", f.BaselineFailed, f.BaselineLost, f.BaselineDoubled)), "0, 0, 0")
		row("dead-lettered (out of attempts)", fmt.Sprint(r.DeadLettered), "-", "0")
		row("all written, after the last event (s)", fmt.Sprint(r.DrainSeconds), "-", "")
		fmt.Fprintln(w)
		printDests(w, r.Dests)
		fmt.Fprintln(w)
	}
	if o := q.Outage; o.Events > 0 {
		printOutage(w, o, row)
	}
	fmt.Fprintf(w, "\n  (%0.f s in all", f.TotalSeconds)
	if f.Stalls > 0 {
		fmt.Fprintf(w, "; the process stalled %d times, up to %.0f ms: the machine was busy, take these figures with care", f.Stalls, f.LongestStall)
	}
	fmt.Fprintf(w, ")\n\n")
}

// printOutage prints the outage run's table.
func printOutage(w io.Writer, o outageFigures, row func(name, a, b, target string)) {
	fmt.Fprintf(w, "  outage: every destination answers 503 for %.0f s while %d events arrive (%d orders); backoff %.0f ms to %.0f ms, %d attempts\n",
		o.Seconds, o.Events, o.Orders, o.MinBackoffMS, o.MaxBackoffMS, o.Attempts)
	row("ack p99 (ms)", fmt.Sprint(o.AckP99), "", "<= 100")
	row("events failed (not queued)", fmt.Sprint(o.Failed), "", "0")
	row("pushes failed, then retried", fmt.Sprint(o.FailedPushes), "", "")
	row("dead-lettered (out of attempts)", fmt.Sprint(o.DeadLettered), "", "")
	row("orders not at their newest, before replay", fmt.Sprint(o.LostBeforeReplay), "", "the dead letters'")
	row("all written or dead, after the outage (s)", fmt.Sprint(o.RecoverySeconds), "", "")
	row("replayed; replay (s); until in the sheet (s)", fmt.Sprintf("%d; %.1f; %.1f", o.Replayed, o.ReplaySeconds, o.ReplayToRowsSec), "", "")
	row("replay runs", fmt.Sprint(o.ReplayRounds), "", "1")
	row("left in the dead-letter topic", fmt.Sprint(o.LeftDeadLetters), "", "0")
	for _, k := range slices.Sorted(maps.Keys(o.LeftBy)) {
		row("  "+k, fmt.Sprint(o.LeftBy[k]), "", "")
	}
	row("orders lost, rows doubled", fmt.Sprintf("%d, %d", o.Lost, o.Doubled), "", "0, 0")
}
