package webhookfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// The Shopify customer of the official compliance fixtures
// (shopify_customers_redact.json and its siblings): what must never show
// in a log, an answer or a cell.
var redactCustomer = []string{"john@example.com", "555-625-1199", "191167"}

// complianceBody is an official compliance fixture as Shopify sends it:
// the {shop} placeholder of the published sample is the shop's name.
func complianceBody(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(platformFixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("{shop}"), []byte("cafe-demo"))
}

// erasureStack is the example configuration, with a customer_ref column
// in the Bookings tab too, so that one customer has rows in two tabs.
func erasureStack(t *testing.T) *stack {
	t.Helper()
	return newStackWith(t, bookingsWithRef)
}

func bookingsWithRef(c *config.Config) {
	for _, tb := range c.Tables {
		if tb.Tab == "Bookings" {
			tb.Columns = append(tb.Columns, &config.Column{Header: "customer_ref", Field: "customer.ref", Op: "pseudonym"})
		}
	}
}

// post signs a body for a configured source, as its platform would, and
// posts it with the given headers (as JSON unless they name another
// content type).
func (s *stack) post(source string, body []byte, h http.Header) response {
	s.t.Helper()
	src := s.handler.cfg.Sources[source]
	scheme, err := src.SchemeOf()
	if err != nil {
		s.t.Fatal(err)
	}
	secret := testSecret
	if scheme == webhook.SchemeStandardWebhooks {
		secret = testWhsec
	}
	signed, err := webhook.Sign(scheme, secret, body, src.WebhookOptions(nil))
	if err != nil {
		s.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/"+source+"?"+signed.Query.Encode(), bytes.NewReader(body))
	req.Header = h.Clone()
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range signed.Header {
		req.Header[k] = v
	}
	return s.do(req)
}

func headersOf(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func shopify(topic, shop, event string) http.Header {
	return headersOf(platform.ShopifyTopicHeader, topic, platform.ShopifyShopDomainHeader, shop, platform.ShopifyEventIDHeader, event)
}

// sendOrder delivers a Shopify order of a customer (email "" is a guest)
// from a shop.
func (s *stack) sendOrder(id, email, shop string, updated time.Time, status string) response {
	s.t.Helper()
	body := shopifyOrder(s.t, order{id: id, updated: updated, financial: status, edit: func(doc map[string]any) {
		if email == "" {
			delete(doc, "customer")
			doc["email"], doc["contact_email"] = "", ""
			return
		}
		doc["email"], doc["contact_email"] = email, email
		doc["customer"].(map[string]any)["email"] = email
	}})
	r := s.post("shopify", body, shopify("orders/updated", shop, fmt.Sprintf("evt-%s-%d", id, updated.UnixNano())))
	if r.status != http.StatusOK {
		s.t.Fatalf("order %s = %d %s", id, r.status, r.body)
	}
	return r
}

// sendBooking delivers a DG1 booking of a customer, as the generic source
// of the example configuration maps it.
func (s *stack) sendBooking(id, email string) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"event": "booking.confirmed", "event_id": "evt-" + id, "data": map[string]any{"booking": map[string]any{
		"id": id, "service": "Dîner", "start_time": "2026-12-01T19:30:00+01:00", "status": "confirmed", "party_size": 2,
		"total": map[string]any{"amount": "80.00", "currency": "EUR"}, "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
		"venue": "Lyon", "customer": map[string]any{"email": email},
	}}})
	if r := s.post("generic", body, http.Header{}); r.status != http.StatusOK || r.answer.Result != "written" {
		s.t.Fatalf("booking %s = %d %s", id, r.status, r.body)
	}
}

// sendWooOrder delivers WooCommerce's official order (727,
// john.doe@example.com).
func (s *stack) sendWooOrder() {
	s.t.Helper()
	body, err := os.ReadFile(platformFixture("woocommerce_order_created_v3.json"))
	if err != nil {
		s.t.Fatal(err)
	}
	h := headersOf(platform.WooCommerceTopicHeader, "order.created", platform.WooCommerceSourceHeader, "https://example.com/",
		platform.WooCommerceDeliveryIDHeader, "woo-1")
	if r := s.post("woocommerce", body, h); r.status != http.StatusOK || r.answer.Result != "written" {
		s.t.Fatalf("woocommerce order = %d %s", r.status, r.body)
	}
}

// table reads a tab: each key's row, by header.
func (s *stack) table(tab string) map[string]map[string]string {
	s.t.Helper()
	rows, err := s.emu.Snapshot(s.id, tab)
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for i, r := range rows[1:] {
		cells := map[string]string{}
		for c, h := range rows[0] {
			if c < len(r) {
				cells[h] = r[c]
			}
		}
		key := r[0]
		if key == "" {
			key = fmt.Sprintf("(row %d)", i+2)
		}
		out[key] = cells
	}
	return out
}

func (s *stack) answerRows(r response) int {
	s.t.Helper()
	if r.answer.Rows == nil {
		s.t.Fatalf("answer %s has no rows count", r.body)
	}
	return *r.answer.Rows
}

// Shopify's customers/redact: the customer's cells are cleared in every
// row that carries their pseudonym, in both tabs, and in the orders the
// request lists; the rows' operational data, the other customers' rows
// and the team's cells stay. A replay clears nothing more.
func TestCustomersRedact(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.sendOrder("1001", "john@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendOrder("299938", "john.old@example.com", "cafe-demo.myshopify.com", t0, "paid") // listed in orders_to_redact
	s.sendOrder("1002", "jane@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendOrder("280263", "jane@example.com", "other-shop.myshopify.com", t0, "paid") // listed, but another shop's order
	s.sendBooking("bk_1", "John@Example.com")
	s.sendBooking("bk_2", "jane@example.com")
	if err := s.emu.SetValues(s.id, "Orders!J1:J2", [][]any{{"notes"}, {"VIP, call back"}}); err != nil {
		t.Fatal(err)
	}
	before := map[string]map[string]map[string]string{"Orders": s.table("Orders"), "Bookings": s.table("Bookings")}
	if before["Orders"]["1001"]["customer_ref"] == "" || before["Bookings"]["bk_1"]["customer_ref"] != before["Orders"]["1001"]["customer_ref"] {
		t.Fatalf("the customer's rows lack the same pseudonym: %v %v", before["Orders"]["1001"], before["Bookings"]["bk_1"])
	}

	d := delivery{topic: "customers/redact", body: complianceBody(t, "shopify_customers_redact.json"), secret: testSecret, event: "evt-redact"}
	r := s.send(d)
	if r.status != http.StatusOK || r.answer.Result != "erased" || s.answerRows(r) != 3 {
		t.Fatalf("customers/redact = %d %s, want 200 erased, 3 rows", r.status, r.body)
	}
	after := map[string]map[string]map[string]string{"Orders": s.table("Orders"), "Bookings": s.table("Bookings")}
	erased := map[string][]string{"Orders": {"1001", "299938"}, "Bookings": {"bk_1"}}
	for tab, rows := range before {
		for key, was := range rows {
			now := after[tab][key]
			if !slices.Contains(erased[tab], key) {
				if diff := cmp.Diff(was, now); diff != "" {
					t.Errorf("%s %s, not the customer's, changed (-before +after):\n%s", tab, key, diff)
				}
				continue
			}
			for h, v := range was {
				want := v
				switch h {
				case "customer_ref":
					want = ""
				case "_safeview_version":
					want = v + " erased"
				}
				if now[h] != want {
					t.Errorf("%s %s: %s = %q, want %q", tab, key, h, now[h], want)
				}
			}
		}
	}

	// Shopify retries: nothing left to clear.
	if r := s.send(d); r.status != http.StatusOK || r.answer.Result != "erased" || s.answerRows(r) != 0 {
		t.Errorf("customers/redact again = %d %s, want 200 erased, 0 rows", r.status, r.body)
	}
	for _, c := range redactCustomer {
		if strings.Contains(s.logs.String(), c) {
			t.Errorf("the log holds the customer's %q", c)
		}
	}
}

// An update of an order racing its erasure, in either order: the update
// lands (the order is refunded) and the customer stays out, though the
// update's payload still carries them.
func TestErasureRacesAnUpdate(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ids := []string{"1001", "1002", "1003", "1004", "1005", "1006"}
	for _, id := range ids {
		s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", t0, "paid")
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", t0.Add(time.Hour), "refunded")
		}()
	}
	r := s.send(delivery{topic: "customers/redact", body: complianceBody(t, "shopify_customers_redact.json"), secret: testSecret, event: "evt-redact"})
	wg.Wait()
	if r.status != http.StatusOK || r.answer.Result != "erased" {
		t.Fatalf("customers/redact = %d %s, want 200 erased", r.status, r.body)
	}
	orders := s.table("Orders")
	for _, id := range ids {
		if row := orders[id]; row["status"] != "refunded" || row["customer_ref"] != "" {
			t.Errorf("order %s = status %q, customer_ref %q; want refunded, and no customer", id, row["status"], row["customer_ref"])
		}
	}
	// Later still, Shopify updates the order again: the customer stays out.
	s.sendOrder("1001", "john@example.com", "cafe-demo.myshopify.com", t0.Add(2*time.Hour), "paid")
	if row := s.table("Orders")["1001"]; row["status"] != "paid" || row["customer_ref"] != "" {
		t.Errorf("order 1001 after a later update = %v, want paid and no customer", row)
	}
}

// shop/redact removes every row of the shop, in the tables its source
// feeds; another shop's rows, another platform's, the other tables' and
// the team's rows without a key stay.
func TestShopRedact(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"1001", "1002", "1003"} {
		s.sendOrder(id, "john@example.com", "cafe-demo.myshopify.com", t0, "paid")
	}
	s.sendOrder("2001", "jane@example.com", "other-shop.myshopify.com", t0, "paid")
	s.sendWooOrder()
	s.sendBooking("bk_1", "john@example.com")
	rows, _ := s.emu.Snapshot(s.id, "Orders")
	team := fmt.Sprintf("Orders!A%d:J%d", len(rows)+1, len(rows)+1)
	if err := s.emu.SetValues(s.id, team, [][]any{{"", "cafe-demo.myshopify.com", "", "", "", "", "", "", "", "totals of the week"}}); err != nil {
		t.Fatal(err)
	}
	r := s.send(delivery{topic: "shop/redact", body: complianceBody(t, "shopify_shop_redact.json"), secret: testSecret, event: "evt-shop"})
	if r.status != http.StatusOK || r.answer.Result != "erased" || s.answerRows(r) != 3 {
		t.Fatalf("shop/redact = %d %s, want 200 erased, 3 rows", r.status, r.body)
	}
	var keys []string
	for k := range s.table("Orders") {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"(row 4)", "2001", "727"}; !slices.Equal(keys, want) {
		t.Errorf("Orders keys after shop/redact = %q, want %q", keys, want)
	}
	if len(s.table("Bookings")) != 1 {
		t.Errorf("Bookings = %v, want its row: the Shopify source does not feed it", s.table("Bookings"))
	}
	if r := s.send(delivery{topic: "shop/redact", body: complianceBody(t, "shopify_shop_redact.json"), secret: testSecret, event: "evt-shop"}); s.answerRows(r) != 0 {
		t.Errorf("shop/redact again = %s, want 0 rows", r.body)
	}
	if strings.Contains(s.logs.String(), "cafe-demo.myshopify.com\",\"message\":\"data request") {
		t.Errorf("the data request line names the shop")
	}
}

// customers/data_request is answered 200 with the number of rows; the
// log records the request's id and that number, and nothing that says
// who.
func TestDataRequest(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.sendOrder("1001", "john@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendOrder("280263", "", "cafe-demo.myshopify.com", t0, "paid") // requested by id
	s.sendOrder("1002", "jane@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendBooking("bk_1", "john@example.com")
	before := s.table("Orders")
	r := s.send(delivery{topic: "customers/data_request", body: complianceBody(t, "shopify_customers_data_request.json"), secret: testSecret, event: "evt-dr"})
	if r.status != http.StatusOK || r.answer.Result != "counted" || s.answerRows(r) != 3 {
		t.Fatalf("customers/data_request = %d %s, want 200 counted, 3 rows", r.status, r.body)
	}
	if diff := cmp.Diff(before, s.table("Orders")); diff != "" {
		t.Errorf("an access request changed the sheet (-before +after):\n%s", diff)
	}
	var line map[string]any
	for _, l := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(l, `"message":"data request"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line["data_request_id"] != "9999" || line["rows"] != float64(3) || line["request_id"] != "evt-dr" {
		t.Errorf("data request log line = %v, want the request's id 9999 and 3 rows", line)
	}
	for _, c := range append(redactCustomer, "cafe-demo.myshopify.com") {
		for k, v := range line {
			if strings.Contains(fmt.Sprint(v), c) {
				t.Errorf("the data request log line holds %q under %s", c, k)
			}
		}
	}
}

// Every compliance topic, and the erasure endpoint, refuse what is not
// signed with the source's secret: 401, and nothing changes.
func TestErasureNeedsTheSignature(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	s.sendOrder("1001", "john@example.com", "cafe-demo.myshopify.com", time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), "paid")
	before := s.table("Orders")
	for _, tt := range []struct{ topic, fixture string }{
		{"customers/redact", "shopify_customers_redact.json"},
		{"shop/redact", "shopify_shop_redact.json"},
		{"customers/data_request", "shopify_customers_data_request.json"},
	} {
		for _, secret := range []string{"", "another-secret"} {
			r := s.send(delivery{topic: tt.topic, body: complianceBody(t, tt.fixture), secret: secret})
			if r.status != http.StatusUnauthorized || r.answer.Rows != nil {
				t.Errorf("%s signed with %q = %d %s, want 401", tt.topic, secret, r.status, r.body)
			}
		}
	}
	body := []byte(`{"customer":{"email":"john@example.com"}}`)
	req := httptest.NewRequest(http.MethodPost, "/erasure", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	signed, _ := webhook.Sign(webhook.SchemeStandardWebhooks, "whsec_"+strings.Repeat("QUFB", 11), body, webhook.Options{})
	for k, v := range signed.Header {
		req.Header[k] = v
	}
	if r := s.do(req); r.status != http.StatusUnauthorized {
		t.Errorf("erasure signed with another secret = %d %s, want 401", r.status, r.body)
	}
	if diff := cmp.Diff(before, s.table("Orders")); diff != "" {
		t.Errorf("refused requests changed the sheet (-before +after):\n%s", diff)
	}
}

// The erasure endpoint, for platforms that forward no request: the same
// effect as Shopify's, for the source the body names.
func TestErasureEndpoint(t *testing.T) {
	t.Parallel()
	s := erasureStack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.sendWooOrder() // 727, john.doe@example.com
	s.sendOrder("1001", "jane@example.com", "cafe-demo.myshopify.com", t0, "paid")
	s.sendBooking("bk_1", "john.doe@example.com")
	before := s.table("Orders")
	tests := []struct {
		name   string
		body   string
		status int
		result string
		rows   int
	}{
		{"access by email", `{"scope":"access","customer":{"email":"John.Doe@example.com"},"request_id":"t-1"}`, 200, "counted", 2},
		{"an id without its source", `{"customer":{"id":"42"}}`, 400, "", 0},
		{"an unknown source", `{"source":"myspace","customer":{"id":"42"}}`, 400, "", 0},
		{"a misspelt key", `{"customer":{"emial":"john.doe@example.com"}}`, 400, "", 0},
		{"erase by order id, in the source's rows", `{"source":"woocommerce","order_ids":[727]}`, 200, "erased", 1},
		{"erase by email", `{"customer":{"email":"john.doe@example.com"}}`, 200, "erased", 1},
		{"again", `{"customer":{"email":"john.doe@example.com"}}`, 200, "erased", 0},
	}
	for _, tt := range tests {
		r := s.post("erasure", []byte(tt.body), http.Header{})
		if r.status != tt.status || r.answer.Result != tt.result || (tt.status == 200 && s.answerRows(r) != tt.rows) {
			t.Errorf("%s: POST /erasure = %d %s, want %d %s with %d rows", tt.name, r.status, r.body, tt.status, tt.result, tt.rows)
		}
		if strings.Contains(r.body, "john.doe") || strings.Contains(r.body, "emial") {
			t.Errorf("%s: the answer %s echoes the request", tt.name, r.body)
		}
	}
	orders := s.table("Orders")
	if diff := cmp.Diff(before["1001"], orders["1001"]); diff != "" {
		t.Errorf("another customer's order changed (-before +after):\n%s", diff)
	}
	if row := orders["727"]; row["customer_ref"] != "" || row["status"] != "paid" {
		t.Errorf("order 727 = %v, want paid, without its customer", row)
	}
	if ref := s.table("Bookings")["bk_1"]["customer_ref"]; ref != "" {
		t.Errorf("booking bk_1 customer_ref = %q, want it cleared", ref)
	}
}

// Canaries in erasure and access requests (the customer's email, phone
// and id, Shopify's and the erasure endpoint's) reach no log line, no
// answer, no cell and no request to the Sheets API, whether or not they
// find rows.
func TestErasureCanaries(t *testing.T) {
	t.Parallel()
	var rec *recorder
	s := newStackVia(t, bookingsWithRef, func(emu *gsheetstest.Server) *sheets.Service {
		rec = newRecorder(t, emu)
		return rec.service(t)
	})
	list := []canary{
		{value: "canary.erasure.7c1f@example.org"}, {value: "+33 6 71 82 93 04", digits: "33671829304"},
		{value: "918273645501", digits: "918273645501"}, {value: "canary.endpoint.4d2e@example.net"},
		{value: "+44 20 7946 0321", digits: "442079460321"}, {value: "cus_canary_55aa"},
	}
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.sendOrder("1001", list[0].value, "cafe-demo.myshopify.com", t0, "paid") // the customer has a row
	s.sendBooking("bk_1", list[3].value)
	redact := func(topic string) []byte {
		doc := map[string]any{"shop_id": 954889, "shop_domain": "cafe-demo.myshopify.com",
			"customer": map[string]any{"id": json.Number(list[2].value), "email": list[0].value, "phone": list[1].value}}
		if topic == "customers/redact" {
			doc["orders_to_redact"] = []int{1001}
		} else {
			doc["orders_requested"], doc["data_request"] = []int{1001}, map[string]any{"id": 77}
		}
		b, _ := json.Marshal(doc)
		return b
	}
	var answers []string
	for _, topic := range []string{"customers/data_request", "customers/redact", "customers/redact"} {
		r := s.send(delivery{topic: topic, body: redact(topic), secret: testSecret, event: "evt-" + topic})
		if r.status != http.StatusOK {
			t.Fatalf("%s = %d %s", topic, r.status, r.body)
		}
		answers = append(answers, r.body)
	}
	for _, scope := range []string{"access", "customer", "customer"} {
		body, _ := json.Marshal(map[string]any{"scope": scope, "source": "generic",
			"customer": map[string]any{"email": list[3].value, "phone": list[4].value, "id": list[5].value}})
		r := s.post("erasure", body, http.Header{})
		if r.status != http.StatusOK {
			t.Fatalf("erasure %s = %d %s", scope, r.status, r.body)
		}
		answers = append(answers, r.body)
	}
	if got := s.table("Orders")["1001"]["customer_ref"] + s.table("Bookings")["bk_1"]["customer_ref"]; got != "" {
		t.Errorf("customer_ref cells = %q after the erasures, want them cleared", got)
	}
	places := map[string][]string{"answer": answers, "log": strings.Split(s.logs.String(), "\n")}
	for _, tab := range []string{"Orders", "Bookings", "_safeview_undo"} {
		rows, _ := s.emu.Snapshot(s.id, tab)
		for _, r := range rows {
			places["cell of "+tab] = append(places["cell of "+tab], r...)
		}
	}
	for _, r := range rec.Sent() {
		places["request to the Sheets API"] = append(places["request to the Sheets API"], r.URL, string(r.Body))
	}
	// The rows were written before the erasures: the first two canaries
	// went to Google then, as pseudonyms only. Look for every canary.
	var leaks []leak
	for place, texts := range places {
		for _, text := range texts {
			leaks = append(leaks, findCanaries(list, text, place)...)
		}
	}
	for _, l := range leaks {
		t.Errorf("canary %q found (%s) in a %s", l.canary.value, l.form, l.place)
	}
}
