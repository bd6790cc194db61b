package webhookfn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

func (s *stack) sendAsync(d delivery) <-chan response {
	out := make(chan response, 1)
	go func() {
		req := httptest.NewRequest(http.MethodPost, "/shopify", bytes.NewReader(d.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(platform.ShopifyTopicHeader, d.topic)
		req.Header.Set(platform.ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
		req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(d.secret, d.body))
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		r := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
		_ = json.Unmarshal(rec.Body.Bytes(), &r.answer)
		out <- r
	}()
	return out
}

// heldFlush is a stack with order 1001's delivery in its flush, held until
// release.
func heldFlush(t *testing.T) (*stack, <-chan response, func()) {
	s := newStack(t)
	paused, release := s.emu.PauseNext(gsheetstest.MethodBatchUpdate)
	answered := s.sendAsync(delivery{topic: "orders/create", body: shopifyOrder(t, order{id: "1001"}), secret: testSecret})
	<-paused
	return s, answered, release
}

func (s *stack) waitStopping() {
	for {
		s.handler.stop.mu.Lock()
		stopping := s.handler.stop.stopping
		s.handler.stop.mu.Unlock()
		if stopping {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// On Shutdown, the flush in progress finishes and its delivery is
// answered 200; a delivery that arrives meanwhile gets 503 "shutting
// down" with Retry-After, and is not written.
func TestShutdownFinishesTheWorkInProgress(t *testing.T) {
	t.Parallel()
	s, inFlight, release := heldFlush(t)
	defer release()
	stopped := make(chan error, 1)
	go func() { stopped <- s.handler.Shutdown(context.Background()) }()
	s.waitStopping()
	late := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{id: "1002"}), secret: testSecret})
	if late.status != http.StatusServiceUnavailable || late.answer.Error != "shutting down" || late.header.Get("Retry-After") == "" {
		t.Errorf("delivery during the stop = %d %q (Retry-After %q), want 503 shutting down with Retry-After", late.status, late.answer.Error, late.header.Get("Retry-After"))
	}
	release()
	if r := <-inFlight; r.status != http.StatusOK || r.answer.Result != "written" {
		t.Errorf("delivery in flight = %d %q, want 200 written", r.status, r.body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if rows := s.rows(); len(rows) != 2 {
		t.Errorf("rows = %v, want the header and order 1001 only", rows)
	}
}

// When the budget ends first, what is still in progress is answered 503
// "shutting down" at once, which the platform retries.
func TestShutdownCutsWhatCannotFinish(t *testing.T) {
	t.Parallel()
	s, inFlight, release := heldFlush(t)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- s.handler.Shutdown(ctx) }()
	r := <-inFlight
	if r.status != http.StatusServiceUnavailable || r.answer.Error != "shutting down" {
		t.Errorf("delivery cut by the stop = %d %q, want 503 shutting down", r.status, r.body)
	}
	release()
	if err := <-stopped; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown past its budget = %v, want context.DeadlineExceeded", err)
	}
}

// envSIGTERMChild makes the test binary the child of
// TestSIGTERMStopsTheInstance.
const envSIGTERMChild = "SAFEVIEW_TEST_SIGTERM_CHILD"

// A real SIGTERM, to a real process: the instance answers the delivery in
// progress, refuses what comes next, and exits 0 within Cloud Run's 10
// seconds. The test binary runs itself as the instance.
func TestSIGTERMStopsTheInstance(t *testing.T) {
	if os.Getenv(envSIGTERMChild) != "" {
		sigtermChild(t)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGTERMStopsTheInstance$", "-test.count=1")
	cmd.Env = append(os.Environ(), envSIGTERMChild+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	var url string
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatalf("the child printed no URL; stderr:\n%s", stderr.String())
	}
	go func() {
		for lines.Scan() { // keep the pipe drained
		}
	}()
	post := func(id string) (int, string) {
		body := shopifyOrder(t, order{id: id})
		req, _ := http.NewRequest(http.MethodPost, url+"/shopify", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(platform.ShopifyTopicHeader, "orders/create")
		req.Header.Set(platform.ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
		req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(testSecret, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var a answer
		_ = json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a.Result + a.Error
	}
	type got struct {
		status int
		says   string
	}
	inFlight := make(chan got, 1)
	go func() { st, says := post("1001"); inFlight <- got{st, says} }()
	time.Sleep(300 * time.Millisecond) // the delivery is in its flush: the emulator answers in 1 s
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if st, says := post("1002"); st != 0 && (st != http.StatusServiceUnavailable || says != "shutting down") {
		t.Errorf("delivery after SIGTERM = %d %q, want 503 shutting down (or no connection)", st, says)
	}
	if g := <-inFlight; g.status != http.StatusOK || g.says != "written" {
		t.Errorf("delivery in flight at SIGTERM = %d %q, want 200 written", g.status, g.says)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the instance exited with %v, want 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the instance did not exit within Cloud Run's 10 seconds; stderr:\n%s", stderr.String())
	}
}

// sigtermChild serves the function over HTTP, with the SIGTERM watcher
// the deployed function sets up, until it exits.
func sigtermChild(t *testing.T) {
	s := newStack(t, gsheetstest.WithLatency(500*time.Millisecond, 0))
	watchStop(s.handler)
	srv := httptest.NewServer(s.handler)
	os.Stdout.WriteString("URL " + srv.URL + "\n")
	time.Sleep(30 * time.Second) // the watcher ends the process
	t.Fatal("no SIGTERM came")
}
