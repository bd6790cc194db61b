package webhookfn

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// A refund delivered before its order's creation: the filter (paid orders
// only) keeps the refund out, and the older paid version must not enter
// after it (issue 11: the row said "paid" for ever, 10 of 10).
func TestRefundBeforeItsOrder(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		id := fmt.Sprintf("70%02d", i)
		if r := s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", t0.Add(time.Hour), "refunded"); r.answer.Result != "filtered" {
			t.Fatalf("refund of %s = %s, want filtered", id, r.body)
		}
		if r := s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", t0, "paid"); r.answer.Result != "stale" {
			t.Fatalf("older paid version of %s = %s, want stale", id, r.body)
		}
	}
	if rows := s.table("Orders"); len(rows) != 0 {
		t.Errorf("refunded orders entered the sheet: %v", keysOf(rows))
	}
}

// A storm of deliveries in the worst order: each order is created
// pending, then paid, then refunded, and the three deliveries of 30
// orders arrive shuffled and at once. Whatever the order, the sheet never
// shows a version older than the newest delivered: each order is absent,
// or refunded; never paid.
func TestShuffledStormShowsNoOlderVersion(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	type delivery struct {
		id, status string
		at         time.Time
	}
	var all []delivery
	for i := range 30 {
		id := fmt.Sprintf("80%02d", i)
		all = append(all, delivery{id, "pending", t0}, delivery{id, "paid", t0.Add(time.Minute)}, delivery{id, "refunded", t0.Add(2 * time.Minute)})
	}
	r := rand.New(rand.NewPCG(11, 5))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var wg sync.WaitGroup
	for _, d := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := s.sendOrder(d.id, "john@example.com", "cafe-demo.myshopify.com", d.at, d.status); got.status != http.StatusOK {
				t.Errorf("order %s %s = %d %s", d.id, d.status, got.status, got.body)
			}
		}()
	}
	wg.Wait()
	for id, row := range s.table("Orders") {
		if row["status"] != "refunded" {
			t.Errorf("order %s shows %q, want refunded (its newest version) or no row", id, row["status"])
		}
	}
}
