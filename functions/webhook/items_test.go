package webhookfn

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/items/itemstest"
	"github.com/safeview/safeview/shared/secrets"
)

const itemsTestKey = "rk_test_items_read_only"

// itemsStack is the example configuration's stack with the Stripe and
// Square sources reading line items from a fake of their APIs, with the
// credentials of keys (default: both stored) and edit's changes.
func itemsStack(t *testing.T, edit func(*config.Config), keys ...string) (*stack, *itemstest.Server) {
	t.Helper()
	api := itemstest.New(itemsTestKey)
	t.Cleanup(api.Close)
	s := newStackWith(t, func(c *config.Config) {
		// 3s, not the 1s default: the tests share a loaded machine.
		c.Sources["stripe"].Items = &config.Items{Secret: "stripe-items-key", Timeout: config.Duration(3 * time.Second)}
		c.Sources["square"].Items = &config.Items{Secret: "square-items-key", Timeout: config.Duration(3 * time.Second)}
		if edit != nil {
			edit(c)
		}
	})
	if keys == nil {
		keys = []string{"stripe-items-key", "square-items-key"}
	}
	stored := secrets.Map{}
	for _, k := range keys {
		stored[k] = []string{itemsTestKey}
	}
	for _, name := range []string{"stripe", "square"} {
		src := s.handler.sources[name]
		f, err := newFiller(src.cfg, Deps{Secrets: stored, ItemsEndpoint: api.URL})
		if err != nil {
			t.Fatal(err)
		}
		src.items = f
	}
	return s, api
}

func stripeSession(cs, pi string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id":"evt_%s","object":"event","type":"checkout.session.completed","created":%d,"livemode":true,
"data":{"object":{"id":%q,"object":"checkout.session","created":%d,"status":"complete","payment_status":"paid","payment_intent":%q,
"amount_total":2450,"currency":"eur","customer_details":{"email":"buyer.canary@example.com","name":"Canary Buyer"}}}}`,
		cs, at.Unix(), cs, at.Unix(), pi))
}

func stripeRefund(pi string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id":"evt_r_%s","object":"event","type":"charge.refunded","created":%d,"livemode":true,
"data":{"object":{"id":"ch_%s","object":"charge","created":%d,"payment_intent":%q,"amount":2450,"amount_refunded":2450,"refunded":true,"currency":"eur"}}}`,
		pi, at.Unix(), pi, at.Unix(), pi))
}

func (s *stack) itemsOf(key string) string {
	s.t.Helper()
	rows := s.rows()
	col := -1
	for i, h := range rows[0] {
		if h == "items" {
			col = i
		}
	}
	for _, r := range rows[1:] {
		if r[0] == key {
			return r[col]
		}
	}
	s.t.Fatalf("no row %s in %q", key, rows)
	return ""
}

func TestItemsReadFromTheAPI(t *testing.T) {
	s, api := itemsStack(t, nil)
	api.AddSession("pi_3Items1", "cs_live_items1",
		itemstest.Item{Name: "Grains de café 1kg", Quantity: "2"},
		itemstest.Item{Name: "Gift card for anna.canary@example.com", Quantity: "1"})
	api.AddOrder("SQORDER1", itemstest.Item{Name: "Latte", Quantity: "3"})
	now := time.Now().Add(-time.Minute)

	if r := s.post("stripe", stripeSession("cs_live_items1", "pi_3Items1", now), http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Fatalf("stripe = %d %s", r.status, r.body)
	}
	got := s.itemsOf("pi_3Items1")
	if !strings.HasPrefix(got, "Grains de café 1kg x2, Gift card for ") || !strings.HasSuffix(got, " x1") {
		t.Errorf("items = %q, want the session's line items", got)
	}
	sq := []byte(fmt.Sprintf(`{"type":"payment.updated","event_id":"e-sq-1","data":{"object":{"payment":{"id":"PAY1","order_id":"SQORDER1",
"status":"COMPLETED","created_at":%q,"updated_at":%q,"total_money":{"amount":1200,"currency":"EUR"},"buyer_email_address":"sq.canary@example.com"}}}}`,
		now.Format(time.RFC3339), now.Format(time.RFC3339)))
	if r := s.post("square", sq, http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Fatalf("square = %d %s", r.status, r.body)
	}
	if got := s.itemsOf("SQORDER1"); got != "Latte x3" {
		t.Errorf("square items = %q, want Latte x3", got)
	}

	// Names go through the guard; what the APIs answer beside the items
	// (a session's customer details, an order's recipient) goes nowhere.
	sheet := fmt.Sprint(s.rows())
	for _, canary := range []string{"anna.canary@example.com", itemstest.Canary, "Canary Recipient", "buyer.canary", "sq.canary"} {
		if strings.Contains(sheet, canary) || strings.Contains(s.logs.String(), canary) {
			t.Errorf("%q reached the sheet or the log", canary)
		}
	}
	if !strings.Contains(s.logs.String(), `"items":"read"`) {
		t.Errorf("the row's log line does not say the items were read:\n%s", s.logs)
	}
}

// An API that fails never costs an order: the row is written without
// items, and the next delivery of the order fills them.
func TestItemsAPIDownWritesTheRow(t *testing.T) {
	s, api := itemsStack(t, nil)
	api.AddSession("pi_3Down", "cs_live_down", itemstest.Item{Name: "Tasse", Quantity: "1"})
	api.Faults(0, 1, 0)
	now := time.Now().Add(-time.Minute)
	if r := s.post("stripe", stripeSession("cs_live_down", "pi_3Down", now), http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Fatalf("with the API down = %d %s, want 200 written", r.status, r.body)
	}
	if got := s.itemsOf("pi_3Down"); got != "" {
		t.Errorf("items = %q with the API down", got)
	}
	if !strings.Contains(s.logs.String(), "line items not read") || strings.Contains(s.logs.String(), "pi_3Down\",\"reason") {
		t.Errorf("log:\n%s", s.logs)
	}
	api.Faults(0, 0, 0)
	// The refund comes later: a newer version, which reads the items.
	if r := s.post("stripe", stripeRefund("pi_3Down", now.Add(time.Minute)), http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Fatalf("refund = %d %s", r.status, r.body)
	}
	if got := s.itemsOf("pi_3Down"); got != "Tasse x1" {
		t.Errorf("items after the next delivery = %q, want Tasse x1", got)
	}
}

// With the shortest deadline and the longest timeout the configuration
// allows, an API that hangs still leaves the sheet the time to write the
// row; a credential not stored writes it too.
func TestItemsWithinTheDeadline(t *testing.T) {
	s, api := itemsStack(t, func(c *config.Config) {
		c.Limits.Deadline = config.Duration(time.Second)
		c.Sources["stripe"].Items.Timeout = config.Duration(999 * time.Millisecond)
	}, "stripe-items-key")
	api.AddSession("pi_3Slow", "cs_live_slow", itemstest.Item{Name: "Tasse", Quantity: "1"})
	api.Faults(5*time.Second, 0, 0)
	now := time.Now().Add(-time.Minute)
	if r := s.post("stripe", stripeSession("cs_live_slow", "pi_3Slow", now), http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Errorf("with the API hanging = %d %s, want 200 written", r.status, r.body)
	}
	sq := []byte(fmt.Sprintf(`{"type":"payment.updated","event_id":"e-sq-nokey","data":{"object":{"payment":{"id":"PAY2","order_id":"SQORDER2",
"status":"COMPLETED","created_at":%q,"updated_at":%q,"total_money":{"amount":1200,"currency":"EUR"}}}}}`,
		now.Format(time.RFC3339), now.Format(time.RFC3339)))
	if r := s.post("square", sq, http.Header{}); r.status != 200 || r.answer.Result != "written" {
		t.Errorf("without the credential = %d %s, want 200 written", r.status, r.body)
	}
	if !strings.Contains(s.logs.String(), "items credential") {
		t.Errorf("the log does not say the credential is missing:\n%s", s.logs)
	}
}
