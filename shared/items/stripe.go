package items

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	stripe "github.com/stripe/stripe-go/v85"

	"github.com/safeview/safeview/shared/platform"
)

// stripeAPI lists a Checkout Session's line items with stripe-go, the
// restricted key's one permission (Checkout Sessions: read). An order
// keyed by its PaymentIntent finds its session first, by the
// payment_intent filter of the sessions' list. Nothing is expanded.
type stripeAPI struct {
	backends *stripe.Backends
	calls    *atomic.Int64
	cache    *expirable.LRU[string, []platform.Item] // by order (its row's key)

	mu     sync.Mutex
	client *stripe.Client // of key, rebuilt when the key rotates
	key    string
}

func (s *stripeAPI) clientOf(key string) *stripe.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil || s.key != key {
		s.client, s.key = stripe.NewClient(key, stripe.WithBackends(s.backends)), key
	}
	return s.client
}

// maxStripeItems bounds the line items read of one session (a page of
// Stripe's list holds at most 100).
const maxStripeItems = 100

func newStripe(o Options, calls *atomic.Int64) *stripeAPI {
	cfg := &stripe.BackendConfig{
		HTTPClient: o.HTTPClient,
		// Safeview paces itself (Filler.pause) and never sleeps inside a
		// delivery.
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if o.Endpoint != "" {
		cfg.URL = stripe.String(strings.TrimSuffix(o.Endpoint, "/"))
	}
	return &stripeAPI{
		backends: &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg)},
		calls:    calls,
		cache:    expirable.NewLRU[string, []platform.Item](o.CacheSize, nil, 24*time.Hour),
	}
}

func (s *stripeAPI) needs(o *platform.Order) bool {
	return len(o.Items) == 0 && (strings.HasPrefix(o.ItemsRef, "cs_") || strings.HasPrefix(o.ItemsRef, "pi_")) &&
		apiID.MatchString(o.ItemsRef)
}

func (s *stripeAPI) cached(o *platform.Order) bool { return fromCache(s.cache, o) }

func (s *stripeAPI) fill(ctx context.Context, key string, o *platform.Order) (Outcome, error) {
	client := s.clientOf(key)
	session := o.ItemsRef
	if strings.HasPrefix(session, "pi_") {
		s.calls.Add(1)
		p := &stripe.CheckoutSessionListParams{PaymentIntent: stripe.String(session)}
		p.Limit = stripe.Int64(1)
		session = ""
		for cs, err := range client.V1CheckoutSessions.List(ctx, p).All(ctx) {
			if err != nil {
				return stripeError(err)
			}
			session = cs.ID
			break
		}
		if session == "" {
			return Missing, nil // paid without Checkout: no line items to read
		}
	}
	s.calls.Add(1)
	p := &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(session)}
	p.Limit = stripe.Int64(maxStripeItems)
	var items []platform.Item
	for li, err := range client.V1CheckoutSessions.ListLineItems(ctx, p).All(ctx) {
		if err != nil {
			return stripeError(err)
		}
		if li.Quantity > 0 {
			items = append(items, platform.Item{Name: li.Description, Quantity: li.Quantity})
		}
		if len(items) == maxStripeItems {
			break // the rest would need a page of its own
		}
	}
	if len(items) == 0 {
		return Missing, nil
	}
	s.cache.Add(o.ID, items)
	o.Items = items
	return Read, nil
}

// stripeError keeps of stripe-go's error what a log may say: the HTTP
// status and Stripe's error code, never its message (which may quote a
// value).
func stripeError(err error) (Outcome, error) {
	var se *stripe.Error
	if errors.As(err, &se) {
		switch se.HTTPStatusCode {
		case http.StatusNotFound:
			return Missing, nil
		case http.StatusTooManyRequests:
			lim := &ErrLimited{}
			if se.LastResponse != nil {
				lim.RetryAfter = retryAfter(se.LastResponse.Header)
			}
			return Paused, lim
		}
		return Failed, &apiError{status: se.HTTPStatusCode, code: string(se.Code)}
	}
	return Failed, scrub(err)
}
