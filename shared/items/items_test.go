package items_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/items"
	"github.com/safeview/safeview/shared/items/itemstest"
	"github.com/safeview/safeview/shared/platform"
)

const key = "rk_test_itemsonly"

func filler(t *testing.T, srv *itemstest.Server, plat string, c config.Items) *items.Filler {
	t.Helper()
	if c.Timeout == 0 {
		// Not the 1s default: the tests share a loaded machine, and a
		// call that times out is tested on its own.
		c.Timeout = config.Duration(10 * time.Second)
	}
	f, err := items.New(plat, &c, items.Options{
		Key:      func(context.Context) (string, error) { return key, nil },
		Endpoint: srv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func order(ref string) *platform.Event {
	return &platform.Event{Kind: platform.KindOrder, Order: &platform.Order{ID: ref, ItemsRef: ref}}
}

func names(o *platform.Order) string {
	var s []string
	for _, it := range o.Items {
		s = append(s, it.Name+" x"+strconv.FormatInt(it.Quantity, 10))
	}
	return strings.Join(s, ", ")
}

// badRequests lists the requests that asked what the endpoint is not
// read with: the fake answers 400 to any other parameter (expand above
// all), 405 to a write, 401 to another key.
func badRequests(srv *itemstest.Server) []string {
	var bad []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet || r.Status == http.StatusBadRequest || r.Status == http.StatusMethodNotAllowed || r.Status == http.StatusUnauthorized {
			bad = append(bad, fmt.Sprintf("%s %s %v answered %d", r.Method, r.Path, r.Query, r.Status))
		}
		for k := range r.Query {
			if strings.Contains(k, "expand") {
				bad = append(bad, r.Path+" asks "+k)
			}
		}
	}
	return bad
}

func checkRequests(t *testing.T, srv *itemstest.Server) {
	t.Helper()
	for _, b := range badRequests(srv) {
		t.Errorf("Safeview asked what it must not: %s", b)
	}
}

func TestStripeSessionAndPaymentIntent(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddSession("pi_3Pabc", "cs_test_a1", itemstest.Item{Name: "Grains de café 1kg", Quantity: "2"}, itemstest.Item{Name: "Tasse en céramique", Quantity: "1"})
	f := filler(t, srv, "stripe", config.Items{Secret: "k"})

	// checkout.session.completed names its session.
	ev := order("cs_test_a1")
	out, err := f.Fill(context.Background(), ev)
	if err != nil || out != items.Read {
		t.Fatalf("Fill(cs) = %q, %v", out, err)
	}
	if got, want := names(ev.Order), "Grains de café 1kg x2, Tasse en céramique x1"; got != want {
		t.Errorf("items = %q, want %q", got, want)
	}
	// payment_intent.succeeded finds the session by its PaymentIntent.
	ev = order("pi_3Pabc")
	if out, err := f.Fill(context.Background(), ev); err != nil || out != items.Read {
		t.Fatalf("Fill(pi) = %q, %v", out, err)
	}
	if got := names(ev.Order); got != "Grains de café 1kg x2, Tasse en céramique x1" {
		t.Errorf("items by PaymentIntent = %q", got)
	}
	if f.Calls() != 3 {
		t.Errorf("calls = %d, want 3 (line items; the session's list, then its line items)", f.Calls())
	}
	// The refund of the same payment reads the cache.
	ev = order("pi_3Pabc")
	if out, _ := f.Fill(context.Background(), ev); out != items.Cached || f.Calls() != 3 {
		t.Errorf("second Fill = %q after %d calls, want cached and no call", out, f.Calls())
	}
	checkRequests(t, srv)
	for _, r := range srv.Requests() {
		if r.Path == "/v1/checkout/sessions" && (r.Query.Get("payment_intent") != "pi_3Pabc" || r.Query.Get("limit") != "1") {
			t.Errorf("session list asked %v", r.Query)
		}
	}
}

func TestNothingToRead(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	f := filler(t, srv, "stripe", config.Items{Secret: "k"})
	for _, ev := range []*platform.Event{
		order("ch_1Nxyz"), // a charge without PaymentIntent: nowhere to look
		{Kind: platform.KindOrder, Order: &platform.Order{ItemsRef: "cs_x", Items: []platform.Item{{Name: "kept", Quantity: 1}}}},
		{Kind: platform.KindBooking},
	} {
		if out, err := f.Fill(context.Background(), ev); out != items.None || err != nil {
			t.Errorf("Fill = %q, %v, want nothing done", out, err)
		}
	}
	if f.Calls() != 0 || len(srv.Requests()) != 0 {
		t.Errorf("%d calls for nothing to read", f.Calls())
	}
	// An unknown session or PaymentIntent: missing, written without items.
	for _, ref := range []string{"cs_unknown", "pi_unknown"} {
		ev := order(ref)
		if out, err := f.Fill(context.Background(), ev); out != items.Missing || err != nil || len(ev.Order.Items) != 0 {
			t.Errorf("Fill(%s) = %q, %v, items %v; want missing", ref, out, err, ev.Order.Items)
		}
	}
}

func TestSquareOrder(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddOrder("CAISEMtWJNdOPYyo1B", itemstest.Item{Name: "Latte", Quantity: "2"}, itemstest.Item{Name: "Beans by weight", Quantity: "1.25"})
	f := filler(t, srv, "square", config.Items{Secret: "k"})
	ev := order("CAISEMtWJNdOPYyo1B")
	if out, err := f.Fill(context.Background(), ev); out != items.Read || err != nil {
		t.Fatalf("Fill = %q, %v", out, err)
	}
	if got, want := names(ev.Order), "Latte x2, Beans by weight x2"; got != want {
		t.Errorf("items = %q, want %q (a fraction counts a unit more)", got, want)
	}
	checkRequests(t, srv)
	// A ref that is not an id is never put in a URL.
	for _, ref := range []string{"../v1/checkout/sessions", "a/b", "x?expand=customer", ""} {
		ev := order(ref)
		if out, _ := f.Fill(context.Background(), ev); out != items.None {
			t.Errorf("Fill(%q) = %q, want not called", ref, out)
		}
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestXSeriesProductNames(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddProduct("0242ac12-0002-11e9-e8c4-659494e33153", "Flat white")
	f := filler(t, srv, "lightspeed-xseries", config.Items{Secret: "k", DomainPrefix: "cafe"})
	ev := &platform.Event{Kind: platform.KindOrder, Order: &platform.Order{ID: "s1", Items: []platform.Item{
		{Name: "0242ac12-0002-11e9-e8c4-659494e33153", ProductID: "0242ac12-0002-11e9-e8c4-659494e33153", Quantity: 2},
		{Name: "Named on the sale", Quantity: 1},
		{Name: "deleted-product", ProductID: "deleted-product", Quantity: 1},
		{Name: "0242ac12-0002-11e9-e8c4-659494e33153", ProductID: "0242ac12-0002-11e9-e8c4-659494e33153", Quantity: 1, Returned: true},
	}}}
	if out, err := f.Fill(context.Background(), ev); out != items.Read || err != nil {
		t.Fatalf("Fill = %q, %v", out, err)
	}
	if got, want := names(ev.Order), "Flat white x2, Named on the sale x1, deleted-product x1, Flat white x1"; got != want {
		t.Errorf("items = %q, want %q", got, want)
	}
	if !ev.Order.Items[3].Returned {
		t.Error("a returned line lost its mark")
	}
	// One call per product, cached: the second sale calls only for the
	// product it did not find.
	if got := f.Calls(); got != 2 {
		t.Errorf("calls = %d, want 2 (one per distinct product)", got)
	}
	checkRequests(t, srv)
}

func TestRateLimitPausesCalls(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Faults(0, 0, 1) // every call 429, Retry-After: 1
	for _, plat := range []string{"stripe", "square"} {
		f := filler(t, srv, plat, config.Items{Secret: "k"})
		ref := map[string]string{"stripe": "cs_a", "square": "ORDER1"}[plat]
		out, err := f.Fill(context.Background(), order(ref))
		var lim *items.ErrLimited
		if out != items.Paused || !errors.As(err, &lim) {
			t.Fatalf("%s: Fill under 429 = %q, %v", plat, out, err)
		}
		before := f.Calls()
		if out, err := f.Fill(context.Background(), order(ref)); out != items.Paused || err != nil || f.Calls() != before {
			t.Errorf("%s: Fill while paused = %q, %v after %d calls (was %d): want no call", plat, out, err, f.Calls(), before)
		}
	}
}

func TestFailuresNameNoOrder(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Faults(0, 1, 0)
	for _, plat := range []string{"stripe", "square"} {
		f := filler(t, srv, plat, config.Items{Secret: "k"})
		ref := map[string]string{"stripe": "pi_SECRETREF", "square": "SECRETREF"}[plat]
		out, err := f.Fill(context.Background(), order(ref))
		if out != items.Failed || err == nil {
			t.Fatalf("%s: Fill under 500 = %q, %v", plat, out, err)
		}
		if strings.Contains(err.Error(), "SECRETREF") || strings.Contains(err.Error(), itemstest.Canary) {
			t.Errorf("%s: error %q names the order", plat, err)
		}
	}
	// The wrong key: refused, said without the key.
	bad, _ := items.New("square", &config.Items{Secret: "k"}, items.Options{
		Key: func(context.Context) (string, error) { return "wrong-key-value", nil }, Endpoint: srv.URL})
	srv.Faults(0, 0, 0)
	if out, err := bad.Fill(context.Background(), order("ORDER1")); out != items.Failed || err == nil || strings.Contains(err.Error(), "wrong-key-value") {
		t.Errorf("wrong key: %q, %v", out, err)
	}
}

// A slow API leaves the row to be written without items, within the
// filler's timeout and half of what is left of the delivery's deadline.
func TestSlowAPIIsLeftBehind(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Faults(2*time.Second, 0, 0)
	f := filler(t, srv, "square", config.Items{Secret: "k", Timeout: config.Duration(100 * time.Millisecond)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := f.Fill(ctx, order("ORDER1"))
	if out != items.Failed || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow: %q, %v; want failed by the timeout", out, err)
	}
	// Half of a nearly spent deadline.
	f = filler(t, srv, "square", config.Items{Secret: "k", Timeout: config.Duration(5 * time.Second)})
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	out, err = f.Fill(ctx, order("ORDER1"))
	if out != items.Failed || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow within a short deadline: %q, %v", out, err)
	}
	if ctx.Err() != nil {
		t.Error("Fill spent the whole deadline: the sheet would have no time left")
	}
}

// The fake refuses what Safeview must never ask, so that checkRequests
// can fail: an expanded customer, a write, another key.
func TestFakeRefusesWhatIsNeverAsked(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddSession("pi_1", "cs_1", itemstest.Item{Name: "x", Quantity: "1"})
	for _, c := range []struct {
		method, path, key string
		want              int
	}{
		{"GET", "/v1/checkout/sessions/cs_1/line_items?expand[]=data.price.product", key, 400},
		{"GET", "/v1/checkout/sessions?payment_intent=pi_1&expand[]=data.customer", key, 400},
		{"GET", "/v2/orders/O1?include=customer", key, 400},
		{"POST", "/v1/checkout/sessions/cs_1/line_items", key, 405},
		{"GET", "/v1/checkout/sessions/cs_1/line_items", "rk_other", 401},
		{"GET", "/v1/checkout/sessions/cs_1/line_items?limit=100", key, 200},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s = %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
	// 5 refused, the two that expand named twice (their status and their
	// parameter), the last one fine.
	if got := len(badRequests(srv)); got != 7 {
		t.Errorf("badRequests found %d problems, want 7: %q", got, badRequests(srv))
	}
}
