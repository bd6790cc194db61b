package items

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/safeview/safeview/shared/platform"
)

// squareVersion is the Square API version Safeview reads orders with.
const squareVersion = "2025-10-16"

// squareAPI retrieves the order of a payment (GET /v2/orders/{id}), with
// a token limited to ORDERS_READ. The order also holds its fulfilments'
// recipients and its customer's id: only its line items' names and
// quantities are decoded, the rest of the answer is skipped unread.
type squareAPI struct {
	base  string
	http  *http.Client
	calls *atomic.Int64
	cache *expirable.LRU[string, []platform.Item]
}

func newSquare(o Options, calls *atomic.Int64) *squareAPI {
	base := "https://connect.squareup.com"
	if o.Endpoint != "" {
		base = strings.TrimSuffix(o.Endpoint, "/")
	}
	return &squareAPI{base: base, http: o.HTTPClient, calls: calls,
		cache: expirable.NewLRU[string, []platform.Item](o.CacheSize, nil, 24*time.Hour)}
}

// apiID is what an id must look like to be put in a URL: the platforms'
// ids are letters, digits, - and _, of at most 255 characters (Stripe's
// documented bound; Square's order ids are at most 192).
var apiID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

func (s *squareAPI) needs(o *platform.Order) bool {
	return len(o.Items) == 0 && apiID.MatchString(o.ItemsRef)
}

// squareOrder is the part of an order Safeview reads.
type squareOrder struct {
	Order struct {
		LineItems []struct {
			Name          string `json:"name"`
			VariationName string `json:"variation_name"`
			Quantity      string `json:"quantity"`
		} `json:"line_items"`
	} `json:"order"`
}

func (s *squareAPI) cached(o *platform.Order) bool { return fromCache(s.cache, o) }

func (s *squareAPI) fill(ctx context.Context, key string, o *platform.Order) (Outcome, error) {
	var so squareOrder
	h := http.Header{"Square-Version": {squareVersion}}
	if out, err := getJSON(ctx, s.http, s.calls, s.base+"/v2/orders/"+o.ItemsRef, key, h, &so); out != Read {
		return out, err
	}
	var items []platform.Item
	for _, li := range so.Order.LineItems {
		q, ok := squareQuantity(li.Quantity)
		if !ok {
			continue
		}
		name := li.Name
		if li.VariationName != "" && li.VariationName != "Regular" {
			name = strings.TrimSpace(name + " " + li.VariationName)
		}
		if name == "" {
			name = "Custom amount" // Square's own words for an unnamed line
		}
		items = append(items, platform.Item{Name: name, Quantity: q})
	}
	if len(items) == 0 {
		return Missing, nil
	}
	s.cache.Add(o.ID, items)
	o.Items = items
	return Read, nil
}

// squareQuantity reads a line's quantity, a decimal string ("2",
// "1.5" for an item sold by weight): a fraction counts as one more unit,
// the items cell counts lines, not kilograms.
func squareQuantity(s string) (int64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e9 {
		return 0, false
	}
	return int64(math.Ceil(f)), true
}

// fromCache sets o's items from cache, by order, if it holds them.
func fromCache(cache *expirable.LRU[string, []platform.Item], o *platform.Order) bool {
	items, ok := cache.Get(o.ID)
	if ok {
		o.Items = items
	}
	return ok
}

// getJSON GETs url with the bearer key and decodes the answer into v.
// It returns Read, Missing (404), or Failed with an error that names the
// status only; a 429 is ErrLimited.
func getJSON(ctx context.Context, c *http.Client, calls *atomic.Int64, url, key string, h http.Header, v any) (Outcome, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Failed, fmt.Errorf("items: bad request: %w", scrub(err))
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json")
	calls.Add(1)
	resp, err := c.Do(req)
	if err != nil {
		return Failed, scrub(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Missing, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return Paused, &ErrLimited{RetryAfter: retryAfter(resp.Header)}
	case resp.StatusCode != http.StatusOK:
		return Failed, &apiError{status: resp.StatusCode}
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		if errors.Is(err, errTooLarge) {
			return Failed, errTooLarge
		}
		return Failed, errors.New("platform API answered unreadable JSON")
	}
	return Read, nil
}
