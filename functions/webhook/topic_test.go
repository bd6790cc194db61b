package webhookfn

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
)

// sheet is every tab the tests write, as the team sees it.
func (s *stack) sheet() map[string][][]string {
	s.t.Helper()
	out := map[string][][]string{}
	for _, tab := range []string{"Orders", "Bookings"} {
		rows, err := s.emu.Snapshot(s.id, tab)
		if err != nil {
			s.t.Fatal(err)
		}
		out[tab] = rows
	}
	return out
}

// seedRows writes a row in each tab: two Shopify orders of
// cafe-demo.myshopify.com, WooCommerce's order 727 and a DG1 booking.
func (s *stack) seedRows() {
	s.t.Helper()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.sendOrder("1001", "john@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendOrder("1002", "jane@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendWooOrder()
	s.sendBooking("bk_1", "john@example.com")
}

// declareShop makes the example's Shopify source serve
// cafe-demo.myshopify.com only.
func declareShop(c *config.Config) {
	bookingsWithRef(c)
	c.Sources["shopify"].Shops = []string{"cafe-demo.myshopify.com"}
}

// replay is a signed delivery sent under a topic its body is not.
type replay struct {
	name   string
	source string
	body   []byte
	header http.Header
}

// The headers and form fields that name the event type are not signed.
// A body captured from one signed delivery, replayed under another type,
// gets 400 and changes nothing: an ordinary order replayed as shop/redact
// removes no row, replayed as customers/redact clears no cell; a product
// replayed as a WooCommerce order overwrites no row. Whether or not the
// Shopify source declares its shops.
func TestReplayUnderAnotherTopic(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*config.Config){"no shops declared": bookingsWithRef, "shops declared": declareShop} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newStackWith(t, edit)
			s.seedRows()
			before := s.sheet()
			order := shopifyOrder(t, order{id: "1001", updated: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)})
			wooOrder, err := os.ReadFile(platformFixture("woocommerce_order_created_v3.json"))
			if err != nil {
				t.Fatal(err)
			}
			// A product of the same shop, whose id is the order's: as an
			// order, it would overwrite row 727.
			wooProduct := []byte(`{"id":727,"name":"Premium Quality","slug":"premium-quality","type":"simple","status":"publish",` +
				`"price":"21.99","date_created_gmt":"2026-11-21T10:00:00","date_modified_gmt":"2026-11-21T10:00:00"}`)
			woo := func(topic string, kv ...string) http.Header {
				return headersOf(append([]string{platform.WooCommerceTopicHeader, topic, platform.WooCommerceSourceHeader, "https://example.com/"}, kv...)...)
			}
			customer, err := os.ReadFile(platformFixture("lightspeed_xseries_customer_update_payload.json"))
			if err != nil {
				t.Fatal(err)
			}
			form := headersOf("Content-Type", "application/x-www-form-urlencoded")
			tests := []replay{
				{"shopify order as shop/redact", "shopify", order, shopify("shop/redact", "cafe-demo.myshopify.com", "evt-r1")},
				{"shopify order as shop/redact of another shop", "shopify", order, shopify("shop/redact", "other-shop.myshopify.com", "evt-r2")},
				{"shopify order as customers/redact", "shopify", order, shopify("customers/redact", "cafe-demo.myshopify.com", "evt-r3")},
				{"shopify order as customers/data_request", "shopify", order, shopify("customers/data_request", "cafe-demo.myshopify.com", "evt-r4")},
				{"shopify customers/redact as shop/redact", "shopify", complianceBody(t, "shopify_customers_redact.json"),
					shopify("shop/redact", "cafe-demo.myshopify.com", "evt-r5")},
				{"shopify shop/redact as an order", "shopify", complianceBody(t, "shopify_shop_redact.json"),
					shopify("orders/updated", "cafe-demo.myshopify.com", "evt-r6")},
				{"woocommerce product as an order", "woocommerce", wooProduct, woo("order.updated")},
				{"woocommerce order whose topic headers disagree", "woocommerce", wooOrder,
					woo("order.updated", platform.WooCommerceResourceHeader, "product", platform.WooCommerceEventHeader, "updated")},
				{"x-series customer as a sale", "lightspeed-xseries",
					[]byte(url.Values{"type": {"sale.update"}, "payload": {string(customer)}}.Encode()), form},
				{"generic null", "generic", []byte("null"), http.Header{}},
				{"standard-webhooks null", "standard-webhooks", []byte("null"), http.Header{}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r := s.post(tt.source, tt.body, tt.header)
					if r.status != http.StatusBadRequest || r.answer.Rows != nil {
						t.Errorf("POST /%s = %d %s, want 400", tt.source, r.status, r.body)
					}
					if bytes.Contains([]byte(r.body), []byte("cafe-demo")) || bytes.Contains([]byte(r.body), []byte("example.com")) {
						t.Errorf("the answer %s echoes the request", r.body)
					}
				})
			}
			if diff := cmp.Diff(before, s.sheet()); diff != "" {
				t.Errorf("replays changed the sheet (-before +after):\n%s", diff)
			}
		})
	}
}

// A Shopify source that declares its shops refuses a genuine compliance
// request of another shop, whatever X-Shopify-Shop-Domain says, and an
// order of another shop; its own shop's shop/redact still works.
func TestUndeclaredShop(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, declareShop)
	s.seedRows()
	before := s.sheet()
	other := func(name string) []byte {
		b, err := os.ReadFile(platformFixture(name))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.ReplaceAll(b, []byte("{shop}"), []byte("other-shop"))
	}
	tests := []replay{
		{"shop/redact", "shopify", other("shopify_shop_redact.json"), shopify("shop/redact", "cafe-demo.myshopify.com", "evt-u1")},
		{"shop/redact, header of the other shop", "shopify", other("shopify_shop_redact.json"), shopify("shop/redact", "other-shop.myshopify.com", "evt-u2")},
		{"customers/redact", "shopify", other("shopify_customers_redact.json"), shopify("customers/redact", "cafe-demo.myshopify.com", "evt-u3")},
		{"customers/data_request", "shopify", other("shopify_customers_data_request.json"),
			shopify("customers/data_request", "cafe-demo.myshopify.com", "evt-u4")},
		{"an order of the other shop", "shopify", shopifyOrder(t, order{id: "1001", updated: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), financial: "refunded"}),
			shopify("orders/updated", "other-shop.myshopify.com", "evt-u5")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := s.post(tt.source, tt.body, tt.header); r.status != http.StatusBadRequest || r.answer.Rows != nil {
				t.Errorf("%s = %d %s, want 400", tt.name, r.status, r.body)
			}
		})
	}
	if diff := cmp.Diff(before, s.sheet()); diff != "" {
		t.Errorf("another shop's requests changed the sheet (-before +after):\n%s", diff)
	}
	// The declared shop's own shop/redact, even sent with another shop's
	// header: its two rows go.
	r := s.post("shopify", complianceBody(t, "shopify_shop_redact.json"), shopify("shop/redact", "other-shop.myshopify.com", "evt-u6"))
	if r.status != http.StatusOK || s.answerRows(r) != 2 {
		t.Errorf("shop/redact of the declared shop = %d %s, want 200 erased, 2 rows", r.status, r.body)
	}
}
