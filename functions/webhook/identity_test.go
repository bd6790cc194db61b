package webhookfn

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// Order ids the guard would mask alike stay distinct keys: three Shopify
// orders whose ids it rewrites to the same "***NNNN" are three rows, each
// under its own id (issue 11: three orders ended as one row, two lost).
func TestIdsTheGuardWouldMaskAreThreeRows(t *testing.T) {
	t.Parallel()
	ids := alikeUnderTheGuard(t, 3)
	s := newStack(t)
	for _, id := range ids {
		if r := s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "paid"); r.answer.Result != "written" {
			t.Fatalf("order %s = %s, want written", id, r.body)
		}
	}
	orders := s.table("Orders")
	for _, id := range ids {
		if orders[id] == nil {
			t.Errorf("order %s has no row of its own; rows: %v", id, keysOf(orders))
		}
	}
	if len(orders) != len(ids) {
		t.Errorf("%d rows, want %d: %v", len(orders), len(ids), keysOf(orders))
	}
}

// alikeUnderTheGuard finds n ids in the range of Shopify's current order
// ids that privacy.Guard rewrites to the same text.
func alikeUnderTheGuard(t *testing.T, n int) []string {
	t.Helper()
	by := map[string][]string{}
	for i := int64(0); i < 5_000_000; i++ {
		id := strconv.FormatInt(5_612_345_000_000+i*7919, 10)
		g, _ := privacy.Guard(id)
		if g == id {
			continue
		}
		by[g] = append(by[g], id)
		if len(by[g]) == n {
			return by[g]
		}
	}
	t.Fatal("no ids the guard masks alike: the test proves nothing")
	return nil
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The same order id from three platforms, and from a second shop of one
// platform, is four orders and four rows, each updated by its own source
// only (issue 11: WooCommerce 4242, Lightspeed eCom 4242 and a Standard
// Webhooks 4242 ended in one row).
func TestSameIdFromTwoSourcesIsTwoRows(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, func(c *config.Config) {
		// A second WooCommerce shop: its order ids count from 1 too.
		c.Sources["woo-lille"] = &config.Source{Platform: "woocommerce", Secrets: []string{"woo-lille-secret"}, Store: "Lille", TimeZone: "UTC"}
		c.SourceNames = append(c.SourceNames, "woo-lille")
	})
	const id = "4242"
	h := headersOf(platform.WooCommerceTopicHeader, "order.created", platform.WooCommerceDeliveryIDHeader, "d1")
	send := func(source string, body []byte, h http.Header) {
		t.Helper()
		if r := s.post(source, body, h); r.answer.Result != "written" {
			t.Fatalf("%s 4242 = %d %s", source, r.status, r.body)
		}
	}
	send("woocommerce", wooOrder(t, id, "processing", "2026-11-23T10:00:00"), h)
	send("woo-lille", wooOrder(t, id, "processing", "2026-11-23T10:00:00"), h)
	send("lightspeed-ecom", ecomOrder(t, id, "2026-11-23T10:00:00+02:00"), headersOf(platform.LightspeedEcomShopIDHeader, "1"))
	std, _ := json.Marshal(map[string]any{"type": "order.paid", "timestamp": "2026-11-23T10:00:00Z", "data": map[string]any{
		"id": id, "number": "4242", "status": "paid", "created_at": "2026-11-23T10:00:00Z", "total": "12.00", "currency": "EUR", "store": "Web"}})
	send("standard-webhooks", std, http.Header{})
	// A newer version from the first WooCommerce shop updates its row only.
	send("woocommerce", wooOrder(t, id, "refunded", "2026-11-23T11:00:00"), h)

	rows, err := s.emu.Snapshot(s.id, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	status, ver := slices.Index(rows[0], "status"), slices.Index(rows[0], gsheets.VersionHeader)
	got := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] != id {
			t.Fatalf("row %v: want order 4242", r)
		}
		src, _, _ := gsheets.ParseVersion(r[ver])
		got[src] = r[status]
	}
	want := map[string]string{"woocommerce": "refunded", "woo-lille": "paid", "lightspeed-ecom": "paid", "standard-webhooks": "paid"}
	if diff := cmp.Diff(want, got); diff != "" || len(rows) != 5 {
		t.Errorf("status by source of order 4242 (-want +got), %d rows:\n%s", len(rows)-1, diff)
	}
}

// wooOrder is WooCommerce's official order with another id, status and
// modification time.
func wooOrder(t *testing.T, id, status, modified string) []byte {
	t.Helper()
	return editFixture(t, platformFixture("woocommerce_order_created_v3.json"), func(doc map[string]any) {
		doc["id"] = json.Number(id)
		doc["status"] = status
		doc["date_modified_gmt"] = modified
	})
}

// ecomOrder is the Lightspeed eCom order of the tests with another id.
func ecomOrder(t *testing.T, id, updated string) []byte {
	t.Helper()
	return editFixture(t, platformFixture("lightspeed_ecom_order.DERIVED.json"), func(doc map[string]any) {
		o := doc["order"].(map[string]any)
		o["id"] = json.Number(id)
		o["updatedAt"] = updated
	})
}

func editFixture(t *testing.T, path string, edit func(map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := jsonNumbers(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonNumbers decodes JSON keeping numbers exact.
func jsonNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// A key that would hold personal data is refused with 400, naming the
// table and the column, never the value; nothing is written.
func TestKeyHoldingAnEmailIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const email = "harriet.keyed@example.com"
	std, _ := json.Marshal(map[string]any{"type": "order.paid", "timestamp": "2026-11-23T10:00:00Z", "data": map[string]any{
		"id": email, "number": "1", "status": "paid", "created_at": "2026-11-23T10:00:00Z", "total": "12.00", "currency": "EUR"}})
	r := s.post("standard-webhooks", std, http.Header{})
	want := `table Orders: column "order_id": the key column's value cannot identify a row: it holds personal data (email)`
	if r.status != http.StatusBadRequest || r.answer.Error != want {
		t.Fatalf("order keyed by an email = %d %s, want 400 %q", r.status, r.body, want)
	}
	if strings.Contains(r.body, "harriet") || strings.Contains(s.logs.String(), "harriet") {
		t.Error("the answer or the log quotes the key")
	}
	if rows, _ := s.emu.Snapshot(s.id, "Orders"); len(rows) > 1 {
		t.Errorf("rows written: %v", rows[1:])
	}
}
