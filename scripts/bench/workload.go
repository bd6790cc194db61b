package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// delivery is one webhook a platform sends: an order at a version, at
// an offset from the start of the run.
type delivery struct {
	order   string
	version time.Time // the order's updated_at; the sink's version is its microseconds
	topic   string
	at      time.Duration
	kind    string // create, update, late, duplicate
}

// Shares of a burst, from the issue: 20% duplicates, 10% out of order,
// 30% updates; the rest are new orders.
const (
	shareDuplicate = 0.20
	shareLate      = 0.10
	shareUpdate    = 0.30
)

// burst builds n deliveries spread evenly over d: new orders, updates
// (a newer version of an order already sent), late deliveries (an older
// version than one already sent, as when a platform's retries cross) and
// duplicates (a delivery sent again, byte for byte).
func burst(rng *rand.Rand, n int, d time.Duration, firstOrder int) []delivery {
	base := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var out []delivery
	var orders []string
	newest := map[string]time.Time{}
	for i := range n {
		at := time.Duration(float64(d) * float64(i) / float64(n))
		p := rng.Float64()
		switch {
		case len(out) > 0 && p < shareDuplicate:
			dup := out[len(out)-1-rng.IntN(min(len(out), 50))]
			dup.at, dup.kind = at, "duplicate"
			out = append(out, dup)
		case len(orders) > 0 && p < shareDuplicate+shareLate:
			o := orders[rng.IntN(len(orders))]
			// Older than the newest version sent, newer than nothing the
			// sheet needs: it must answer stale.
			out = append(out, delivery{order: o, version: newest[o].Add(-30 * time.Second), topic: "orders/updated", at: at, kind: "late"})
		case len(orders) > 0 && p < shareDuplicate+shareLate+shareUpdate:
			o := orders[rng.IntN(len(orders))]
			newest[o] = newest[o].Add(time.Minute)
			out = append(out, delivery{order: o, version: newest[o], topic: "orders/updated", at: at, kind: "update"})
		default:
			o := strconv.Itoa(firstOrder + len(orders))
			orders = append(orders, o)
			newest[o] = base.Add(time.Duration(len(orders)) * time.Second)
			out = append(out, delivery{order: o, version: newest[o], topic: "orders/create", at: at, kind: "create"})
		}
	}
	return out
}

// calm builds n deliveries at rate per second: new orders, and an update
// of an earlier one every third delivery.
func calm(n int, rate float64, firstOrder int) []delivery {
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var out []delivery
	for i := range n {
		at := time.Duration(float64(time.Second) * float64(i) / rate)
		if i%3 == 2 {
			prev := out[i-2]
			out = append(out, delivery{order: prev.order, version: prev.version.Add(time.Minute), topic: "orders/updated", at: at, kind: "update"})
			continue
		}
		o := strconv.Itoa(firstOrder + i)
		out = append(out, delivery{order: o, version: base.Add(time.Duration(i) * time.Second), topic: "orders/create", at: at, kind: "create"})
	}
	return out
}

// newestOf returns the newest version sent for each order, in the sink's
// unit (microseconds).
func newestOf(ds []delivery) map[string]int64 {
	out := map[string]int64{}
	for _, d := range ds {
		out[d.order] = max(out[d.order], d.version.UnixMicro())
	}
	return out
}

// lostAndDoubled compares a tab's rows (key → versions of its rows) with
// the newest version sent for each order.
func lostAndDoubled(newest map[string]int64, rows map[string][]int64) (lost, doubled int) {
	for o, v := range newest {
		if got := rows[o]; len(got) == 0 || slices.Max(got) != v {
			lost++
		}
	}
	for _, vs := range rows {
		doubled += max(len(vs)-1, 0)
	}
	return lost, doubled
}

// percentile returns the q-quantile (nearest rank) of ds, in milliseconds.
func percentile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return ms(s[max(i, 0)])
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*10) / 10 }
