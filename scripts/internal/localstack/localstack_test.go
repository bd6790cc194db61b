package localstack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// stack is the one stack of this test binary: functions-framework-go
// serves once per process. Its deliveries have a deadline of deadline.
var stack *Stack

const deadline = time.Second

// patience is how long a test waits for what a timeout promises: many
// times the timeouts, on a shared, noisy machine. No test asserts a speed.
const patience = 30 * time.Second

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	path, err := withDeadline(DefaultConfig(), deadline)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.Remove(path)
	st, err := Start(context.Background(), Options{Config: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	stack = st
	return m.Run()
}

// withDeadline writes a copy of the configuration file with
// limits.deadline set to d.
func withDeadline(path string, d time.Duration) (string, error) {
	return editConfig(path, func(root *yaml.Node) error {
		v := child(child(root, "limits"), "deadline")
		if v == nil {
			return fmt.Errorf("%s: no limits.deadline", path)
		}
		v.Value = d.String()
		return nil
	})
}

// slowClient is what a slow, or malicious, client got: the status of the
// answer (0 if none), and how long the server kept its connection open.
type slowClient struct {
	status   int
	answered time.Duration // when the answer came
	open     time.Duration
	err      error // the server had not closed the connection after patience
}

// slowly opens a connection to addr, sends first, then one byte of
// trickle (cycling) every tick, until the server closes the connection.
func slowly(addr, first, trickle string, tick time.Duration) slowClient {
	start := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return slowClient{err: err}
	}
	defer c.Close()
	_ = c.SetReadDeadline(start.Add(patience))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		if _, err := io.WriteString(c, first); err != nil || trickle == "" {
			return
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for i := 0; ; i = (i + 1) % len(trickle) {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if _, err := c.Write([]byte{trickle[i]}); err != nil {
				return
			}
		}
	}()
	var sc slowClient
	br := bufio.NewReader(c)
	if resp, err := http.ReadResponse(br, nil); err == nil {
		sc.status, sc.answered = resp.StatusCode, time.Since(start)
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	// Then the server must close the connection: EOF or a reset, not
	// this side's deadline.
	_, err = io.Copy(io.Discard, br)
	sc.open = time.Since(start)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		sc.err = fmt.Errorf("still open after %s", patience)
	}
	return sc
}

// 200 slow clients at once: each connection is closed by the server
// within the timeouts, and a body that does not arrive by the delivery's
// deadline gets the function's answer (408, or 404 for no source) by then.
func TestSlowClientsAreCut(t *testing.T) {
	addr := strings.TrimPrefix(stack.Ready.WebhookBase, "http://")
	head := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: fn.example\r\nContent-Type: application/json\r\n"
	}
	kinds := []struct {
		name    string
		n       int
		first   string
		trickle string
		tick    time.Duration
		status  int // -1: any
	}{
		{"silent", 50, "", "", 0, -1},
		{"headers a byte at a time", 100, head("/shopify") + "X-Slow: ", "a", 100 * time.Millisecond, -1},
		// 30 bytes, one every 500ms: 15s to send, far past the deadline.
		{"body a byte at a time", 40, head("/shopify") + "Content-Length: 30\r\n\r\n", "x", 500 * time.Millisecond, http.StatusRequestTimeout},
		// Answered without reading the body: the server's drain of it is
		// bounded by the same deadline.
		{"body a byte at a time, unknown source", 10, head("/nope") + "Content-Length: 30\r\n\r\n", "x", 500 * time.Millisecond, http.StatusNotFound},
	}
	results := make([]chan slowClient, len(kinds))
	for i, k := range kinds {
		results[i] = make(chan slowClient, k.n)
		for range k.n {
			go func() { results[i] <- slowly(addr, k.first, k.trickle, k.tick) }()
		}
	}
	for i, k := range kinds {
		var longest, latest time.Duration
		statuses := map[int]int{}
		var errs []error
		for range k.n {
			sc := <-results[i]
			if sc.err != nil {
				errs = append(errs, sc.err)
				continue
			}
			statuses[sc.status]++
			longest, latest = max(longest, sc.open), max(latest, sc.answered)
		}
		if len(errs) > 0 {
			t.Errorf("%s: %d of %d connections: %v", k.name, len(errs), k.n, errs[0])
		}
		if k.status >= 0 && statuses[k.status] != k.n {
			t.Errorf("%s: answers %v (status: connections), want %d × %d", k.name, statuses, k.n, k.status)
		}
		t.Logf("%d clients, %s: answers %v (the latest after %s), the longest kept open %s", k.n, k.name, statuses,
			latest.Round(10*time.Millisecond), longest.Round(10*time.Millisecond))
	}
}

// The framework and the front keep the path as sent: the function routes
// only /{source}. Paths that are not clean (//, . and ..) are redirected
// to their clean form by the framework's router before the function sees
// them: they are not routed either.
func TestPathsThroughTheFramework(t *testing.T) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path   string
		status int // 3: any redirect
	}{
		{"/shopify", http.StatusUnauthorized}, // routed; unsigned
		{"/shopify/", http.StatusNotFound},
		{"/shopify%2f", http.StatusNotFound},
		{"/%2fshopify", http.StatusNotFound},
		{"/SHOPIFY", http.StatusNotFound},
		{"/%73hopify", http.StatusNotFound},
		{"//shopify", 3},
		{"/./shopify", 3},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, stack.Ready.WebhookBase+tt.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := resp.StatusCode; got != tt.status && !(tt.status == 3 && got/100 == 3) {
				t.Errorf("POST %s = %d %s, want %d", tt.path, got, body, tt.status)
			}
		})
	}
}
