package localstack

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/safeview/safeview/shared/logging"
)

// The front is the local stack's HTTP server: Safeview's own, with
// timeouts, forwarding to the functions framework on a loopback port.
//
// funcframework.StartHostPort (v1.9.2) serves with http.ListenAndServe: no
// timeout of any kind, so a client that sends its headers a byte at a time,
// or nothing at all, holds a connection for ever. The framework exports
// neither the handler it builds (its wrapping of the function: the request
// deadline from CLOUD_RUN_TIMEOUT_SECONDS, logging ids, panic recovery) nor
// a way to hand it a server or a listener. Serving the function from a
// server of our own would mean rebuilding that wrapping, or linking to the
// framework's unexported initServer (go:linkname), which an upgrade would
// change without notice. A reverse proxy in front leaves the framework
// exactly as deployed, and puts the timeouts where production has Google's
// front end: in front of it. It costs one loopback hop per delivery, a
// tenth of a millisecond or so.

// Sizes of the front's connections.
const (
	// idleTimeout is how long a kept connection may wait for its next
	// request (the emulator's as well).
	idleTimeout = 60 * time.Second
	// frontMaxHeaderBytes: a platform's headers take a few KB.
	frontMaxHeaderBytes = 64 << 10
)

// newFront returns the front's server, forwarding to the framework at
// target, with timeouts sized from the function's deadline d
// (limits.deadline).
func newFront(target *url.URL, d time.Duration) *http.Server {
	// The function answers within d of the headers: 408 for a body not in
	// by then, 503 for a sheet not written. The read and write timeouts
	// only end what it lost track of.
	backstop := 2*d + time.Second
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   256, // the benchmark's bursts: the default 2 would dial for most deliveries
		IdleConnTimeout:       idleTimeout,
		ResponseHeaderTimeout: backstop,
		DisableCompression:    true,
	}
	return &http.Server{
		Handler: &front{target: target, transport: transport},
		// A platform sends its headers at once: a client slower than a
		// whole delivery may take is not one.
		ReadHeaderTimeout: d,
		ReadTimeout:       backstop,
		WriteTimeout:      backstop,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    frontMaxHeaderBytes,
	}
}

// front forwards each request to the framework as it was sent: method,
// escaped path, query, Host, headers and body, streamed.
type front struct {
	target    *url.URL
	transport http.RoundTripper
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := &watchedBody{ReadCloser: r.Body}
	body.ended.Store(r.ContentLength == 0)
	r.Body = body
	var closing bool
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(f.target)
			pr.Out.Host = pr.In.Host
		},
		Transport: f.transport,
		ModifyResponse: func(resp *http.Response) error {
			// The function answered before the body's end (a 408, a
			// 404) and closes its connection: close this one too.
			if closing = resp.Close && !body.ended.Load(); closing {
				resp.Header.Set("Connection", "close")
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() == nil {
				// Not a client that left: say it, the function did not.
				logging.Default().Warn("local front: no answer from the function", logging.KeyError, err.Error())
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.ServeHTTP(w, r)
	if closing {
		// Or the server would wait for the rest of the body, with no
		// deadline, before it closes the connection.
		body.stop(http.NewResponseController(w))
	}
}

// errStopped is what reading a stopped body returns.
var errStopped = errors.New("request body no longer read: the function has answered")

// watchedBody is a request body that says whether it was read to its end,
// and can be stopped.
type watchedBody struct {
	io.ReadCloser
	ended atomic.Bool

	mu      sync.Mutex // held while reading
	stopped bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, errStopped
	}
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.ended.Store(true)
	}
	return n, err
}

// stop ends the reading of a body that has not ended: a read waiting for
// the client's next byte (the proxy's, streaming it to the function) is
// ended by a read deadline in the past, and no read reaches the connection
// after it. The deadline stays, so the server's own last read of the body
// fails at once and the connection is closed. Had a read been waiting
// still when the handler returned, the server would have cleared the
// deadline (it aborts such a read with one, then resets it).
func (b *watchedBody) stop(rc *http.ResponseController) {
	if b.ended.Load() {
		return
	}
	_ = rc.SetReadDeadline(time.Now())
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
}
