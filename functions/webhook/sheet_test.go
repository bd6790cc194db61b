package webhookfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// These tests print their figures (fmt.Printf, not t.Log) so that plain
// `go test` in this directory shows them; they assert outcomes, never
// durations.

// event is one delivery a platform makes: the same event id when it
// delivers the same event again.
type event struct {
	order   string
	version time.Time
	id      string
	body    []byte
	topic   string
}

// events builds deliveries for orders, each at versions 1..n (n random in
// [1, most]), plus exact duplicates, shuffled so that versions arrive out of
// order and updates before creates.
func events(t *testing.T, rng *rand.Rand, orders, most, total int) ([]event, map[string]int64) {
	return eventsWith(t, rng, orders, most, total, nil)
}

// eventsWith is events with each order's body changed by edit (nil
// changes nothing).
func eventsWith(t *testing.T, rng *rand.Rand, orders, most, total int, edit func(id string, doc map[string]any)) ([]event, map[string]int64) {
	t.Helper()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var out []event
	newest := map[string]int64{}
	for o := range orders {
		id := strconv.Itoa(900000 + o)
		var change func(doc map[string]any)
		if edit != nil {
			change = func(doc map[string]any) { edit(id, doc) }
		}
		for v := 1; v <= 1+rng.IntN(most); v++ {
			at := t0.Add(time.Duration(v) * time.Minute)
			topic := "orders/updated"
			if v == 1 {
				topic = "orders/create"
			}
			out = append(out, event{order: id, version: at, id: fmt.Sprintf("evt-%s-%d", id, v), topic: topic,
				body: shopifyOrder(t, order{id: id, updated: at, edit: change})})
			newest[id] = max(newest[id], at.UnixMicro())
		}
	}
	for len(out) < total {
		out = append(out, out[rng.IntN(len(out))]) // the same delivery again
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, newest
}

// stream delivers evs from workers at once, as a platform does: a
// delivery answered 503 is delivered again a little later (at most 50
// times). It returns the deliveries made, how many were 503s delivered
// again, and the count of each final answer ("200 written"...).
func (s *stack) stream(evs []event, workers int) (deliveries, redelivs int, answers map[string]int) {
	type job struct {
		e     event
		tries int
	}
	jobs := make(chan job, len(evs))
	for _, e := range evs {
		jobs <- job{e: e}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		pending sync.WaitGroup
	)
	answers = map[string]int{}
	pending.Add(len(evs))
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				status, result := s.deliver(j.e)
				mu.Lock()
				deliveries++
				mu.Unlock()
				switch {
				case status == http.StatusServiceUnavailable && j.tries < 50:
					mu.Lock()
					redelivs++
					mu.Unlock()
					// The platform delivers it again later.
					go func() {
						time.Sleep(20 * time.Millisecond)
						jobs <- job{e: j.e, tries: j.tries + 1}
					}()
				default:
					mu.Lock()
					answers[strconv.Itoa(status)+" "+result]++
					mu.Unlock()
					pending.Done()
				}
			}
		})
	}
	pending.Wait()
	close(jobs)
	wg.Wait()
	return deliveries, redelivs, answers
}

// deliver sends one delivery from any goroutine and returns the status
// and the result.
func (s *stack) deliver(e event) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/shopify", bytes.NewReader(e.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(platform.ShopifyTopicHeader, e.topic)
	req.Header.Set(platform.ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
	req.Header.Set(platform.ShopifyEventIDHeader, e.id)
	req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(testSecret, e.body))
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	var a answer
	_ = json.Unmarshal(rec.Body.Bytes(), &a)
	return rec.Code, a.Result + a.Error
}

// deliverUntilAnswered delivers e as a platform does: again, a little
// later, while the answer is 503. It returns the last answer and how many
// 503s came before it.
func (s *stack) deliverUntilAnswered(e event, most int) (status int, result string, retries int) {
	for {
		status, result = s.deliver(e)
		if status != http.StatusServiceUnavailable || retries == most {
			return status, result, retries
		}
		retries++
		time.Sleep(20 * time.Millisecond)
	}
}

// tally reads the Orders tab: the rows of each order and the version
// of its last row.
func (s *stack) tally() (rows map[string]int, versions map[string]int64) {
	s.t.Helper()
	return s.tallyOf(s.id)
}

// tallyOf is tally of the Orders tab of any spreadsheet of the stack.
func (s *stack) tallyOf(id string) (rows map[string]int, versions map[string]int64) {
	s.t.Helper()
	all, err := s.emu.Snapshot(id, "Orders")
	if err != nil {
		s.t.Fatal(err)
	}
	key, ver := slices.Index(all[0], "order_id"), slices.Index(all[0], gsheets.VersionHeader)
	rows, versions = map[string]int{}, map[string]int64{}
	for _, r := range all[1:] {
		if r[key] == "" {
			continue
		}
		rows[r[key]]++
		_, versions[r[key]], _ = gsheets.ParseVersion(r[ver])
	}
	return rows, versions
}

// lostAndDoubled compares the tab with the newest version of each order.
func lostAndDoubled(newest map[string]int64, rows map[string]int, versions map[string]int64) (lost, doubled int) {
	for id, v := range newest {
		if rows[id] == 0 || versions[id] != v {
			lost++
		}
		doubled += max(rows[id]-1, 0)
	}
	for id, n := range rows {
		if _, ok := newest[id]; !ok {
			doubled += n // a row for no order sent
		}
	}
	return lost, doubled
}

// 30% of the Sheets calls fail — 429s, 500s, dropped connections, answers
// lost after the write landed, calls that hang past their timeout — while
// 500 deliveries stream in. A delivery answered 503 is delivered again a
// little later, as the platform would. Every order ends on exactly one
// row, at its newest version.
func TestStreamUnderFaults(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, func(c *config.Config) {
		c.Limits.Deadline = config.Duration(time.Second)
		c.Sheet.RequestTimeout = config.Duration(150 * time.Millisecond)
		// The main spreadsheet alone: TestDestinationsUnderFaults has
		// the partners'.
		c.Destinations, c.DestinationNames = nil, nil
	}, gsheetstest.WithSeed(42))
	s.emu.SetSlowDelay(time.Second)
	// Five faults, 6% each, of every call: 30% in all.
	faults := []gsheetstest.Fault{gsheetstest.FaultRateLimit, gsheetstest.FaultInternal, gsheetstest.FaultDrop, gsheetstest.FaultLostResponse, gsheetstest.FaultSlow}
	left := 1.0
	for _, f := range faults {
		s.emu.FailRandomly(nil, 0.06/left, f)
		left -= 0.06
	}
	evs, newest := events(t, rand.New(rand.NewPCG(1, 2)), 150, 4, 500)
	deliveries, redelivs, answers := s.stream(evs, 16)
	s.emu.ClearFaults()

	rows, versions := s.tally()
	lost, doubled := lostAndDoubled(newest, rows, versions)
	st := s.emu.Stats()
	calls := st.Reads + st.Writes

	ss := s.handler.view.Stats()
	fmt.Printf("faults: %d deliveries of %d events for %d orders; %d of %d Sheets calls failed (%.0f%%); %d answered 503 and were delivered again; sink retried %d flushes; answers %v; lost=%d doubled=%d\n",
		deliveries, len(evs), len(newest), st.Faults, calls, 100*float64(st.Faults)/float64(calls), redelivs, ss.Retries, answers, lost, doubled)
	if lost != 0 || doubled != 0 {
		t.Errorf("lost=%d doubled=%d, want 0 and 0", lost, doubled)
	}
	for a := range answers {
		if a != "200 written" && a != "200 unchanged" && a != "200 stale" {
			t.Errorf("answer %q, want only 200 written, unchanged or stale once delivered again", a)
		}
	}
	if st.Faults < calls/5 {
		t.Errorf("only %d of %d calls failed: the faults were not injected", st.Faults, calls)
	}
}

// 200 deliveries at the same instant for 50 orders, duplicates and
// versions out of order among them: one row per order, at its newest
// version, and far fewer write requests than deliveries.
func TestConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	evs, newest := events(t, rand.New(rand.NewPCG(3, 4)), 50, 5, 200)
	if len(evs) != 200 {
		t.Fatalf("%d deliveries, want 200", len(evs))
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		answers  = map[string]int{}
		redelivs int
		start    = make(chan struct{})
	)
	for _, e := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// On a loaded machine some may miss the deadline: the
			// platform delivers them again.
			status, result, retries := s.deliverUntilAnswered(e, 50)
			mu.Lock()
			answers[strconv.Itoa(status)+" "+result]++
			redelivs += retries
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	rows, versions := s.tally()
	lost, doubled := lostAndDoubled(newest, rows, versions)
	st := s.emu.Stats()
	fmt.Printf("concurrency: %d deliveries at once for %d orders: %d rows, lost=%d doubled=%d; answers %v (%d delivered again after a 503); %d write requests (%.2f per delivery)\n",
		len(evs), len(newest), len(rows), lost, doubled, answers, redelivs, st.Writes, float64(st.Writes)/float64(len(evs)))
	if len(rows) != 50 || lost != 0 || doubled != 0 {
		t.Errorf("%d rows, lost=%d doubled=%d; want 50 rows, 0 and 0", len(rows), lost, doubled)
	}
	if n := answers["200 written"] + answers["200 unchanged"] + answers["200 stale"]; n != len(evs) {
		t.Errorf("answers %v, want 200 for every delivery", answers)
	}
}
