package platform

import (
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func shopifyRequest(t testing.TB, topic, file string) Request {
	t.Helper()
	body, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(ShopifyTopicHeader, topic)
	h.Set(ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
	h.Set(ShopifyEventIDHeader, "evt-1")
	return Request{Header: h, Body: body}
}

func newShopify(t testing.TB) Preset {
	t.Helper()
	p, err := New("shopify", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShopifyOrder(t *testing.T) {
	t.Parallel()
	ev, err := newShopify(t).Decode(shopifyRequest(t, "orders/create", "shopify_orders_create_devdocs_sample.json"))
	if err != nil {
		t.Fatalf("Decode() error = %v", err)
	}
	est := time.FixedZone("", -5*3600)
	when := time.Date(2021, 12, 31, 19, 0, 0, 0, est)
	want := &Order{
		ID:        "820982911946154508", // above 2^53: must stay exact
		Number:    "#9999",
		Created:   when,
		Updated:   when,
		Status:    StatusCancelled,
		StatusRaw: "voided (cancelled)",
		Items: []Item{
			{Name: "Aviator sunglasses", Quantity: 1},
			{Name: "Mid-century lounger", Quantity: 1},
			{Name: "Coffee table", Quantity: 1},
		},
		Total:   Money{Amount: "369.97", Currency: "USD"},
		Store:   "cafe-demo.myshopify.com",
		Channel: "web",
		Test:    true,
	}
	if diff := cmp.Diff(want, ev.Order, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Decode() order mismatch (-want +got):\n%s", diff)
	}
	if ev.Kind != KindOrder || ev.Version != when.UnixMicro() || ev.DeliveryID != "evt-1" || ev.Topic != "orders/create" {
		t.Errorf("Decode() = kind %q version %d delivery %q topic %q", ev.Kind, ev.Version, ev.DeliveryID, ev.Topic)
	}
	wantCustomer := Customer{ID: "115310627314723954", Email: "john@example.com", Name: "John Smith", Phone: "123-123-1234"}
	if ev.Customer.ID != wantCustomer.ID || ev.Customer.Email != wantCustomer.Email || ev.Customer.Name != wantCustomer.Name {
		t.Errorf("Decode() customer = %+v, want %+v", ev.Customer, wantCustomer)
	}
}

func TestShopifyStoreOption(t *testing.T) {
	t.Parallel()
	p, _ := New("shopify", Options{Store: "Lyon"})
	ev, err := p.Decode(shopifyRequest(t, "orders/paid", "shopify_orders_create_devdocs_sample.json"))
	if err != nil || ev.Order.Store != "Lyon" {
		t.Fatalf("Decode() store = %v, %v, want Lyon", ev.Order, err)
	}
}

func TestShopifyStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		financial string
		cancelled bool
		want      Status
	}{
		{"paid", false, StatusPaid},
		{"pending", false, StatusPending},
		{"authorized", false, StatusPending},
		{"partially_paid", false, StatusPending},
		{"refunded", true, StatusRefunded},
		{"partially_refunded", false, StatusPartiallyRefunded},
		{"paid", true, StatusCancelled},
		{"voided", false, StatusCancelled},
		{"", false, StatusUnknown},
	}
	for _, tt := range tests {
		if got := shopifyStatus(tt.financial, tt.cancelled); got != tt.want {
			t.Errorf("shopifyStatus(%q, %v) = %q, want %q", tt.financial, tt.cancelled, got, tt.want)
		}
	}
}

func TestShopifyPrivacyTopics(t *testing.T) {
	t.Parallel()
	p := newShopify(t)
	tests := []struct {
		topic, file string
		want        Erasure
		customer    string
	}{
		{"customers/redact", "shopify_customers_redact.json", Erasure{Scope: EraseCustomer, Shop: "{shop}.myshopify.com", OrderIDs: []string{"299938", "280263", "220458"}}, "191167"},
		{"customers/data_request", "shopify_customers_data_request.json", Erasure{Scope: AccessRequest, Shop: "{shop}.myshopify.com", OrderIDs: []string{"299938", "280263", "220458"}, RequestID: "9999"}, "191167"},
		{"shop/redact", "shopify_shop_redact.json", Erasure{Scope: EraseShop, Shop: "{shop}.myshopify.com"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			ev, err := p.Decode(shopifyRequest(t, tt.topic, tt.file))
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if ev.Kind != KindErasure {
				t.Fatalf("Decode() kind = %q, want erasure", ev.Kind)
			}
			if diff := cmp.Diff(tt.want, *ev.Erasure); diff != "" {
				t.Errorf("Decode() erasure mismatch (-want +got):\n%s", diff)
			}
			if ev.Customer.ID != tt.customer {
				t.Errorf("Decode() customer id = %q, want %q", ev.Customer.ID, tt.customer)
			}
		})
	}
}

func TestShopifyRejects(t *testing.T) {
	t.Parallel()
	p := newShopify(t)
	good := shopifyRequest(t, "orders/create", "shopify_orders_create_devdocs_sample.json")
	tests := []struct {
		name   string
		mutate func(r *Request)
		want   error
	}{
		{"no topic", func(r *Request) { r.Header.Del(ShopifyTopicHeader) }, ErrUnknownTopic},
		{"not JSON", func(r *Request) { r.Body = []byte("id=1&x=2") }, ErrMalformed},
		{"two documents", func(r *Request) { r.Body = []byte(`{"id":1,"updated_at":"2024-01-01T00:00:00Z"} {}`) }, ErrMalformed},
		{"form content type", func(r *Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, ErrUnsupportedType},
		{"no id", func(r *Request) { r.Body = []byte(`{"updated_at":"2024-01-01T00:00:00Z"}`) }, ErrMalformed},
		{"float id", func(r *Request) { r.Body = []byte(`{"id":1.5,"updated_at":"2024-01-01T00:00:00Z"}`) }, ErrMalformed},
		{"bad time", func(r *Request) { r.Body = []byte(`{"id":1,"updated_at":"yesterday"}`) }, ErrMalformed},
		{"no time", func(r *Request) { r.Body = []byte(`{"id":1}`) }, ErrMalformed},
		{"bad total", func(r *Request) { r.Body = []byte(`{"id":1,"updated_at":"2024-01-01T00:00:00Z","total_price":"1e3"}`) }, ErrMalformed},
		{"id of wrong type", func(r *Request) { r.Body = []byte(`{"id":{"a":1},"updated_at":"2024-01-01T00:00:00Z"}`) }, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{Header: good.Header.Clone(), Body: good.Body}
			tt.mutate(&r)
			_, err := p.Decode(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestShopifyIgnoredTopic(t *testing.T) {
	t.Parallel()
	r := shopifyRequest(t, "products/update", "shopify_orders_create_devdocs_sample.json")
	ev, err := newShopify(t).Decode(r)
	if err != nil || ev.Kind != KindIgnored {
		t.Fatalf("Decode(products/update) = %q, %v, want ignored", ev.Kind, err)
	}
}

func TestSafeID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"b54557e4-bdd9-4b37-8a5f-bf7d70bcd043": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		"evt_1NGh":                             "evt_1NGh",
		"has space":                            "",
		"<script>":                             "",
		"":                                     "",
	} {
		if got := SafeID(in); got != want {
			t.Errorf("SafeID(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzShopifyDecode(f *testing.F) {
	body, _ := os.ReadFile("testdata/shopify_orders_create_devdocs_sample.json")
	f.Add(body, "orders/create")
	f.Add([]byte(`{"id":1,"updated_at":"2024-01-01T00:00:00Z"}`), "orders/paid")
	f.Add([]byte(`{"shop_domain":"x","customer":{"id":1}}`), "customers/redact")
	f.Add([]byte(`{"shop_id":1,"shop_domain":"x.myshopify.com"}`), "shop/redact")
	f.Add([]byte(`{"shop_id":1,"shop_domain":"x.myshopify.com","customer":{"id":1},"orders_requested":[],"data_request":{"id":2}}`), "customers/data_request")
	p, _ := New("shopify", Options{Shops: []string{"x.myshopify.com"}})
	f.Fuzz(func(t *testing.T, body []byte, topic string) {
		h := http.Header{}
		h.Set(ShopifyTopicHeader, topic)
		ev, err := p.Decode(Request{Header: h, Body: body})
		if err != nil {
			return
		}
		if ev.Kind == KindOrder && (ev.Order == nil || ev.Order.ID == "" || ev.Version == 0) {
			t.Fatalf("Decode() accepted an order without id or version: %+v", ev.Order)
		}
		if ev.Kind == KindErasure && (ev.Erasure == nil || ev.Erasure.Shop != "x.myshopify.com") {
			t.Fatalf("Decode() accepted a compliance request of another shop: %+v", ev.Erasure)
		}
	})
}
