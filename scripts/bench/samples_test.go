package main

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/safeview/safeview/scripts/internal/demo"
)

// The senders' templates give demo.BuiltIn's bytes, body and headers,
// for every delivery of a workload, on each platform the bench posts as;
// and they are used (a template that never applied would cost the edge a
// fifth of its CPU again, unseen).
func TestSamplesAreBuiltInBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := burst(rng, 400, 10*time.Second, 10_000_000)
	ds = append(ds, delivery{order: "1764237600000", version: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), topic: "orders/updated"}) // an id demo dates the order by
	for _, tc := range []struct {
		platform, status string
		store            func(string) string
	}{
		{"shopify", "paid", nil},
		{"shopify", "paid", storeOf},
		{"stripe", "", nil},
	} {
		var s samples
		for _, d := range ds {
			o := demo.SampleOptions{Topic: d.topic, OrderID: d.order, Status: tc.status, Updated: d.version}
			if tc.platform == "stripe" {
				o.Topic = ""
			}
			if tc.store != nil {
				o.Store = tc.store(d.order)
			}
			want, err := demo.BuiltIn(tc.platform, o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.build(tc.platform, o)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Body, want.Body) || !maps.EqualFunc(got.Header, want.Header, slices.Equal[[]string]) {
				t.Fatalf("%s, order %s: the template's sample is not BuiltIn's", tc.platform, d.order)
			}
		}
		used := 0
		for _, tmpl := range s.byKey {
			if tmpl != nil {
				used++
			}
		}
		if tc.platform == "shopify" && used == 0 {
			t.Errorf("%s: no template applied", tc.platform)
		}
	}
}
