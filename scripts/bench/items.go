package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/items/itemstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
)

// itemsLatency is the latency of the fake platform APIs line items are
// read from (issue: "against fakes with 150 ms latency").
const itemsLatency = 150 * time.Millisecond

// itemsRun is what the line-items run measured: the calm deliveries again,
// as Stripe Checkout orders whose line items are read from a fake API with
// itemsLatency. A new order's first delivery calls the API; the later
// deliveries of an order find its items in the cache and call nothing:
// they are the baseline of the same run, on the same sheet and quota.
type itemsRun struct {
	callsPerEvent float64
	readP50       float64 // receipt→row of the deliveries that called the API
	readP95       float64
	cachedP50     float64 // of those that did not
	cachedP95     float64
	failed        int
	withoutItems  int // rows left without items
}

// measureItems runs the calm deliveries through the function's handler
// with the raised quota (see calmRaised: the quota would otherwise hide
// 150 ms in a wait of up to a second for a write slot).
func measureItems(ctx context.Context, st *localstack.Stack, emuOpts []gsheetstest.Option, p params) (itemsRun, error) {
	const firstOrder = 10_000_000
	ds := calm(p.calmEvents, p.calmRate, firstOrder)
	api := itemstest.New("rk_test_bench_items")
	defer api.Close()
	api.Demo()
	api.Faults(itemsLatency, 0, 0)

	emu, cfg, svc, err := raisedSheet(ctx, st, emuOpts, "Safeview (line items)")
	if err != nil {
		return itemsRun{}, err
	}
	defer emu.Close()
	cfg.Sources = map[string]*config.Source{}
	for name, src := range st.Config.Sources {
		cfg.Sources[name] = src
	}
	stripe := *st.Config.Sources["stripe"]
	stripe.Items = &config.Items{Secret: "bench-stripe-items"}
	cfg.Sources["stripe"] = &stripe
	// The stack's demo secrets (in the environment), and the key of the
	// fake API.
	res := secrets.Map{"bench-stripe-items": {"rk_test_bench_items"}}
	for _, name := range st.Config.SecretNames() {
		res[name] = []string{os.Getenv(secrets.EnvName(name))}
	}
	h, err := webhookfn.New(ctx, webhookfn.Deps{Config: &cfg, Secrets: res, Sheets: svc, Logger: logging.Default(), ItemsEndpoint: api.URL})
	if err != nil {
		return itemsRun{}, err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	send := stripeSender(srv.URL, st.Ready.Sources["stripe"].Secret).send
	// The first delivery indexes the tabs: a cold start, not calm.
	warm := delivery{order: strconv.Itoa(firstOrder - 1), version: ds[0].version, topic: "orders/create"}
	if status, res, _, err := send(ctx, warm); err != nil || status != http.StatusOK {
		return itemsRun{}, fmt.Errorf("warm-up delivery: status %d %s, %v", status, res, err)
	}
	before := len(api.Requests())
	out := replay(ctx, ds, send, p.retryCap, p.giveUp)
	var r itemsRun
	var read, cached []time.Duration
	for i, o := range out {
		switch {
		case o.status != http.StatusOK:
			r.failed++
		case ds[i].kind == "create":
			read = append(read, o.receiptRow)
		default:
			cached = append(cached, o.receiptRow)
		}
	}
	r.callsPerEvent = round(float64(len(api.Requests())-before) / float64(len(ds)))
	r.readP50, r.readP95 = percentile(read, 0.50), percentile(read, 0.95)
	r.cachedP50, r.cachedP95 = percentile(cached, 0.50), percentile(cached, 0.95)
	rows, err := emu.Snapshot(cfg.Spreadsheet.ID, "Orders")
	if err != nil {
		return r, err
	}
	col := -1
	for i, h := range rows[0] {
		if h == "items" {
			col = i
		}
	}
	for _, row := range rows[1:] {
		if col < 0 || col >= len(row) || row[col] == "" {
			r.withoutItems++
		}
	}
	return r, nil
}

// stripeSender posts the calm deliveries as a Stripe Checkout payment: a
// new order is its checkout.session.completed, an update the
// payment_intent.succeeded of the same payment.
func stripeSender(base, secret string) *webhookSender {
	w := newWebhookSender(base, secret)
	w.url, w.platform = base+"/stripe", "stripe"
	w.topic = func(d delivery) string {
		if d.topic == "orders/create" {
			return "checkout.session.completed"
		}
		return "payment_intent.succeeded"
	}
	return w
}
