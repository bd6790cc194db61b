package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/webhook"
)

// live is the webhook function on the fixture's spreadsheet: another
// instance, with its own sink, as deployed beside a backfill.
type live struct {
	t testing.TB
	h *webhookfn.Handler
}

func (f *fixture) live() *live {
	f.t.Helper()
	cfg := *f.cfg
	cfg.Spreadsheet.ID = f.id
	res, err := secrets.LoadFile(f.secrets)
	if err != nil {
		f.t.Fatal(err)
	}
	svc, err := f.emu.Service(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	graph, err := f.excel.Options(res)
	if err != nil {
		f.t.Fatal(err)
	}
	h, err := webhookfn.New(context.Background(), webhookfn.Deps{Config: &cfg, Secrets: res, Sheets: svc, Graph: &graph, Logger: logging.New(&syncBuffer{}, slog.LevelInfo)})
	if err != nil {
		f.t.Fatal(err)
	}
	return &live{t: f.t, h: h}
}

// deliver posts a signed Shopify order webhook as the platform does: again
// while the answer is 503.
func (l *live) deliver(body []byte, id string) string {
	for range 50 {
		req := httptest.NewRequest(http.MethodPost, "/shopify", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(platform.ShopifyTopicHeader, "orders/updated")
		req.Header.Set(platform.ShopifyShopDomainHeader, store)
		req.Header.Set(platform.ShopifyEventIDHeader, id)
		req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(webhookSecret, body))
		rec := httptest.NewRecorder()
		l.h.ServeHTTP(rec, req)
		var a struct{ Result, Error string }
		_ = json.Unmarshal(rec.Body.Bytes(), &a)
		if rec.Code != http.StatusServiceUnavailable {
			if rec.Code != http.StatusOK {
				l.t.Errorf("delivery %s: %d %s", id, rec.Code, a.Error)
			}
			return a.Result
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Errorf("delivery %s: 503 fifty times", id)
	return ""
}

// merged is the note of rows merged at the end of a run, if any.
func merged(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "merged ") {
			return line
		}
	}
	return "no rows merged"
}

// update is a live delivery of order i of the generated files: its
// webhook body, paid, updated at the given time.
type update struct {
	id      string
	body    []byte
	version int64
}

// updates reads the generated webhook bodies of orders and dates each
// the given time after the order's creation.
func updates(t testing.TB, path string, orders []int, after time.Duration) []update {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	var out []update
	for _, i := range orders {
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(lines[i]))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		at := exporttest.Start.Add(time.Duration(i)*time.Minute + after)
		doc["financial_status"] = "paid"
		doc["cancelled_at"] = nil
		doc["updated_at"] = at.Format(time.RFC3339)
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, update{id: fmt.Sprint(doc["id"]), body: body, version: at.UnixMicro()})
	}
	return out
}

// While the function takes live deliveries for some of the same orders
// (newer than the export) and for new ones, the backfill runs on the same
// spreadsheet. Two writers, each with its own index: before adding a key
// it does not know, each looks at the row below its last keyed row, and a
// key there (the other's) makes it index the tab again, so that an order
// the other added is updated, not added twice. What both add within one
// round trip is merged when a tab is indexed, which the backfill does once
// more at its end: every order is then on one row, at its newest version,
// with the same customer_ref from either side; and so it stays when the
// function's instance, whose index predates the backfill, updates
// backfilled orders.
func TestBesideLiveWebhooks(t *testing.T) {
	t.Parallel()
	n := 2000
	if raceEnabled {
		n = 800
	}
	f := newFixture(t)
	path, sum := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: n})
	bodies, _ := f.export(exporttest.Spec{Format: export.JSONL, Records: n + 100, CountOnly: true})
	want, _ := expected(t, path)

	// Orders updated live, newer than the export (paid orders only: an
	// order the filter refuses never enters, backfilled or not); and new
	// orders the export does not have.
	rng := rand.New(rand.NewPCG(7, 7))
	var during, later, fresh []int
	for i := range n {
		if i%10 == 0 || i%10 == 4 {
			if rng.IntN(3) == 0 {
				later = append(later, i)
			} else {
				during = append(during, i)
			}
		}
	}
	for i := n; i < n+100; i++ {
		fresh = append(fresh, i)
	}
	rng.Shuffle(len(during), func(i, j int) { during[i], during[j] = during[j], during[i] })
	all := append(append(updates(t, bodies, during, time.Hour), updates(t, bodies, fresh, time.Hour)...), updates(t, bodies, later, 2*time.Hour)...)
	nDuring := len(during) + len(fresh)
	for _, u := range all[:nDuring] {
		want[u.id] = row{version: u.version, status: "paid"}
	}

	fn := f.live()
	// The function has indexed the tab before the backfill starts, as a
	// deployed function has.
	fn.deliver(all[nDuring-1].body, "first")

	// The live deliveries start when a quarter of the export is done, and
	// have all been answered before the last quarter is: the backfill and
	// the function write at once in between.
	var deliveries sync.WaitGroup
	var startLive, awaitLive sync.Once
	hook := func(done int) {
		if done >= n/4 {
			startLive.Do(func() {
				for _, u := range all[:nDuring-1] {
					deliveries.Go(func() { fn.deliver(u.body, "during-"+u.id) })
				}
			})
		}
		if done >= 3*n/4 {
			awaitLive.Do(deliveries.Wait)
		}
	}
	res := f.run(context.Background(), deps{afterRecord: hook}, f.args(export.ShopifyCSV, path)...)
	if res.err != nil {
		t.Fatalf("backfill beside live deliveries: %v\n%s", res.err, res.stdout)
	}
	deliveries.Wait()
	lost, doubled := check(want, f.rows())
	if lost != 0 || doubled != 0 {
		t.Errorf("after the backfill: lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}

	// Updates of backfilled orders after the backfill ended, by the same
	// instance of the function, whose index predates the backfill: it
	// finds the backfilled rows below its last known row and indexes again.
	for _, u := range all[nDuring:] {
		fn.deliver(u.body, "later-"+u.id)
		want[u.id] = row{version: u.version, status: "paid"}
	}
	lostLater, doubledLater := check(want, f.rows())
	if lostLater != 0 || doubledLater != 0 {
		t.Errorf("after updates of backfilled orders by the function's old instance: lost=%d doubled=%d, want 0 and 0", lostLater, doubledLater)
	}

	// The next instance of the function (a deploy, a cold start) indexes
	// the tab, and finds nothing to merge.
	f.live().deliver(all[0].body, "after-restart")
	rows := f.rows()
	lost, doubled = check(want, rows)
	if lost != 0 || doubled != 0 {
		t.Errorf("after the function indexed again: lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}

	// The same customer gets the same pseudonym from the export and from
	// the webhook: every row's customer_ref is that of its order's email.
	keys, err := privacy.NewKeys([]byte(pseudonymKey))
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, c := range sum.Canaries {
		if strings.Contains(c, "@") {
			emails = append(emails, c)
		}
	}
	wrong := 0
	for id, rs := range rows {
		n, err := strconv.ParseUint(id, 10, 64)
		i := int(n - exporttest.FirstShopifyID)
		if err != nil || i < 0 || i >= len(emails) {
			continue // a fresh order: its email is not in the CSV's list
		}
		if got := rs[0].ref; got != keys.Pseudonym(privacy.DomainCustomer, emails[i]) {
			wrong++
		}
		if rs[0].store != store {
			t.Errorf("order %s: store %q, want %q", id, rs[0].store, store)
		}
	}
	if wrong != 0 {
		t.Errorf("%d rows have a customer_ref other than the pseudonym of their order's email", wrong)
	}
	fmt.Printf("beside live webhooks: %d records backfilled while %d live deliveries arrived: lost=0 doubled=0 at the end of the backfill (%s); %d updates of backfilled orders after it, by the same function instance: lost=%d doubled=%d\n",
		n, nDuring, strings.TrimSpace(merged(res.stderr)), len(all)-nDuring, lostLater, doubledLater)
}
