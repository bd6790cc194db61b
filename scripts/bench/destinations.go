package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/sheets/v4"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
)

// stores are the shops the partner runs spread their orders over: order
// n is store n mod stores's.
const stores = 4

// storeOf is the shop domain of an order of the partner runs.
func storeOf(order string) string {
	n, _ := strconv.Atoi(order)
	return fmt.Sprintf("store-%d.myshopify.com", n%stores)
}

// partnerFigures is the JSON line of a -destinations run: the burst's
// figures under the same keys as the main run's, for every destination
// together, then each destination's.
type partnerFigures struct {
	runInfo
	Stores       int `json:"stores"`
	Destinations int `json:"destinations"`

	WritesPerEvent  float64 `json:"writes_per_event"`
	ReadsPerEvent   float64 `json:"reads_per_event"`
	MaxWrites60s    int     `json:"max_writes_in_60s"` // the busiest account's
	ProjectMax60s   int     `json:"project_max_writes_in_60s"`
	ProjectQuota    int     `json:"project_write_quota_per_minute"`
	WriteQuota      int     `json:"write_quota_per_minute"`
	RateLimited     int     `json:"rate_limited"`
	Redelivered     int     `json:"redelivered_after_503"`
	Failed          int     `json:"failed"`
	Lost            int     `json:"lost"`
	Doubled         int     `json:"doubled"`
	ReceiptToRowP50 float64 `json:"receipt_to_row_p50_ms"`
	ReceiptToRowP95 float64 `json:"receipt_to_row_p95_ms"`
	ReceiptToRowP99 float64 `json:"receipt_to_row_p99_ms"`
	AckP50          float64 `json:"ack_p50_ms"`
	AckP99          float64 `json:"ack_p99_ms"`
	TotalSeconds    float64 `json:"total_seconds"`
	Stalls          int     `json:"process_stalls"`

	PerDestination []destinationFigures `json:"per_destination"`
}

// destinationFigures are one spreadsheet's figures; the main one is
// named "main".
type destinationFigures struct {
	Name         string `json:"name"`
	Where        string `json:"where"`
	Orders       int    `json:"orders"`
	Lost         int    `json:"lost"`
	Doubled      int    `json:"doubled"`
	Writes       int    `json:"write_requests"`
	MaxWrites60s int    `json:"max_writes_in_60s"`
	// Shown counts the deliveries whose version this spreadsheet showed
	// after their receipt (see sightings); the receipt-to-row figures are
	// theirs: when the row became visible in this spreadsheet.
	Shown  int     `json:"deliveries_shown"`
	RowP50 float64 `json:"receipt_to_row_p50_ms"`
	RowP95 float64 `json:"receipt_to_row_p95_ms"`
	RowP99 float64 `json:"receipt_to_row_p99_ms"`
	// AnswerP95 is the p95 of the answers of the deliveries of its orders,
	// which wait for every spreadsheet that takes the row.
	AnswerP95 float64 `json:"answer_p95_ms"`
	// The time between two of its write requests, while the burst lasts:
	// a row waits for the next one, then for the flush's round trips.
	FlushGapP50 float64 `json:"flush_interval_p50_ms"`
	FlushGapP95 float64 `json:"flush_interval_p95_ms"`
	FlushGapMax float64 `json:"flush_interval_max_ms"`
}

// measureDestinations runs the burst once for each count of partner
// destinations, each run on an emulator of its own with Google's quotas
// per account and per project. The function is its handler
// (webhookfn.New, what the functions framework serves), so that one
// process measures every count; each destination is written as its own
// quota user, as the deployed function writes it as its own account.
func measureDestinations(ctx context.Context, p params, counts []int, progress io.Writer) ([]partnerFigures, error) {
	var out []partnerFigures
	for _, n := range counts {
		fmt.Fprintf(progress, "bench: burst of %d events over %s across %d stores, main + %d destinations...\n", p.events, p.over, stores, n)
		f, err := measurePartners(ctx, p, n)
		if err != nil {
			return out, fmt.Errorf("%d destinations: %w", n, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func measurePartners(ctx context.Context, p params, n int) (partnerFigures, error) {
	began := time.Now()
	stalls := watchStalls(ctx)
	q := gsheetstest.GoogleQuotas()
	f := partnerFigures{runInfo: newRunInfo(began, p), Stores: stores, Destinations: n, WriteQuota: q.WriteRequestsPerMinutePerUser, ProjectQuota: q.WriteRequestsPerMinutePerProject}
	calls := &callLog{}
	opts := []gsheetstest.Option{gsheetstest.WithQuotas(q), gsheetstest.WithCallHook(calls.add)}
	if p.latency > 0 {
		opts = append(opts, gsheetstest.WithLatency(p.latency, 0))
	}
	emu := gsheetstest.Start(opts...)
	defer emu.Close()

	cfg, err := config.Load(localstack.DefaultConfig())
	if err != nil {
		return f, err
	}
	var tabs []string
	for _, t := range cfg.Tables {
		tabs = append(tabs, t.Tab)
	}
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("Safeview (bench)", tabs...)
	ids := map[string]string{"main": cfg.Spreadsheet.ID}
	wheres := map[string]string{"main": ""}
	cfg.Destinations, cfg.DestinationNames = map[string]*config.Destination{}, nil
	for i := range n {
		name := fmt.Sprintf("p%02d", i)
		store := fmt.Sprintf("store-%d.myshopify.com", i%stores)
		d := &config.Destination{Kind: config.KindGoogleSheets, Where: fmt.Sprintf("order.store == %q", store),
			Tables: map[string]*config.DestinationTable{"Orders": {Columns: withoutCustomerRef(cfg)}}}
		d.Spreadsheet.ID = emu.CreateSpreadsheet("Safeview – "+name, "Orders")
		cfg.Destinations[name], ids[name], wheres[name] = d, d.Spreadsheet.ID, store
		cfg.DestinationNames = append(cfg.DestinationNames, name)
	}
	svc, err := emu.ServiceAs(ctx, "function")
	if err != nil {
		return f, err
	}
	h, err := webhookfn.New(ctx, webhookfn.Deps{Config: cfg, Secrets: demoSecrets(cfg), Sheets: svc, Logger: logging.Default(),
		SheetsFor: func(ctx context.Context, name string) (*sheets.Service, error) {
			return emu.ServiceAs(ctx, "account-"+name)
		}})
	if err != nil {
		return f, err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	sender := newWebhookSender(srv.URL, demo.Secret("shopify"))
	sender.store = storeOf

	ds := burst(rand.New(rand.NewPCG(p.seed, p.seed+1)), p.events, p.over, 5_000_000)
	newest := newestOf(ds)
	f.Orders = len(newest)
	names := append([]string{"main"}, cfg.DestinationNames...)
	byID := map[string]string{}
	for _, name := range names {
		byID[ids[name]] = name
	}
	seen := newSightings(emu, "Orders", "order_id", byID)
	emu.ResetStats()
	calls.reset()
	emu.SetAppliedHook(seen.applied)
	res := replay(ctx, ds, sender.send, p.retryCap, p.giveUp)
	emu.SetAppliedHook(nil)
	if err := ctx.Err(); err != nil {
		return f, err
	}
	st := emu.Stats()
	f.WritesPerEvent = round(float64(st.Writes) / float64(len(ds)))
	f.ReadsPerEvent = round(float64(st.Reads) / float64(len(ds)))
	f.RateLimited = st.RateLimited
	t := tallyOf(res, nil)
	acks, r2r, redelivered, failed := t.acks, t.r2r, t.redelivered, t.failed
	f.Redelivered, f.Failed = redelivered, failed
	// A delivery is answered once every spreadsheet holds its row: the
	// answer's time bounds the row's time in each; each destination's
	// figures below are when the row became visible there.
	f.ReceiptToRowP50, f.ReceiptToRowP95, f.ReceiptToRowP99 = percentile(r2r, 0.50), percentile(r2r, 0.95), percentile(r2r, 0.99)
	f.AckP50, f.AckP99 = percentile(acks, 0.50), percentile(acks, 0.99)
	f.ProjectMax60s = gsheetstest.Busiest(calls.writes(""), time.Minute)

	for _, name := range names {
		want, user := newest, "function"
		if name != "main" {
			want, user = map[string]int64{}, "account-"+name
			for o, v := range newest {
				if storeOf(o) == wheres[name] {
					want[o] = v
				}
			}
		}
		rows, err := rowsOf(emu, ids[name], "Orders", "order_id", gsheets.VersionHeader)
		if err != nil {
			return f, fmt.Errorf("%s: %w", name, err)
		}
		df := destinationFigures{Name: name, Where: wheres[name], Orders: len(want), Writes: len(calls.writes(user)),
			MaxWrites60s: gsheetstest.Busiest(calls.writes(user), time.Minute)}
		df.Lost, df.Doubled = lostAndDoubled(want, rows)
		shown := seen.visible(name, ds, res, want)
		df.Shown = len(shown)
		df.RowP50, df.RowP95, df.RowP99 = percentile(shown, 0.50), percentile(shown, 0.95), percentile(shown, 0.99)
		df.AnswerP95 = percentile(rowTimes(ds, res, want), 0.95)
		gaps := gapsOf(calls.writes(user))
		df.FlushGapP50, df.FlushGapP95, df.FlushGapMax = percentile(gaps, 0.50), percentile(gaps, 0.95), percentile(gaps, 1)
		f.Lost, f.Doubled = f.Lost+df.Lost, f.Doubled+df.Doubled
		f.MaxWrites60s = max(f.MaxWrites60s, df.MaxWrites60s)
		f.PerDestination = append(f.PerDestination, df)
	}
	f.TotalSeconds = math.Round(time.Since(began).Seconds())
	f.Stalls, _ = stalls.get()
	return f, nil
}

// rowTimes are the receipt-to-row times of the deliveries of the orders
// a spreadsheet holds.
func rowTimes(ds []delivery, res []outcome, held map[string]int64) []time.Duration {
	var out []time.Duration
	for i, d := range ds {
		if _, ok := held[d.order]; ok && res[i].status == http.StatusOK {
			out = append(out, res[i].receiptRow)
		}
	}
	return out
}

// gapsOf returns the time between consecutive instants of ts.
func gapsOf(ts []time.Time) []time.Duration {
	s := slices.SortedFunc(slices.Values(ts), func(a, b time.Time) int { return a.Compare(b) })
	var out []time.Duration
	for i := 1; i < len(s); i++ {
		out = append(out, s[i].Sub(s[i-1]))
	}
	return out
}

// withoutCustomerRef is every column of the Orders table but
// customer_ref: a partner needs no repeat-customer id.
func withoutCustomerRef(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Tables {
		if t.Tab != "Orders" {
			continue
		}
		for _, c := range t.Columns {
			if c.Header != "customer_ref" {
				out = append(out, c.Header)
			}
		}
	}
	return out
}

// demoSecrets resolves the configuration's secrets to the demo ones.
type demoSecretsResolver map[string]string

func demoSecrets(cfg *config.Config) demoSecretsResolver {
	r := demoSecretsResolver{}
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		secret, _ := demo.SourceDemo(name, src, "")
		for _, s := range src.Secrets {
			r[s] = secret
		}
	}
	if k := cfg.Privacy.PseudonymKey; k != "" {
		r[k] = demo.PseudonymKey
	}
	return r
}

func (r demoSecretsResolver) Lookup(_ context.Context, name string) ([]string, error) {
	if v, ok := r[name]; ok {
		return []string{v}, nil
	}
	return nil, fmt.Errorf("%w: %s", secrets.ErrNotFound, name)
}

// callLog records the emulator's calls: who wrote when, and who was
// refused.
type callLog struct {
	mu    sync.Mutex
	calls []gsheetstest.Call
}

func (c *callLog) add(call gsheetstest.Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

func (c *callLog) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
}

// writes are the times of user's write requests; "" for everyone's.
func (c *callLog) writes(user string) []time.Time {
	return c.writesIf(func(call gsheetstest.Call) bool { return user == "" || call.User == user })
}

// writesIf are the times of the write requests keep accepts.
func (c *callLog) writesIf(keep func(gsheetstest.Call) bool) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Time
	for _, call := range c.calls {
		if call.Write && keep(call) {
			out = append(out, call.At)
		}
	}
	return out
}

// printPartners prints the table of -destinations runs.
func printPartners(w io.Writer, fs []partnerFigures) {
	for _, f := range fs {
		fmt.Fprintf(w, "\nSafeview bench, partner views (%s): %d events for %d orders over %.0f s across %d stores, main + %d destinations, Sheets latency %.0f ms, Google's quotas (%d writes/min per account, %d per project)\n\n",
			f.Date, f.Events, f.Orders, f.OverS, f.Stores, f.Destinations, f.LatencyMS, f.WriteQuota, f.ProjectQuota)
		row := func(name, v, target string) { fmt.Fprintf(w, "  %-46s %16s   %s\n", name, v, target) }
		row("", "Safeview", "target")
		row("write requests per event (all spreadsheets)", fmt.Sprintf("%.3f", f.WritesPerEvent), "")
		row("most write requests in any 60 s, one account", fmt.Sprint(f.MaxWrites60s), fmt.Sprintf("<= %d", f.WriteQuota))
		row("most write requests in any 60 s, project", fmt.Sprint(f.ProjectMax60s), fmt.Sprintf("< %d", f.ProjectQuota))
		row("429 answers from Sheets", fmt.Sprint(f.RateLimited), "")
		row("events failed (never written)", fmt.Sprint(f.Failed), "0")
		row("orders lost, all spreadsheets", fmt.Sprint(f.Lost), "0")
		row("rows doubled, all spreadsheets", fmt.Sprint(f.Doubled), "0")
		row("deliveries answered 503, sent again", fmt.Sprint(f.Redelivered), "")
		row("receipt to row p50 (ms)", fmt.Sprint(f.ReceiptToRowP50), "")
		row("receipt to row p95 (ms)", fmt.Sprint(f.ReceiptToRowP95), "<= 1500 (5 spreadsheets)")
		row("ack p99 (ms)", fmt.Sprint(f.AckP99), "")
		fmt.Fprintf(w, "\n  receipt to row visible in each spreadsheet (deliveries that changed it), and the answers of its orders' deliveries:\n")
		fmt.Fprintf(w, "\n  %-6s %-22s %7s %5s %8s %7s %12s %7s %9s %9s %9s %11s %15s\n", "", "where", "orders", "lost", "doubled", "writes", "max in 60 s", "shown", "p50 (ms)", "p95 (ms)", "p99 (ms)", "answer p95", "flush gap p50/p95/max")
		for _, d := range f.PerDestination {
			where := d.Where
			if where == "" {
				where = "(every order)"
			}
			fmt.Fprintf(w, "  %-6s %-22s %7d %5d %8d %7d %12d %7d %9.0f %9.0f %9.0f %11.0f %7.0f/%.0f/%.0f\n", d.Name, strings.TrimSuffix(where, ".myshopify.com"), d.Orders, d.Lost, d.Doubled, d.Writes, d.MaxWrites60s, d.Shown, d.RowP50, d.RowP95, d.RowP99, d.AnswerP95, d.FlushGapP50, d.FlushGapP95, d.FlushGapMax)
		}
		fmt.Fprintf(w, "\n  (%0.f s", f.TotalSeconds)
		if f.Stalls > 0 {
			fmt.Fprintf(w, "; the process stalled %d times: the machine was busy, take these figures with care", f.Stalls)
		}
		fmt.Fprintf(w, ")\n")
	}
	if len(fs) > 1 {
		fmt.Fprintf(w, "\n  curve: %-14s %10s %10s %10s %6s %8s\n", "destinations", "p50 (ms)", "p95 (ms)", "p99 (ms)", "lost", "doubled")
		for _, f := range fs {
			fmt.Fprintf(w, "         %-14d %10.0f %10.0f %10.0f %6d %8d\n", f.Destinations, f.ReceiptToRowP50, f.ReceiptToRowP95, f.ReceiptToRowP99, f.Lost, f.Doubled)
		}
	}
	fmt.Fprintln(w)
}

// parseCounts reads -destinations: counts separated by commas.
func parseCounts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 50 {
			return nil, fmt.Errorf("-destinations %q: want counts from 1 to 50 separated by commas, such as 4 or 1,5,10,20", s)
		}
		out = append(out, n)
	}
	return slices.Clip(out), nil
}
