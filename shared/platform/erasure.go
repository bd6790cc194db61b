package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/safeview/safeview/shared/webhook"
)

func init() {
	register("erasure", webhook.SchemeStandardWebhooks, func(Options) (Preset, error) { return erasure{}, nil })
}

// erasure decodes Safeview's own signed data subject request, for shops
// whose platform forwards none (Shopify sends its compliance topics to
// its own source). Signed per Standard Webhooks by default, so that any
// tool can sign it with a library; a source may choose another scheme.
// The body:
//
//	{"scope": "customer",                // or "access"; default customer
//	 "source": "woocommerce",            // the source the ids belong to
//	 "customer": {"email": "…", "id": "…", "phone": "…"},
//	 "order_ids": ["1001", 1002],
//	 "request_id": "ticket-42"}          // optional, logged
//
// A customer field or an order id is required. Unknown keys are refused:
// a misspelt "emial" must not erase nothing and answer 200.
type erasure struct{}

func (erasure) Name() string   { return "erasure" }
func (erasure) Scheme() string { return webhook.SchemeStandardWebhooks }

// DeliveryID reads Standard Webhooks' message id, under either prefix.
func (erasure) DeliveryID(h http.Header) string {
	return firstNonEmpty(h.Get(webhook.StandardIDHeader), h.Get(webhook.SvixIDHeader))
}

func (erasure) PIIPaths() []string { return []string{"customer"} }

// ErasureTopics are the topics of the erasure platform's events, by scope.
var ErasureTopics = map[ErasureScope]string{EraseCustomer: "erasure/customer", AccessRequest: "erasure/access"}

type erasureBody struct {
	Scope    string `json:"scope"`
	Source   string `json:"source"`
	Customer *struct {
		Email string          `json:"email"`
		ID    json.RawMessage `json:"id"`
		Phone string          `json:"phone"`
	} `json:"customer"`
	OrderIDs  []json.RawMessage `json:"order_ids"`
	RequestID json.RawMessage   `json:"request_id"`
}

func (erasure) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	var b erasureBody
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		// encoding/json names the unknown key; the message must not.
		if strings.Contains(err.Error(), "unknown field") {
			return Event{}, fmt.Errorf("%w: unknown key (known: scope, source, customer, order_ids, request_id)", ErrMalformed)
		}
		if err := unmarshal(r.Body, &b); err != nil {
			return Event{}, err // the same failure, described by field
		}
		return Event{}, fmt.Errorf("%w: not a JSON document", ErrMalformed)
	}
	if dec.More() {
		return Event{}, fmt.Errorf("%w: more than one JSON document", ErrMalformed)
	}
	er := &Erasure{Scope: ErasureScope(b.Scope), Source: b.Source}
	switch er.Scope {
	case "":
		er.Scope = EraseCustomer
	case EraseCustomer, AccessRequest:
	default:
		return Event{}, fmt.Errorf("%w: scope: want customer or access", ErrMalformed)
	}
	if b.Source != "" && SafeID(b.Source) == "" {
		return Event{}, fmt.Errorf("%w: source: not a source name", ErrMalformed)
	}
	var err error
	if er.OrderIDs, err = ids("order_ids", b.OrderIDs); err != nil {
		return Event{}, err
	}
	rid, err := id("request_id", b.RequestID)
	if err != nil {
		return Event{}, err
	}
	er.RequestID = SafeID(rid)
	ev := Event{Kind: KindErasure, Topic: ErasureTopics[er.Scope], DeliveryID: erasure{}.DeliveryID(r.Header), Erasure: er, Body: r.Body}
	if c := b.Customer; c != nil {
		cid, err := id("customer.id", c.ID)
		if err != nil {
			return Event{}, err
		}
		ev.Customer = Customer{ID: strings.TrimSpace(cid), Email: strings.TrimSpace(c.Email), Phone: strings.TrimSpace(c.Phone)}
	}
	if ev.Customer == (Customer{}) && len(er.OrderIDs) == 0 {
		return Event{}, fmt.Errorf("%w: name a customer (email, id or phone) or order_ids", ErrMalformed)
	}
	return ev, nil
}
