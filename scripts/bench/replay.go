package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// outcome is what happened to one delivery.
type outcome struct {
	acks       []time.Duration // each HTTP exchange, 503s included
	receiptRow time.Duration   // from its first receipt to the answer that says it is in the sheet
	due        time.Time       // its first receipt
	status     int             // the last answer
	result     string
	err        error
}

// replay sends each delivery at its time and waits for them all. send
// delivers once; a delivery answered 503 is delivered again after the
// answer's Retry-After (at most retryCap), as a platform would, until
// giveUp after its first receipt.
//
// It is open-loop: deliveries are due at their time whatever the answers
// to earlier ones, as a platform sends them. At most senderConns are in
// flight (each holds a connection); a delivery due while all are busy
// waits, and its first ack time counts from when it was due, so that
// the wait is not hidden.
func replay(ctx context.Context, ds []delivery, send func(context.Context, delivery) (int, string, time.Duration, error), retryCap, giveUp time.Duration) []outcome {
	out := make([]outcome, len(ds))
	start := time.Now()
	type job struct {
		i    int
		from time.Time // when it was due, or due again
	}
	jobs := make(chan job, len(ds))
	var pending sync.WaitGroup // deliveries not settled
	pending.Add(len(ds))
	var workers sync.WaitGroup
	for range min(senderConns, len(ds)) {
		workers.Go(func() {
			for j := range jobs {
				d, o := ds[j.i], &out[j.i]
				due := start.Add(d.at)
				o.due = due
				status, result, retry, err := send(ctx, d)
				o.acks = append(o.acks, time.Since(j.from))
				o.status, o.result, o.err = status, result, err
				if status != http.StatusServiceUnavailable || time.Since(due) > giveUp || ctx.Err() != nil {
					o.receiptRow = time.Since(due)
					pending.Done()
					continue
				}
				wait := min(retry, retryCap)
				time.AfterFunc(wait, func() { jobs <- job{j.i, time.Now()} })
			}
		})
	}
	for i, d := range ds {
		due := start.Add(d.at)
		if w := time.Until(due); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
			}
		}
		jobs <- job{i, due}
	}
	pending.Wait()
	close(jobs)
	workers.Wait()
	return out
}

// webhookSender posts signed deliveries of a platform's built-in sample
// (Shopify's unless said) to the local function.
type webhookSender struct {
	client   *http.Client
	url      string
	secret   string
	platform string
	topic    func(delivery) string // the platform's topic of a delivery
	// store, when set, is the shop of an order (the partner runs);
	// else every order is the demo shop's.
	store   func(order string) string
	samples samples
}

func newWebhookSender(base, secret string) *webhookSender {
	return &webhookSender{client: &http.Client{Transport: newSenderTransport(), Timeout: 60 * time.Second}, url: base + "/shopify", secret: secret,
		platform: "shopify", topic: func(d delivery) string { return d.topic }}
}

func (w *webhookSender) send(ctx context.Context, d delivery) (int, string, time.Duration, error) {
	status := "paid"
	if w.platform != "shopify" {
		status = "" // the platform's own word for paid
	}
	o := demo.SampleOptions{Topic: w.topic(d), OrderID: d.order, Status: status, Updated: d.version}
	if w.store != nil {
		o.Store = w.store(d.order)
	}
	s, err := w.samples.build(w.platform, o)
	if err != nil {
		return 0, "", 0, err
	}
	if err := demo.Sign(w.platform, w.secret, "", &s); err != nil {
		return 0, "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(s.Body))
	if err != nil {
		return 0, "", 0, err
	}
	req.Header = s.Header
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, "", 0, err
	}
	defer resp.Body.Close()
	var a struct {
		Result string `json:"result"`
		Error  string `json:"error"`
	}
	body, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(body, &a)
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, a.Result + a.Error, time.Duration(retry) * time.Second, nil
}

// baseline is the naive writer peers use (n8n's and Zapier's "create or
// update row"): for each event, as it comes, read the key column to find
// the row, then update that row or append one. No versions, no batching,
// no retry: a 429 fails the event.
type baseline struct {
	svc *sheets.Service
	id  string
	tab string
}

// baselineHeader is the baseline's tab: the key, a status, the version
// (written, never compared).
var baselineHeader = []any{"order_id", "status", "version"}

func (b *baseline) send(ctx context.Context, d delivery) (int, string, time.Duration, error) {
	if err := b.upsert(ctx, d.order, "paid", d.version.UnixMicro()); err != nil {
		return 0, "", 0, err
	}
	return http.StatusOK, "written", 0, nil
}

func (b *baseline) upsert(ctx context.Context, key, status string, version int64) error {
	col, err := b.svc.Spreadsheets.Values.Get(b.id, gsheets.QuoteTab(b.tab)+"!A:A").Context(ctx).Do()
	if err != nil {
		return err
	}
	values := []any{key, status, strconv.FormatInt(version, 10)}
	for i, r := range col.Values {
		if i > 0 && len(r) > 0 && fmt.Sprint(r[0]) == key {
			rng := gsheets.QuoteTab(b.tab) + "!A" + strconv.Itoa(i+1)
			_, err := b.svc.Spreadsheets.Values.Update(b.id, rng, &sheets.ValueRange{Values: [][]any{values}}).
				ValueInputOption("RAW").Context(ctx).Do()
			return err
		}
	}
	_, err = b.svc.Spreadsheets.Values.Append(b.id, gsheets.QuoteTab(b.tab)+"!A:C", &sheets.ValueRange{Values: [][]any{values}}).
		ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Context(ctx).Do()
	return err
}

// rowsOf reads a tab as the team sees it and returns, for each key, the
// versions of its rows.
func rowsOf(emu *gsheetstest.Server, id, tab, keyHeader, versionHeader string) (map[string][]int64, error) {
	all, err := emu.Snapshot(id, tab)
	if err != nil {
		return nil, err
	}
	return versionsByKey(all, tab, keyHeader, versionHeader)
}

// versionsByKey returns, for each key of a table read as text (its
// header first), the versions of its rows; rows without a key (the
// team's, Excel's first empty one) are left out.
func versionsByKey(all [][]string, name, keyHeader, versionHeader string) (map[string][]int64, error) {
	out := map[string][]int64{}
	if len(all) == 0 {
		return out, nil
	}
	key, ver := slices.Index(all[0], keyHeader), slices.Index(all[0], versionHeader)
	if key < 0 || ver < 0 {
		return nil, fmt.Errorf("table %q lacks %s or %s", name, keyHeader, versionHeader)
	}
	for _, r := range all[1:] {
		if r[key] == "" {
			continue
		}
		// Excel's hidden version cell is "source:version" too.
		_, v, _ := gsheets.ParseVersion(r[ver])
		out[r[key]] = append(out[r[key]], v)
	}
	return out, nil
}

// tally is what the outcomes of a burst add up to, Safeview's and the
// baseline's.
type tally struct {
	acks, r2r, br2r                 []time.Duration
	redelivered, failed, baseFailed int
}

func tallyOf(safe, naive []outcome) tally {
	var t tally
	for _, o := range safe {
		t.acks = append(t.acks, o.acks...)
		t.redelivered += len(o.acks) - 1
		if o.status == http.StatusOK {
			t.r2r = append(t.r2r, o.receiptRow)
		} else {
			t.failed++
		}
	}
	for _, o := range naive {
		if o.err != nil {
			t.baseFailed++
			continue
		}
		t.br2r = append(t.br2r, o.receiptRow)
	}
	return t
}
