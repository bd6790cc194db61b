// Package itemstest is an in-memory server speaking the read-only
// endpoints package items calls, shaped from the platforms' API
// references, for the real clients (stripe-go, net/http):
//
//	GET /v1/checkout/sessions?payment_intent=pi_…&limit=1   (Stripe)
//	GET /v1/checkout/sessions/{id}/line_items?limit=100       (Stripe)
//	GET /v2/orders/{id}                                       (Square)
//	GET /api/2.0/products/{id}                                (Lightspeed X-Series)
//
// It refuses what Safeview must never ask: any method but GET, any
// query parameter the endpoint is not read with (expand above all: an
// expanded customer or payment method), a request without the right
// bearer key. Its answers carry, like the real ones, fields that name a
// person (a Square fulfilment's recipient, a session's customer
// details), so that tests can prove they go nowhere.
package itemstest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Item is a line: a name and a quantity (Square's is a decimal string).
type Item struct {
	Name     string
	Quantity string
}

// Request is what the server saw of one call.
type Request struct {
	Method, Path string
	Query        url.Values
	Status       int
}

// Server is the fake. Set its fields before the first request, or under
// its lock with Set.
type Server struct {
	*httptest.Server
	// Key is the bearer credential every request must carry.
	Key string

	mu       sync.Mutex
	latency  time.Duration
	fail     float64 // share of calls answered 500
	limit    float64 // share of calls answered 429
	wait     int     // Retry-After of a 429, in seconds
	demo     bool
	sessions map[string]string // pi_… → cs_…
	lines    map[string][]Item // cs_… or Square order id → lines
	products map[string]string // product id → name
	log      []Request
}

// Canary is a value of a person that the fake's answers carry beside the
// line items: it must never reach a sheet, a log or an error.
const Canary = "canary.recipient@example.com"

// New starts a server that accepts key.
func New(key string) *Server {
	s := &Server{Key: key, wait: 1, sessions: map[string]string{}, lines: map[string][]Item{}, products: map[string]string{}}
	s.Server = httptest.NewServer(s)
	return s
}

// Faults sets the latency of every answer and the shares of calls
// answered 500 and 429.
func (s *Server) Faults(latency time.Duration, fail, limit float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency, s.fail, s.limit = latency, fail, limit
}

// RetryAfter sets the Retry-After header of a 429, in seconds (default 1).
func (s *Server) RetryAfter(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wait = seconds
}

// Demo has the server answer any id with lines of a small café's
// catalogue, chosen by the id: the local stack's demo orders.
func (s *Server) Demo() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.demo = true
}

// AddSession registers a Checkout Session (cs) of the PaymentIntent pi
// (may be empty) and its line items.
func (s *Server) AddSession(pi, cs string, lines ...Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pi != "" {
		s.sessions[pi] = cs
	}
	s.lines[cs] = lines
}

// AddOrder registers a Square order and its line items.
func (s *Server) AddOrder(id string, lines ...Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines[id] = lines
}

// AddProduct registers an X-Series product's name.
func (s *Server) AddProduct(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[id] = name
}

// Requests returns the calls seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

var catalogue = []string{"Grains de café 1kg", "Tasse en céramique", "Filtre V60", "Thé vert 100g", "Moulin manuel", "Carte cadeau"}

func (s *Server) demoLines(id string) []Item {
	h := fnv.New32a()
	h.Write([]byte(id))
	n := h.Sum32()
	lines := []Item{{catalogue[n%uint32(len(catalogue))], fmt.Sprint(1 + n/7%3)}}
	if n%2 == 0 {
		lines = append(lines, Item{catalogue[(n/11+1)%uint32(len(catalogue))], "1"})
	}
	return lines
}

// allowed lists the query parameters each endpoint is read with.
var allowed = map[string][]string{
	"sessions":   {"payment_intent", "limit"},
	"line_items": {"limit", "starting_after"},
	"orders":     nil,
	"products":   nil,
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency, fail, limit, wait := s.latency, s.fail, s.limit, s.wait
	s.mu.Unlock()
	if latency > 0 {
		time.Sleep(latency)
	}
	status, body := s.answer(r, fail, limit)
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Status: status})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", fmt.Sprint(wait))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func stripeErr(typ, code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"type": typ, "code": code, "message": msg}}
}

func (s *Server) answer(r *http.Request, fail, limit float64) (int, any) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var endpoint, id string
	switch {
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "checkout" && parts[2] == "sessions":
		endpoint = "sessions"
	case len(parts) == 5 && parts[0] == "v1" && parts[2] == "sessions" && parts[4] == "line_items":
		endpoint, id = "line_items", parts[3]
	case len(parts) == 3 && parts[0] == "v2" && parts[1] == "orders":
		endpoint, id = "orders", parts[2]
	case len(parts) == 4 && parts[0] == "api" && parts[1] == "2.0" && parts[2] == "products":
		endpoint, id = "products", parts[3]
	default:
		return http.StatusNotFound, stripeErr("invalid_request_error", "resource_missing", "unknown endpoint")
	}
	if r.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, stripeErr("invalid_request_error", "", "read-only: GET only")
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		return http.StatusUnauthorized, stripeErr("invalid_request_error", "", "wrong key")
	}
	for k := range r.URL.Query() {
		if !slices.Contains(allowed[endpoint], k) {
			// expand[] above all: an expanded customer, address or
			// payment method.
			return http.StatusBadRequest, stripeErr("invalid_request_error", "parameter_unknown", "refused parameter "+k)
		}
	}
	if endpoint == "orders" && r.Header.Get("Square-Version") == "" {
		return http.StatusBadRequest, map[string]any{"errors": []any{map[string]string{"category": "INVALID_REQUEST_ERROR", "code": "MISSING_REQUIRED_PARAMETER"}}}
	}
	switch x := rand.Float64(); {
	case x < limit:
		return http.StatusTooManyRequests, stripeErr("invalid_request_error", "rate_limit", "too many requests")
	case x < limit+fail:
		return http.StatusInternalServerError, stripeErr("api_error", "", "injected fault")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch endpoint {
	case "sessions":
		pi := r.URL.Query().Get("payment_intent")
		cs, ok := s.sessions[pi]
		if !ok && s.demo && strings.HasPrefix(pi, "pi_") {
			cs, ok = "cs_demo_"+strings.TrimPrefix(pi, "pi_"), true
		}
		data := []any{}
		if ok {
			data = append(data, map[string]any{
				"id": cs, "object": "checkout.session", "payment_intent": pi,
				"customer_details": map[string]any{"email": Canary, "name": "Canary Recipient"},
			})
		}
		return http.StatusOK, map[string]any{"object": "list", "url": "/v1/checkout/sessions", "has_more": false, "data": data}
	case "line_items":
		lines, ok := s.lines[id]
		if !ok && s.demo {
			lines, ok = s.demoLines(id), true
		}
		if !ok {
			return http.StatusNotFound, stripeErr("invalid_request_error", "resource_missing", "No such checkout.session")
		}
		data := []any{}
		for i, l := range lines {
			var q int64
			fmt.Sscan(l.Quantity, &q)
			data = append(data, map[string]any{"id": fmt.Sprintf("li_%s_%d", id, i), "object": "item", "description": l.Name, "quantity": q})
		}
		return http.StatusOK, map[string]any{"object": "list", "url": "/v1/checkout/sessions/" + id + "/line_items", "has_more": false, "data": data}
	case "orders":
		lines, ok := s.lines[id]
		if !ok && s.demo {
			lines, ok = s.demoLines(id), true
		}
		if !ok {
			return http.StatusNotFound, map[string]any{"errors": []any{map[string]string{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}}}
		}
		items := []any{}
		for i, l := range lines {
			items = append(items, map[string]any{"uid": fmt.Sprint(i), "name": l.Name, "quantity": l.Quantity, "variation_name": "Regular"})
		}
		return http.StatusOK, map[string]any{"order": map[string]any{
			"id": id, "line_items": items, "customer_id": "CANARYCUSTOMER",
			"fulfillments": []any{map[string]any{"type": "SHIPMENT", "shipment_details": map[string]any{
				"recipient": map[string]any{"display_name": "Canary Recipient", "email_address": Canary}}}},
		}}
	default: // products
		name, ok := s.products[id]
		if !ok && s.demo {
			name, ok = s.demoLines(id)[0].Name, true
		}
		if !ok {
			return http.StatusNotFound, map[string]any{"errors": []any{"not found"}}
		}
		return http.StatusOK, map[string]any{"data": map[string]any{"id": id, "name": name, "variant_name": name}}
	}
}
