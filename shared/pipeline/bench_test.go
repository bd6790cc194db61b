package pipeline

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// benchOrder is Shopify's orders/create sample grown to about 15 KB with
// more line items (copies of its own, with new ids), numbers kept exact.
func benchOrder(b testing.TB) []byte {
	b.Helper()
	raw, err := os.ReadFile("../platform/testdata/shopify_orders_create_devdocs_sample.json")
	if err != nil {
		b.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		b.Fatal(err)
	}
	items := doc["line_items"].([]any)
	body := raw
	for n := 0; len(body) < 15_000; n++ {
		item := map[string]any{}
		for k, v := range items[n%3].(map[string]any) {
			item[k] = v
		}
		item["id"] = json.Number(fmt.Sprint(900000000000 + n))
		items = append(items, item)
		doc["line_items"] = items
		if body, err = json.MarshalIndent(doc, "", "  "); err != nil {
			b.Fatal(err)
		}
	}
	return body
}

var benchSecret = []byte("shpss_0123456789abcdef0123456789ab")

// BenchmarkFloor is what any handler must do with a delivery: check its
// HMAC-SHA256 and scan its JSON once.
func BenchmarkFloor(b *testing.B) {
	body := benchOrder(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		floor(body)
	}
}

func floor(body []byte) {
	m := hmac.New(sha256.New, benchSecret)
	m.Write(body)
	if m.Sum(nil) == nil || !json.Valid(body) {
		panic("floor")
	}
}

// ratioToFloor runs f and the floor in turns, n times, and returns the
// ratio of their times: interleaving keeps the ratio honest on a machine
// whose load changes during the benchmark.
func ratioToFloor(body []byte, n int, f func()) float64 {
	var fl, fn time.Duration
	for range n {
		t0 := time.Now()
		floor(body)
		t1 := time.Now()
		f()
		fn += time.Since(t1)
		fl += t1.Sub(t0)
	}
	return float64(fn) / float64(fl)
}

// BenchmarkPipeline is the whole pure path of a delivery through the
// example configuration's Orders table: decode with the Shopify preset,
// filter, project (pseudonym included), guard. It reports its ratio to
// the floor as x-floor (target: 2).
func BenchmarkPipeline(b *testing.B) {
	data, err := os.ReadFile("../../functions/webhook/safeview.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchPipeline(b, data)
}

// BenchmarkPipelineWide is the same with a table of every order field,
// every privacy operator and three raw paths.
func BenchmarkPipelineWide(b *testing.B) {
	benchPipeline(b, []byte(`
spreadsheet: {id: s, time_zone: Europe/Paris}
privacy: {pseudonym_key: pk}
sources:
  shopify: {platform: shopify, secrets: [x]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid" || order.test
    columns:
      - {header: order_id, field: order.id}
      - {header: number, field: order.number}
      - {header: created, field: order.created, op: datetime}
      - {header: day, field: order.created, op: date}
      - {header: updated, field: order.updated, op: iso}
      - {header: status, field: order.status}
      - {header: status_raw, field: order.status_raw}
      - {header: items, field: order.items}
      - {header: units, field: order.item_count}
      - {header: total, field: order.total}
      - {header: amount, field: order.total, op: amount}
      - {header: store, field: order.store}
      - {header: channel, field: order.channel}
      - {header: email, field: customer.email, op: mask_email}
      - {header: name, field: customer.name, op: mask_name}
      - {header: phone, field: customer.phone, op: mask_phone}
      - {header: ref, field: customer.ref, op: pseudonym}
      - {header: skus, path: "line_items[].sku"}
      - {header: vendor, path: "line_items[0].vendor"}
      - {header: gateway, path: "payment_gateway_names[0]"}
`))
}

// BenchmarkRun is the privacy pipeline alone (filter, project, guard) on
// the decoded order: what Safeview adds to decoding.
func BenchmarkRun(b *testing.B) {
	data, err := os.ReadFile("../../functions/webhook/safeview.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, ev := benchSetup(b, data)
	run := func() {
		if _, err := p.Run(NewInput(&ev, "shopify", nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	b.ReportMetric(ratioToFloor(benchOrder(b), 300, run), "x-floor")
}

func benchSetup(b *testing.B, yaml []byte) (*Pipeline, platform.Event) {
	cfg, err := config.Parse("bench.yaml", yaml)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := privacy.NewKeys(benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	pipes, err := Compile(cfg, keys)
	if err != nil {
		b.Fatal(err)
	}
	preset, err := platform.New("shopify", platform.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev, err := preset.Decode(platform.Request{Header: benchHeader(), Body: benchOrder(b)})
	if err != nil {
		b.Fatal(err)
	}
	ev.Platform = "shopify"
	return pipes["Orders"], ev
}

func benchHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(platform.ShopifyTopicHeader, "orders/paid")
	h.Set(platform.ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
	return h
}

func benchPipeline(b *testing.B, yaml []byte) {
	body := benchOrder(b)
	p, _ := benchSetup(b, yaml)
	preset, _ := platform.New("shopify", platform.Options{})
	h := benchHeader()
	run := func() {
		ev, err := preset.Decode(platform.Request{Header: h, Body: body})
		if err != nil {
			b.Fatal(err)
		}
		ev.Platform = "shopify"
		if _, err := p.Run(NewInput(&ev, "shopify", nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	b.ReportMetric(ratioToFloor(body, 300, run), "x-floor")
}
