package platform

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// compliance is an official compliance fixture with its {shop}
// placeholder filled in, as Shopify sends it.
func compliance(t testing.TB, file, shop string) []byte {
	t.Helper()
	return bytes.ReplaceAll(fixture(t, file), []byte("{shop}.myshopify.com"), []byte(shop))
}

// A header or an unsigned field names the event type; the body decides
// what a delivery does, so a body that is not what its topic says is
// refused. Bodies are signed (or tokened) deliveries of the platform
// replayed under another topic: an order as a compliance request, a
// compliance request as another, a product as an order.
func TestTopicMustAgreeWithBody(t *testing.T) {
	t.Parallel()
	const canary = "canary-3b7e@example.com"
	order := fixture(t, "shopify_orders_create_devdocs_sample.json")
	shopRedact := compliance(t, "shopify_shop_redact.json", "cafe-demo.myshopify.com")
	customersRedact := compliance(t, "shopify_customers_redact.json", "cafe-demo.myshopify.com")
	dataRequest := compliance(t, "shopify_customers_data_request.json", "cafe-demo.myshopify.com")
	draftOrder := editJSON(t, "shopify_orders_create_devdocs_sample.json", func(d map[string]any) {
		delete(d, "order_number")
		d["order_id"], d["name"] = nil, "#D1"
	})
	shopRedactWith := func(k string, v any) []byte {
		return editJSON(t, "shopify_shop_redact.json", func(d map[string]any) { d["shop_domain"] = "cafe-demo.myshopify.com"; d[k] = v })
	}
	wooProduct := []byte(`{"id":794,"name":"` + canary + `","slug":"premium-quality","type":"simple","status":"publish","price":"21.99",` +
		`"date_created_gmt":"2017-03-23T17:01:14","date_modified_gmt":"2017-03-23T17:01:14"}`)
	wooSubscription := editJSON(t, "woocommerce_order_created_v3.json", func(d map[string]any) { d["billing_period"] = "month" })
	wooOrder := fixture(t, "woocommerce_order_created_v3.json")
	woo := func(kv ...string) http.Header {
		return headers(append([]string{WooCommerceSourceHeader, "https://example.com/"}, kv...)...)
	}
	tests := []struct {
		name     string
		platform string
		header   http.Header
		body     []byte
		want     error
	}{
		{"shopify order as shop/redact", "shopify", shopifyTopic("shop/redact"), order, ErrMalformed},
		{"shopify order as customers/redact", "shopify", shopifyTopic("customers/redact"), order, ErrMalformed},
		{"shopify order as customers/data_request", "shopify", shopifyTopic("customers/data_request"), order, ErrMalformed},
		{"shopify customers/redact as shop/redact", "shopify", shopifyTopic("shop/redact"), customersRedact, ErrMalformed},
		{"shopify data_request as customers/redact", "shopify", shopifyTopic("customers/redact"), dataRequest, ErrMalformed},
		{"shopify customers/redact as data_request", "shopify", shopifyTopic("customers/data_request"), customersRedact, ErrMalformed},
		{"shopify shop/redact as customers/redact", "shopify", shopifyTopic("customers/redact"), shopRedact, ErrMalformed},
		{"shopify shop/redact as an order", "shopify", shopifyTopic("orders/updated"), shopRedact, ErrMalformed},
		{"shopify customers/redact as an order", "shopify", shopifyTopic("orders/create"), customersRedact, ErrMalformed},
		{"shopify draft order as an order", "shopify", shopifyTopic("orders/updated"), draftOrder, ErrMalformed},
		{"shopify shop/redact without shop_id", "shopify", shopifyTopic("shop/redact"), []byte(`{"shop_domain":"cafe-demo.myshopify.com"}`), ErrMalformed},
		{"shopify shop/redact with a null shop_id", "shopify", shopifyTopic("shop/redact"), shopRedactWith("shop_id", nil), ErrMalformed},
		{"shopify shop/redact with a text shop_id", "shopify", shopifyTopic("shop/redact"), shopRedactWith("shop_id", canary), ErrMalformed},
		{"shopify shop/redact without shop_domain", "shopify", shopifyTopic("shop/redact"), []byte(`{"shop_id":954889}`), ErrMalformed},
		{"shopify shop/redact with an empty shop_domain", "shopify", shopifyTopic("shop/redact"), []byte(`{"shop_id":954889,"shop_domain":" "}`), ErrMalformed},
		{"shopify shop/redact with an order id", "shopify", shopifyTopic("shop/redact"), shopRedactWith("id", 820982911946154508), ErrMalformed},
		{"shopify customers/redact without orders_to_redact", "shopify", shopifyTopic("customers/redact"),
			[]byte(`{"shop_id":1,"shop_domain":"cafe-demo.myshopify.com","customer":{"id":1,"email":"` + canary + `"}}`), ErrMalformed},
		{"shopify data_request without its id", "shopify", shopifyTopic("customers/data_request"),
			[]byte(`{"shop_id":1,"shop_domain":"cafe-demo.myshopify.com","customer":{"id":1},"orders_requested":[],"data_request":{}}`), ErrMalformed},
		{"shopify data_request with a fractional order id", "shopify", shopifyTopic("customers/data_request"),
			[]byte(`{"shop_id":1,"shop_domain":"cafe-demo.myshopify.com","customer":{"id":1},"orders_requested":[1.5],"data_request":{"id":9}}`), ErrMalformed},
		{"woocommerce product as an order", "woocommerce", woo(WooCommerceTopicHeader, "order.updated"), wooProduct, ErrMalformed},
		{"woocommerce subscription as an order", "woocommerce", woo(WooCommerceTopicHeader, "order.created"), wooSubscription, ErrMalformed},
		{"woocommerce resource disagrees", "woocommerce",
			woo(WooCommerceTopicHeader, "order.updated", WooCommerceResourceHeader, "product", WooCommerceEventHeader, "updated"), wooOrder, ErrUnknownTopic},
		{"woocommerce event disagrees", "woocommerce",
			woo(WooCommerceTopicHeader, "order.created", WooCommerceResourceHeader, "order", WooCommerceEventHeader, "deleted"), wooOrder, ErrUnknownTopic},
		{"woocommerce resource without topic", "woocommerce", woo(WooCommerceResourceHeader, "order", WooCommerceEventHeader, "created"), wooOrder, ErrUnknownTopic},
		{"x-series customer as a sale", "lightspeed-xseries", http.Header{},
			xseriesForm("sale.update", fixture(t, "lightspeed_xseries_customer_update_payload.json")), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{Header: tt.header.Clone(), Body: tt.body}
			ev, err := mustNew(t, tt.platform, Options{}).Decode(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode() = %q, %v, want %v", ev.Kind, err, tt.want)
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "cafe-demo") {
				t.Errorf("Decode() error %q quotes the payload or a header", err)
			}
		})
	}
}

// The same platforms accept what agrees: the official bodies under their
// own topics, with every header that names the topic.
func TestTopicAgreesWithBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		platform string
		header   http.Header
		body     []byte
		want     Kind
	}{
		{"shopify order", "shopify", shopifyTopic("orders/updated"), fixture(t, "shopify_orders_create_devdocs_sample.json"), KindOrder},
		{"shopify shop/redact", "shopify", shopifyTopic("shop/redact"), compliance(t, "shopify_shop_redact.json", "cafe-demo.myshopify.com"), KindErasure},
		{"shopify customers/redact", "shopify", shopifyTopic("customers/redact"), compliance(t, "shopify_customers_redact.json", "cafe-demo.myshopify.com"), KindErasure},
		{"shopify customers/data_request", "shopify", shopifyTopic("customers/data_request"),
			compliance(t, "shopify_customers_data_request.json", "cafe-demo.myshopify.com"), KindErasure},
		{"shopify shop/redact with a key Shopify may add", "shopify", shopifyTopic("shop/redact"),
			editJSON(t, "shopify_shop_redact.json", func(d map[string]any) { d["api_version"] = "2026-01" }), KindErasure},
		{"shopify order under a topic Safeview does not use", "shopify", shopifyTopic("products/update"), fixture(t, "shopify_orders_create_devdocs_sample.json"), KindIgnored},
		{"woocommerce order with its resource and event", "woocommerce",
			headers(WooCommerceTopicHeader, "order.updated", WooCommerceResourceHeader, "order", WooCommerceEventHeader, "updated"),
			fixture(t, "woocommerce_order_created_v3.json"), KindOrder},
		{"woocommerce action topic", "woocommerce",
			headers(WooCommerceTopicHeader, "action.woocommerce_payment_complete", WooCommerceResourceHeader, "action", WooCommerceEventHeader, "woocommerce_payment_complete"),
			[]byte(`{"action":"woocommerce_payment_complete","arg":727}`), KindIgnored},
		{"x-series sale", "lightspeed-xseries", http.Header{}, xseriesForm("sale.update", fixture(t, "lightspeed_xseries_sale_update_payload.json")), KindOrder},
		{"x-series sale without a type", "lightspeed-xseries", http.Header{}, xseriesForm("", fixture(t, "lightspeed_xseries_sale_update_payload.json")), KindOrder},
		{"x-series customer", "lightspeed-xseries", http.Header{},
			xseriesForm("customer.update", fixture(t, "lightspeed_xseries_customer_update_payload.json")), KindIgnored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := mustNew(t, tt.platform, Options{}).Decode(Request{Header: tt.header, Body: tt.body})
			if err != nil || ev.Kind != tt.want {
				t.Fatalf("Decode() = %q, %v, want %q", ev.Kind, err, tt.want)
			}
		})
	}
}
