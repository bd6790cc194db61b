package pubsubtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"

	"github.com/safeview/safeview/shared/queue"
)

// A pump of several subscriptions, each filtered on one destination,
// pushes each message once, through its own destination's subscription,
// and a destination whose pushes hang holds only its own window: the
// other's messages are pushed and acknowledged meanwhile.
func TestPumpKeepsEachSubscriptionsBacklogToItself(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	subs := map[string]string{"slow": "w-slow", "": "w-main"}
	filters := map[string]string{}
	for dest, sub := range subs {
		filters[sub] = queue.Filter(dest)
	}
	ps := withTopic(ctx, t, filters)

	release := make(chan struct{})
	var mu sync.Mutex
	seen := map[string][]string{} // message id → subscriptions that pushed it
	fast := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e envelope
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			t.Errorf("push: %v", err)
			return
		}
		dest := e.Message.Attributes[queue.AttrDestination]
		mu.Lock()
		seen[e.Message.MessageID] = append(seen[e.Message.MessageID], e.Subscription)
		want := SubscriptionName(subs[dest])
		if dest == queue.MainDestination {
			want = SubscriptionName(subs[""])
		}
		if e.Subscription != want {
			t.Errorf("message of destination %q pushed through %s, want %s", dest, e.Subscription, want)
		}
		if dest != "slow" {
			fast++
		}
		mu.Unlock()
		if dest == "slow" {
			<-release // hangs until the main destination's are all in
		}
	}))
	defer srv.Close()
	defer close(release)

	const each = 10
	pub := ps.Client.Publisher("rows")
	defer pub.Stop()
	// The slow destination's first: with one window for both, they
	// would fill it and the main destination's would wait behind them.
	// The main spreadsheet's: its attribute, empty (as published before
	// it said main), or none.
	attrs := func(i int, dest string) map[string]string {
		switch {
		case dest != "":
			return map[string]string{queue.AttrDestination: dest}
		case i%3 == 0:
			return map[string]string{queue.AttrDestination: queue.MainDestination}
		case i%3 == 1:
			return map[string]string{queue.AttrDestination: ""}
		}
		return map[string]string{"kind": "row"}
	}
	for _, dest := range []string{"slow", ""} {
		for i := range each {
			if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte("{}"), Attributes: attrs(i, dest)}).Get(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := &Pump{Server: ps, Subscriptions: []string{"w-slow", "w-main"}, Endpoint: srv.URL, Concurrency: 4,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 10 * time.Millisecond, AckDeadline: 20 * time.Second}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	for p.Stats().Acked < each {
		if ctx.Err() != nil {
			t.Fatalf("the main destination's %d messages not acknowledged while the slow one's hang: %+v", each, p.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	if fast != each {
		t.Errorf("main destination pushed %d times, want %d (once each)", fast, each)
	}
	slow := 0
	for id, by := range seen {
		if len(by) > 1 {
			t.Errorf("message %s pushed %d times (%v), want once", id, len(by), by)
		}
		if by[0] == SubscriptionName("w-slow") {
			slow++
		}
	}
	mu.Unlock()
	// The slow destination holds its window (2 of 4), no more.
	if slow != 2 {
		t.Errorf("slow destination has %d pushes in flight, want its window of 2", slow)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A pump that holds (the benchmark's) takes a message off the fake
// server at once, and still pushes it until the endpoint acknowledges it.
func TestPumpHoldsWhatItPulled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ps := withTopic(ctx, t, map[string]string{"w": ""})
	var mu sync.Mutex
	answers := []int{http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusOK}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		status := answers[0]
		answers = answers[1:]
		mu.Unlock()
		if status == http.StatusOK {
			<-release // the last attempt waits until the test has looked
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	pub := ps.Client.Publisher("rows")
	defer pub.Stop()
	if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte("{}")}).Get(ctx); err != nil {
		t.Fatal(err)
	}
	p := &Pump{Server: ps, Subscription: "w", Endpoint: srv.URL, Concurrency: 1, Hold: true,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 10 * time.Millisecond, AckDeadline: 20 * time.Second}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	for p.Stats().Pushes < 3 {
		if ctx.Err() != nil {
			t.Fatalf("pushes %+v, want 3", p.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Failed twice, its third push in flight: held, and acknowledged on
	// the fake server.
	if s := p.Stats(); s.Holding != 1 || s.Acked != 0 {
		t.Errorf("stats %+v, want 1 held, none acknowledged by the endpoint", s)
	}
	// The client sends acknowledgements in batches, shortly after.
	for ms := ps.Fake.Messages(); len(ms) != 1 || ms[0].Acks == 0; ms = ps.Fake.Messages() {
		if ctx.Err() != nil {
			t.Fatalf("the fake server's messages %v: want the one acknowledged there", ms)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	for p.Stats().Acked < 1 {
		if ctx.Err() != nil {
			t.Fatalf("stats %+v, want the third push acknowledged", p.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := p.Stats(); s.Holding != 0 || s.Failed != 2 {
		t.Errorf("stats %+v, want none held, 2 failed", s)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// withTopic starts a fake Pub/Sub with the topic rows and its
// subscriptions, by id, with their filters.
func withTopic(ctx context.Context, t *testing.T, filters map[string]string) *Server {
	t.Helper()
	ps, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	if err := ps.CreateTopic(ctx, "rows"); err != nil {
		t.Fatal(err)
	}
	for id, filter := range filters {
		if err := ps.CreateSubscription(ctx, id, "rows", filter); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}
