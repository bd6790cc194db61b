package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
)

// editJSON decodes a fixture, lets edit change it, and encodes it again.
func editJSON(t testing.TB, file string, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(fixture(t, file)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shopifyTopic is the headers of a Shopify delivery of a topic, from
// cafe-demo.myshopify.com.
func shopifyTopic(topic string) http.Header {
	return headers(ShopifyTopicHeader, topic, ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
}

// xseriesForm form-encodes a payload under a type, as X-Series posts it.
func xseriesForm(typ string, payload []byte) []byte {
	return []byte(url.Values{"type": {typ}, "domain_prefix": {"cafe"}, "payload": {string(payload)}}.Encode())
}

// A line of no or minus units is refused by every preset that reads
// quantities, not written as "x0" or "x-3"; but for Lightspeed X-Series,
// which records a return as a sale of minus units.
func TestQuantityMustBePositive(t *testing.T) {
	t.Parallel()
	shopifyWith := func(q any) []byte {
		return editJSON(t, "shopify_orders_create_devdocs_sample.json", func(d map[string]any) {
			d["line_items"].([]any)[0].(map[string]any)["quantity"] = q
		})
	}
	wooWith := func(q any) []byte {
		return editJSON(t, "woocommerce_order_created_v3.json", func(d map[string]any) {
			d["line_items"].([]any)[0].(map[string]any)["quantity"] = q
		})
	}
	xseriesWith := func(q any) []byte {
		return xseriesForm("sale.update", editJSON(t, "lightspeed_xseries_sale_update_payload.json", func(d map[string]any) {
			d["register_sale_products"].([]any)[0].(map[string]any)["quantity"] = q
		}))
	}
	ecomWith := func(q any) []byte {
		return editJSON(t, "lightspeed_ecom_order.DERIVED.json", func(d map[string]any) {
			d["order"].(map[string]any)["products"] = []any{map[string]any{"productTitle": "Mug", "quantityOrdered": q}}
		})
	}
	genericFields := map[string]string{"order.id": "id", "order.updated": "updated", "order.items": "items"}
	genericWith := func(q any) []byte {
		b, _ := json.Marshal(map[string]any{"id": "o1", "updated": "2026-11-23T10:00:00Z", "items": []any{map[string]any{"name": "Mug", "qty": q}}})
		return b
	}
	standardWith := func(q any) []byte {
		return editJSON(t, "standard_webhooks_order_paid.DERIVED.json", func(d map[string]any) {
			d["data"].(map[string]any)["items"] = []any{map[string]any{"name": "Mug", "quantity": q}}
		})
	}
	wooHeader := headers(WooCommerceTopicHeader, "order.created")
	type preset struct {
		name   string
		opts   Options
		header http.Header
		body   func(q any) []byte
	}
	presets := []preset{
		{"shopify", Options{}, shopifyTopic("orders/create"), shopifyWith},
		{"woocommerce", Options{}, wooHeader, wooWith},
		{"lightspeed-xseries", Options{}, http.Header{}, xseriesWith},
		{"lightspeed-ecom", Options{}, http.Header{}, ecomWith},
		{"generic", Options{Fields: genericFields}, http.Header{}, genericWith},
		{"standard-webhooks", Options{Fields: fixtureFields(t, "standard_webhooks_order_paid.DERIVED.json")}, http.Header{}, standardWith},
	}
	for _, p := range presets {
		for _, q := range []any{0, -3, json.Number("-0.4")} {
			if p.name == "shopify" && q == any(json.Number("-0.4")) {
				continue // Shopify's quantities are integers: a fraction is refused as one
			}
			if p.name == "lightspeed-xseries" && q != any(0) {
				continue // a return: TestXSeriesReturnLines
			}
			t.Run(p.name+"/"+jsonText(q), func(t *testing.T) {
				t.Parallel()
				ev, err := mustNew(t, p.name, p.opts).Decode(Request{Header: p.header, Body: p.body(q)})
				if !errors.Is(err, ErrMalformed) {
					var items []Item
					if ev.Order != nil {
						items = ev.Order.Items
					}
					t.Fatalf("Decode(quantity %s) = %q %v, %v, want ErrMalformed", jsonText(q), ev.Kind, items, err)
				}
			})
		}
		t.Run(p.name+"/1", func(t *testing.T) {
			t.Parallel()
			ev, err := mustNew(t, p.name, p.opts).Decode(Request{Header: p.header, Body: p.body(1)})
			if err != nil || ev.Order == nil || len(ev.Order.Items) == 0 || ev.Order.Items[0].Quantity != 1 {
				t.Fatalf("Decode(quantity 1) = %+v, %v, want one unit on the first line", ev.Order, err)
			}
		})
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every event of the generic presets is a JSON object: null, a list or a
// bare value is malformed, not "ignored".
func TestGenericNeedsAnObject(t *testing.T) {
	t.Parallel()
	presets := map[string]Options{
		"generic":           {Fields: fixtureFields(t, "dg1_booking_confirmed.DERIVED.json")},
		"standard-webhooks": {Fields: fixtureFields(t, "standard_webhooks_order_paid.DERIVED.json")},
	}
	for name, opts := range presets {
		for _, body := range []string{"null", " null\n", "[]", `[{"id":1}]`, `"order"`, "42", "true"} {
			t.Run(name+"/"+body, func(t *testing.T) {
				t.Parallel()
				ev, err := mustNew(t, name, opts).Decode(Request{Header: http.Header{}, Body: []byte(body)})
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Decode(%s) = %q, %v, want ErrMalformed", body, ev.Kind, err)
				}
			})
		}
		t.Run(name+"/{}", func(t *testing.T) {
			ev, err := mustNew(t, name, opts).Decode(Request{Header: http.Header{}, Body: []byte("{}")})
			if err != nil || ev.Kind != KindIgnored {
				t.Errorf("Decode({}) = %q, %v, want ignored", ev.Kind, err)
			}
		})
	}
}

// Lightspeed X-Series records a return as a sale whose lines count their
// units below zero: such a line is so many units returned, never refused
// (Lightspeed would retry it for 48 hours, then drop the return).
func TestXSeriesReturnLines(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]Item{"-3": {Quantity: 3, Returned: true}, "-0.4": {Quantity: 1, Returned: true}, "2": {Quantity: 2}} {
		body := xseriesForm("sale.update", editJSON(t, "lightspeed_xseries_sale_update_payload.json", func(d map[string]any) {
			d["register_sale_products"].([]any)[0].(map[string]any)["quantity"] = json.Number(q)
		}))
		ev, err := mustNew(t, "lightspeed-xseries", Options{}).Decode(Request{Body: body})
		if err != nil {
			t.Fatalf("Decode(quantity %s) error = %v", q, err)
		}
		got := ev.Order.Items[0]
		if got.Quantity != want.Quantity || got.Returned != want.Returned {
			t.Errorf("Decode(quantity %s) first line = %d returned %v, want %d returned %v", q, got.Quantity, got.Returned, want.Quantity, want.Returned)
		}
	}
	for _, s := range []string{"0", "-0", "x"} {
		if _, _, err := ParseReturnable(s); err == nil {
			t.Errorf("ParseReturnable(%q) succeeded, want an error", s)
		}
	}
}
