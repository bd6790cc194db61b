package webhookfn

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
)

// These tests cover the edge of the function: which paths it routes, and
// how long a client may take to send its body. Deadlines are short; the
// bounds the tests wait for are generous, and no test asserts a speed.

// withDeadline sets the delivery's deadline.
func withDeadline(d time.Duration) func(*config.Config) {
	return func(c *config.Config) { c.Limits.Deadline = config.Duration(d) }
}

// patience is how long a test waits for what the deadline promises, many
// times the deadline on a shared, noisy machine.
const patience = 30 * time.Second

// A source is reached by exactly one path, "/" and its name: the variants
// that decode, clean or fold to it are other paths, answered 404.
func TestOnlyTheCanonicalPathRoutes(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, nil)
	tests := []struct {
		target string
		status int
	}{
		{"/woo", 200},
		{"/woo?x=1", 200},
		{"/woo/", 404},
		{"/woo%2f", 404},
		{"/woo%2F", 404},
		{"/%2fwoo", 404},
		{"/%2Fwoo", 404},
		{"//woo", 404},
		{"/woo//", 404},
		{"/./woo", 404},
		{"/woo/.", 404},
		{"/WOO", 404},
		{"/Woo", 404},
		{"/%77oo", 404},
		{"/woo%00", 404},
		{"/woo/extra", 404},
		{"/", 404},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			// A WooCommerce ping: 200 where the path names the source.
			r := httptest.NewRequest(http.MethodPost, tt.target, strings.NewReader("webhook_id=12"))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var a answer
			_ = json.Unmarshal(w.Body.Bytes(), &a)
			want := ""
			if tt.status == http.StatusNotFound {
				want = "unknown source"
			}
			if w.Code != tt.status || a.Error != want {
				t.Errorf("POST %s = %d %q, want %d %q", tt.target, w.Code, a.Error, tt.status, want)
			}
		})
	}
}

// A body that has not arrived by the delivery's deadline is answered 408:
// a client sending a byte now and then cannot hold the handler. Through a
// writer without read deadlines (a recorder), the handler stops waiting
// for the body on its own.
func TestSlowBodyIs408(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, withDeadline(50*time.Millisecond))
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	go func() { _, _ = pw.Write([]byte(`{"id":`)) }() // a start, then nothing
	r := httptest.NewRequest(http.MethodPost, "/woo", pr)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, r)
	}()
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatalf("no answer %s after a deadline of 50ms: the body read is not bounded in time", patience)
	}
	var a answer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer is not JSON: %q", w.Body)
	}
	if w.Code != http.StatusRequestTimeout || a.Error != "body not received in time" {
		t.Errorf("slow body = %d %q, want 408 %q", w.Code, a.Error, "body not received in time")
	}
	if strings.Contains(w.Body.String(), `"id"`) {
		t.Errorf("the answer echoes the body: %s", w.Body)
	}
}

// Over a real connection, the read deadline is the connection's: the
// server answers 408 and closes the connection, whose rest of body is
// still on its way. A body that arrives in pieces within the deadline is
// read, and the connection is kept for the next delivery.
func TestSlowBodyOverTheWire(t *testing.T) {
	t.Parallel()
	const deadline = 300 * time.Millisecond
	srv := httptest.NewServer(newTestHandler(t, withDeadline(deadline)))
	t.Cleanup(srv.Close)
	dial := func(t *testing.T) (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(patience))
		return c, bufio.NewReader(c)
	}
	head := func(length int) string {
		return fmt.Sprintf("POST /woo HTTP/1.1\r\nHost: fn.example\r\nContent-Length: %d\r\n\r\n", length)
	}

	t.Run("stalled", func(t *testing.T) {
		t.Parallel()
		c, br := dial(t)
		if _, err := io.WriteString(c, head(30)+`{"id":`); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("no answer %s after a deadline of %s: %v", patience, deadline, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"error":"body not received in time"`) {
			t.Errorf("stalled body = %d %s, want 408 body not received in time", resp.StatusCode, body)
		}
		if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("after the 408, reading the connection = %v, want it closed by the server", err)
		}
	})

	t.Run("in pieces within the deadline", func(t *testing.T) {
		t.Parallel()
		c, br := dial(t)
		for i := range 2 {
			if _, err := io.WriteString(c, head(len("webhook_id=12"))+"webhook_"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
			if _, err := io.WriteString(c, "id=12"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("delivery %d on one connection: %v", i+1, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"result":"ping"`) {
				t.Fatalf("delivery %d = %d %s, want 200 ping", i+1, resp.StatusCode, body)
			}
			// The next delivery comes after this one's deadline has
			// passed: it must not inherit it.
			time.Sleep(2 * deadline)
		}
	})
}
