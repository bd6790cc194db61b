// Package items reads the line items a webhook lacks from the platform's
// read-only API: a Stripe Checkout Session's line items, a Square order's,
// the names of the products a Lightspeed X-Series sale names by id.
//
// It is off unless a source names a credential (config.Items), and it
// never decides the fate of an order: a call that fails, is slow or is
// rate limited leaves the row written without items, and a later
// delivery of the order (a newer version) fills them. Only names and
// quantities are read; no request asks for, or expands, a customer, an
// address or a payment method, and what the platform sends beyond the
// line items is never decoded. Names go through the pipeline's guard like
// every other text.
package items

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
)

// Outcome says what a Fill did, for the row's log line.
type Outcome string

const (
	None    Outcome = ""        // nothing to read: the webhook had its items
	Read    Outcome = "read"    // read from the platform's API
	Cached  Outcome = "cached"  // read from this instance's cache, no call
	Paused  Outcome = "paused"  // the API asked to slow down: not called
	Failed  Outcome = "failed"  // the call failed or timed out: written without
	Missing Outcome = "missing" // the API knows no such order or product
)

// Options are what Filler needs beyond the source's configuration.
type Options struct {
	// Key returns the API credential (the newest version of the secret).
	Key func(context.Context) (string, error)
	// Endpoint replaces the platform's API base URL (tests, the local
	// stack): https://api.stripe.com, https://connect.squareup.com,
	// https://PREFIX.retail.lightspeed.app.
	Endpoint string
	// HTTPClient makes the calls; default a client of its own.
	HTTPClient *http.Client
	// CacheSize bounds the entries kept (orders, or products for X-Series);
	// default 10,000.
	CacheSize int
}

// api is one platform's read.
type api interface {
	// cached sets what o lacks from this instance's cache, as far as it
	// holds it, and reports whether nothing is left to read. It makes no
	// call: a paused API or an unreadable credential must not cost an
	// order the items it had (its next version would be written
	// without them, over them).
	cached(o *platform.Order) bool
	// fill reads what o lacks and sets it; it returns Missing when the
	// platform knows nothing of it.
	fill(ctx context.Context, key string, o *platform.Order) (Outcome, error)
	// needs reports whether o lacks anything this API can read.
	needs(o *platform.Order) bool
}

// Filler fills the missing line items of one source's orders.
type Filler struct {
	api     api
	key     func(context.Context) (string, error)
	timeout time.Duration

	mu      sync.Mutex
	until   time.Time     // no call before: the API said 429
	backoff time.Duration // the next pause after a 429 without Retry-After

	calls atomic.Int64
	group singleflight.Group // one read at a time per order
}

// ErrLimited is a 429 of the platform's API.
type ErrLimited struct{ RetryAfter time.Duration }

func (e *ErrLimited) Error() string { return "rate limited by the platform's API" }

// New builds the filler of a source of platform (stripe, square,
// lightspeed-xseries) with its items configuration.
func New(platformName string, c *config.Items, o Options) (*Filler, error) {
	if c == nil {
		return nil, errors.New("items: no configuration")
	}
	if o.Key == nil {
		return nil, errors.New("items: no credential")
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	// Whatever the client (stripe-go reads an answer whole), no answer
	// is read past maxAnswer.
	hc := *o.HTTPClient
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	hc.Transport = capped{hc.Transport}
	o.HTTPClient = &hc
	if o.CacheSize <= 0 {
		o.CacheSize = 10_000
	}
	f := &Filler{key: o.Key, timeout: time.Duration(c.Timeout)}
	if f.timeout <= 0 {
		f.timeout = config.DefaultItemsTimeout
	}
	switch platformName {
	case "stripe":
		f.api = newStripe(o, &f.calls)
	case "square":
		f.api = newSquare(o, &f.calls)
	case "lightspeed-xseries":
		f.api = newXSeries(o, c.DomainPrefix, &f.calls)
	default:
		return nil, fmt.Errorf("items: %s has no line items to read", platformName)
	}
	return f, nil
}

// Calls counts the API calls made so far.
func (f *Filler) Calls() int64 { return f.calls.Load() }

// Fill reads the line items ev's order lacks, within the filler's timeout
// and what is left of ctx's deadline (at most half of it: the sheet must
// still be written). It never fails the delivery: the error says why the
// items were left out, for the log, and never holds a value of the order.
func (f *Filler) Fill(ctx context.Context, ev *platform.Event) (Outcome, error) {
	o := ev.Order
	if o == nil || !f.api.needs(o) {
		return None, nil
	}
	if f.api.cached(o) {
		return Cached, nil
	}
	f.mu.Lock()
	paused := time.Now().Before(f.until)
	f.mu.Unlock()
	if paused {
		return Paused, nil
	}
	timeout := f.timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl)/2)
	}
	if timeout <= 0 {
		return Failed, context.DeadlineExceeded
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key, err := f.key(ctx)
	if err != nil {
		return Failed, fmt.Errorf("items credential: %w", err)
	}
	// The deliveries of one order that arrive together (Stripe sends its
	// checkout, payment and charge events at once) wait for one read: the
	// first one's, on a copy of its order (it may give up waiting, by its
	// deadline, while the read goes on), whose lines it then takes; the
	// others take theirs from the cache.
	first := new(byte) // distinct: pointers to zero-size values may be equal
	ch := f.group.DoChan(o.ID, func() (any, error) {
		c := *o
		c.Items = slices.Clone(o.Items)
		out, err := f.read(ctx, key, &c)
		return shared{first, out, c.Items}, err
	})
	select {
	case r := <-ch:
		res := r.Val.(shared)
		if res.first == first {
			o.Items = res.items
			return res.out, r.Err
		}
		if f.api.cached(o) {
			return Cached, nil
		}
		return res.out, r.Err
	case <-ctx.Done():
		return Failed, scrub(ctx.Err())
	}
}

// shared is the outcome of a read that deliveries of one order waited
// for, and the lines of the first one's order.
type shared struct {
	first *byte
	out   Outcome
	items []platform.Item
}

// read calls the API for what o lacks, and paces the next calls by its
// answer.
func (f *Filler) read(ctx context.Context, key string, o *platform.Order) (Outcome, error) {
	out, err := f.api.fill(ctx, key, o)
	var lim *ErrLimited
	switch {
	case errors.As(err, &lim):
		f.pause(lim.RetryAfter)
		return Paused, err
	case err != nil:
		return Failed, err
	}
	f.mu.Lock()
	f.backoff = 0
	f.mu.Unlock()
	return out, nil
}

// pause stops the calls for what the API asked, or for a pause that
// doubles from 1s to 1m while it keeps answering 429.
func (f *Filler) pause(after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if after <= 0 {
		f.backoff = min(max(2*f.backoff, time.Second), time.Minute)
		after = f.backoff
	}
	f.until = time.Now().Add(min(after, 10*time.Minute))
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(h http.Header) time.Duration {
	var s int
	if _, err := fmt.Sscanf(h.Get("Retry-After"), "%d", &s); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// apiError is a platform API's refusal: its status and code, never its
// message.
type apiError struct {
	status int
	code   string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("platform API answered %d", e.status)
	if e.code != "" {
		s += " (" + e.code + ")"
	}
	return s
}

// maxAnswer bounds what is read of an API's answer: a page of 100 line
// items is a few hundred kilobytes.
const maxAnswer = 4 << 20

// errTooLarge ends the reading of an answer past maxAnswer.
var errTooLarge = errors.New("platform API answered more than 4 MiB")

// capped is a transport whose answers' bodies fail past maxAnswer.
type capped struct{ next http.RoundTripper }

func (c capped) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: maxAnswer}
	}
	return resp, err
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the cap: an answer of exactly maxAnswer bytes ends here.
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// scrub keeps of a transport error its class: a timeout, a cancel, an
// answer too large, or a failed call. A URL in it would name an order.
func scrub(err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return errTooLarge
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return errors.New("platform API unreachable")
}
