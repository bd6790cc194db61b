package items_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/items"
	"github.com/safeview/safeview/shared/items/itemstest"
	"github.com/safeview/safeview/shared/platform"
)

// Only an id goes into a path or a query: a ref with URL-significant
// characters, or longer than any platform's ids, is never sent; an id
// of the longest documented size is.
func TestOnlyIDsAreSent(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Demo()
	for _, plat := range []string{"stripe", "square"} {
		f := filler(t, srv, plat, config.Items{Secret: "k"})
		for _, ref := range []string{
			"cs_a/../../v1/customers/cus_1", "cs_a?expand[]=customer", "pi_1&expand[]=data.customer", "pi_1#x",
			"cs_a%2F..", "pi_1 2", "cs_\u00e9", "cs_" + strings.Repeat("a", 300), "../v2/customers", "A/B",
		} {
			if out, _ := f.Fill(context.Background(), order(ref)); out != items.None {
				t.Errorf("%s: Fill(%q) = %q, want no call", plat, ref, out)
			}
		}
		if n := len(srv.Requests()); n != 0 {
			t.Fatalf("%s: %d requests for refs that are not ids: %v", plat, n, srv.Requests())
		}
	}
	// Stripe's ids may grow to 255 characters, Square's order ids to 192.
	for plat, ref := range map[string]string{
		"stripe": "cs_live_" + strings.Repeat("a1B2", 61) + "xyz", // 255
		"square": strings.Repeat("Q", 192),
	} {
		f := filler(t, srv, plat, config.Items{Secret: "k"})
		if out, err := f.Fill(context.Background(), order(ref)); out != items.Read {
			t.Errorf("%s: Fill of a %d-character id = %q, %v; want read", plat, len(ref), out, err)
		}
	}
	checkRequests(t, srv)
}

// Stripe's 429 says how long to wait in Retry-After, which stripe-go's
// error lets us read: the pause lasts that long, not the 1s default.
func TestStripeRetryAfterIsHonoured(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Faults(0, 0, 1)
	srv.RetryAfter(60)
	f := filler(t, srv, "stripe", config.Items{Secret: "k"})
	if out, _ := f.Fill(context.Background(), order("cs_a")); out != items.Paused {
		t.Fatalf("Fill under 429 = %q", out)
	}
	srv.Faults(0, 0, 0)
	// Past the default pause (1s), within the one asked (60s).
	time.Sleep(1100 * time.Millisecond)
	before := f.Calls()
	if out, _ := f.Fill(context.Background(), order("cs_a")); out != items.Paused || f.Calls() != before {
		t.Errorf("Fill 1.1s after a 429 with Retry-After: 60 = %q, %d calls (was %d); want paused, no call", out, f.Calls(), before)
	}
}

// An order whose items were read keeps them while the API is paused or
// the credential cannot be read: its next version would otherwise be
// written without items, over the row that had them.
func TestCachedItemsOutliveAPauseAndAMissingKey(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddOrder("ORDERA", itemstest.Item{Name: "Latte", Quantity: "2"})
	var mu sync.Mutex
	keyErr := error(nil)
	f, err := items.New("square", &config.Items{Secret: "k", Timeout: config.Duration(10 * time.Second)}, items.Options{
		Endpoint: srv.URL,
		Key: func(context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			return key, keyErr
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := f.Fill(context.Background(), order("ORDERA")); out != items.Read || err != nil {
		t.Fatalf("first Fill = %q, %v", out, err)
	}
	// Another order meets a 429: the source's calls pause.
	srv.Faults(0, 0, 1)
	srv.RetryAfter(60)
	if out, _ := f.Fill(context.Background(), order("ORDERB")); out != items.Paused {
		t.Fatalf("Fill under 429 = %q, want paused", out)
	}
	ev := order("ORDERA")
	if out, err := f.Fill(context.Background(), ev); out != items.Cached || err != nil || names(ev.Order) != "Latte x2" {
		t.Errorf("Fill of a cached order while paused = %q, %v, items %q; want cached, Latte x2", out, err, names(ev.Order))
	}
	// The secret cannot be read (a rotation gone wrong): the cache still
	// answers.
	mu.Lock()
	keyErr = errors.New("secret unavailable")
	mu.Unlock()
	if out, err := f.Fill(context.Background(), order("ORDERA")); out != items.Cached || err != nil {
		t.Errorf("Fill of a cached order without its key = %q, %v; want cached", out, err)
	}
}

// X-Series names a product by id: a product read once is named from the
// cache while the API is paused.
func TestXSeriesCachedNamesOutliveAPause(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddProduct("p-1", "Flat white")
	f := filler(t, srv, "lightspeed-xseries", config.Items{Secret: "k", DomainPrefix: "cafe"})
	sale := func(ids ...string) *platform.Event {
		o := &platform.Order{ID: "s"}
		for _, id := range ids {
			o.Items = append(o.Items, platform.Item{Name: id, ProductID: id, Quantity: 1})
		}
		return &platform.Event{Kind: platform.KindOrder, Order: o}
	}
	if out, err := f.Fill(context.Background(), sale("p-1")); out != items.Read || err != nil {
		t.Fatalf("first Fill = %q, %v", out, err)
	}
	srv.Faults(0, 0, 1)
	srv.RetryAfter(60)
	if out, _ := f.Fill(context.Background(), sale("p-2")); out != items.Paused {
		t.Fatalf("Fill under 429 = %q, want paused", out)
	}
	ev := sale("p-1", "p-2")
	f.Fill(context.Background(), ev)
	if got := names(ev.Order); got != "Flat white x1, p-2 x1" {
		t.Errorf("items while paused = %q, want the cached name and the other id", got)
	}
}

// An answer larger than anything a list of line items holds is not read
// to its end, whatever the client (stripe-go reads bodies whole).
func TestHugeAnswersAreCut(t *testing.T) {
	huge := strings.Repeat("a", 5<<20)
	stripeAnswer := []byte(`{"object":"list","has_more":false,"url":"/v1/x","data":[{"id":"li_1","object":"item","description":"` + huge + `","quantity":1}]}`)
	squareAnswer := []byte(`{"order":{"line_items":[{"name":"` + huge + `","quantity":"1"}]}}`)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			w.Write(stripeAnswer)
		} else {
			w.Write(squareAnswer)
		}
	}))
	defer api.Close()
	for plat, ref := range map[string]string{"stripe": "cs_huge", "square": "HUGE"} {
		f, err := items.New(plat, &config.Items{Secret: "k", Timeout: config.Duration(10 * time.Second)}, items.Options{
			Endpoint: api.URL, Key: func(context.Context) (string, error) { return key, nil }})
		if err != nil {
			t.Fatal(err)
		}
		ev := order(ref)
		out, err := f.Fill(context.Background(), ev)
		if out != items.Failed || err == nil || len(ev.Order.Items) != 0 {
			t.Errorf("%s: Fill of a 5 MiB answer = %q, %v, %d items; want failed", plat, out, err, len(ev.Order.Items))
		}
		if err != nil && strings.Contains(err.Error(), "aaaa") {
			t.Errorf("%s: the error quotes the answer", plat)
		}
	}
}

// Many deliveries of the same orders at once, some meeting 429s and
// 500s: no race, and every Fill ends read, cached, paused or failed.
func TestConcurrentFills(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.Demo()
	srv.Faults(time.Millisecond, 0.2, 0.1)
	for _, plat := range []string{"stripe", "square"} {
		f := filler(t, srv, plat, config.Items{Secret: "k"})
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ref := fmt.Sprintf("pi_%d", i%3)
				if plat == "square" {
					ref = fmt.Sprintf("ORDER%d", i%3)
				}
				ev := order(ref)
				out, _ := f.Fill(context.Background(), ev)
				switch out {
				case items.Read, items.Cached:
					if len(ev.Order.Items) == 0 {
						t.Errorf("%s: %q without items", plat, out)
					}
				case items.Paused, items.Failed:
				default:
					t.Errorf("%s: Fill = %q", plat, out)
				}
			}()
		}
		wg.Wait()
	}
}

// A sale whose only product is unknown to the API says so: the log line
// must not claim the names came from the cache.
func TestXSeriesUnknownProductIsMissing(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	f := filler(t, srv, "lightspeed-xseries", config.Items{Secret: "k", DomainPrefix: "cafe"})
	ev := &platform.Event{Kind: platform.KindOrder, Order: &platform.Order{ID: "s", Items: []platform.Item{{Name: "gone", ProductID: "gone", Quantity: 1}}}}
	if out, err := f.Fill(context.Background(), ev); out != items.Missing || err != nil || names(ev.Order) != "gone x1" {
		t.Errorf("Fill of a deleted product = %q, %v, %q; want missing, its id kept", out, err, names(ev.Order))
	}
}

// Stripe sends an order's checkout, payment and charge events together:
// the deliveries of one order that arrive at once make one read, not
// one each.
func TestOneReadForAnOrderAtOnce(t *testing.T) {
	srv := itemstest.New(key)
	defer srv.Close()
	srv.AddSession("pi_3Burst", "cs_burst", itemstest.Item{Name: "Tasse", Quantity: "1"})
	srv.Faults(300*time.Millisecond, 0, 0)
	f := filler(t, srv, "stripe", config.Items{Secret: "k"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := order("pi_3Burst")
			if out, err := f.Fill(context.Background(), ev); names(ev.Order) != "Tasse x1" {
				t.Errorf("Fill = %q, %v, items %q", out, err, names(ev.Order))
			}
		}()
	}
	wg.Wait()
	if got := f.Calls(); got != 2 {
		t.Errorf("%d calls for 8 deliveries of one order at once, want 2 (its session, its line items)", got)
	}
}
