package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/safeview/safeview/shared/webhook"
)

// Shopify's webhook headers.
const (
	ShopifyTopicHeader      = "X-Shopify-Topic"
	ShopifyShopDomainHeader = "X-Shopify-Shop-Domain"
	ShopifyEventIDHeader    = "X-Shopify-Event-Id"
	ShopifyWebhookIDHeader  = "X-Shopify-Webhook-Id"
)

func init() {
	register("shopify", webhook.SchemeShopify, shopifyPreset)
}

// shopify decodes Shopify's order topics and its mandatory compliance
// topics. Shopify signs the body only: X-Shopify-Topic and
// X-Shopify-Shop-Domain are not signed, and a captured body can be
// replayed with any of them. So the body decides: an order topic needs an
// order, a compliance topic needs exactly the fields Shopify documents for
// it (and none of another topic's), and a compliance request names its
// shop by the body's shop_domain, never by the header.
type shopify struct {
	opts Options
	// shops are the shops the source serves: Options.Shops, and
	// Options.Store when it is a myshopify.com domain. None: the source
	// serves the one shop its secret signs for.
	shops []string
}

func shopifyPreset(o Options) (Preset, error) {
	s := &shopify{opts: o}
	for _, d := range o.Shops {
		shop, ok := ShopDomain(d)
		if !ok {
			return nil, fmt.Errorf("shopify: shops: %q is not a shop's domain", d)
		}
		s.shops = append(s.shops, shop)
	}
	if shop, ok := ShopDomain(o.Store); ok && strings.HasSuffix(shop, ".myshopify.com") && !slices.Contains(s.shops, shop) {
		s.shops = append(s.shops, shop)
	}
	return s, nil
}

// ShopDomain returns a shop's domain in lower case, and whether it is one:
// a host name of at least two labels of letters, digits and inner
// hyphens, such as cafe-demo.myshopify.com.
func ShopDomain(s string) (string, bool) {
	d := shopKey(s)
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return "", false
			}
		}
	}
	return d, true
}

// shopKey is a shop's domain as shops are compared.
func shopKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// serves reports whether the source serves a shop (a domain as Shopify
// sends it).
func (s *shopify) serves(shop string) bool {
	return len(s.shops) == 0 || slices.Contains(s.shops, shopKey(shop))
}

func (*shopify) Name() string   { return "shopify" }
func (*shopify) Scheme() string { return webhook.SchemeShopify }

// DeliveryID prefers X-Shopify-Event-Id, which Shopify keeps across the
// retries of one event, then X-Shopify-Webhook-Id.
func (*shopify) DeliveryID(h http.Header) string {
	if v := h.Get(ShopifyEventIDHeader); v != "" {
		return v
	}
	return h.Get(ShopifyWebhookIDHeader)
}

func (*shopify) PIIPaths() []string {
	return []string{
		"email", "contact_email", "phone", "browser_ip", "client_details", "note", "note_attributes",
		"billing_address", "shipping_address", "customer", "order_status_url", "token", "cart_token",
		"checkout_token", "landing_site", "referring_site", "line_items[].properties",
		"payment_details", "fulfillments[].destination", "refunds[].note",
		// The compliance topics' shop, personal data when the shop is a
		// person's (testdata/SOURCES.md counts it).
		"shop_domain",
	}
}

type shopifyOrder struct {
	ID          json.RawMessage `json:"id"`
	Name        string          `json:"name"`
	OrderNumber json.RawMessage `json:"order_number"`
	// OrderRef is the order_id of the bodies that point to an order (a
	// draft order, a fulfillment, a refund): an order has none.
	OrderRef          json.RawMessage `json:"order_id"`
	CreatedAt         string          `json:"created_at"`
	UpdatedAt         string          `json:"updated_at"`
	CancelledAt       *string         `json:"cancelled_at"`
	FinancialStatus   string          `json:"financial_status"`
	Currency          string          `json:"currency"`
	TotalPrice        json.Number     `json:"total_price"`
	CurrentTotalPrice json.Number     `json:"current_total_price"`
	SourceName        string          `json:"source_name"`
	Test              bool            `json:"test"`
	Email             string          `json:"email"`
	ContactEmail      string          `json:"contact_email"`
	Phone             string          `json:"phone"`
	LineItems         []struct {
		Name     string      `json:"name"`
		Title    string      `json:"title"`
		Quantity json.Number `json:"quantity"`
	} `json:"line_items"`
	Customer *struct {
		ID        json.RawMessage `json:"id"`
		Email     string          `json:"email"`
		FirstName string          `json:"first_name"`
		LastName  string          `json:"last_name"`
		Phone     string          `json:"phone"`
	} `json:"customer"`
	BillingAddress *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"billing_address"`
}

type shopifyPrivacy struct {
	ShopID     json.RawMessage `json:"shop_id"`
	ShopDomain *string         `json:"shop_domain"`
	Customer   *struct {
		ID    json.RawMessage `json:"id"`
		Email string          `json:"email"`
		Phone string          `json:"phone"`
	} `json:"customer"`
	OrdersToRedact  []json.RawMessage `json:"orders_to_redact"`
	OrdersRequested []json.RawMessage `json:"orders_requested"`
	DataRequest     *struct {
		ID json.RawMessage `json:"id"`
	} `json:"data_request"`
}

// shopifyCompliance lists, for each compliance topic, the top-level keys
// of its documented body (shopify.dev, "Privacy law compliance"). A body
// must have each of them, and none of the other keys of complianceKeys: an
// order (id), or another topic's body, is not the request its topic
// header says. Keys Shopify may add later are let through.
var shopifyCompliance = map[string][]string{
	"shop/redact":            {"shop_id", "shop_domain"},
	"customers/redact":       {"shop_id", "shop_domain", "customer", "orders_to_redact"},
	"customers/data_request": {"shop_id", "shop_domain", "orders_requested", "customer", "data_request"},
}

// complianceKeys are the keys that tell the compliance bodies and an
// order apart.
var complianceKeys = []string{"shop_id", "shop_domain", "customer", "orders_to_redact", "orders_requested", "data_request", "id", "line_items"}

func (s *shopify) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	topic := r.Header.Get(ShopifyTopicHeader)
	ev := Event{Topic: topic, DeliveryID: s.DeliveryID(r.Header), Body: r.Body}
	switch topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/cancelled",
		"orders/fulfilled", "orders/partially_fulfilled", "orders/edited":
		return s.order(r, ev)
	case "customers/redact", "shop/redact", "customers/data_request":
		return s.compliance(r, ev)
	case "":
		return Event{}, fmt.Errorf("%w: no %s header", ErrUnknownTopic, ShopifyTopicHeader)
	}
	if !strings.Contains(topic, "/") || SafeID(topic) == "" {
		return Event{}, fmt.Errorf("%w: not a Shopify topic", ErrUnknownTopic)
	}
	ev.Kind = KindIgnored
	return ev, nil
}

func (s *shopify) order(r Request, ev Event) (Event, error) {
	var o shopifyOrder
	if err := unmarshal(r.Body, &o); err != nil {
		return Event{}, err
	}
	// An order has a number and lines; a draft order, a fulfillment or a
	// refund points to one (order_id) and a compliance body has neither.
	if o.OrderNumber == nil || o.LineItems == nil || o.OrderRef != nil {
		return Event{}, mismatch(ev.Topic, "an order")
	}
	// Shopify always names the shop; a body replayed from a store of
	// webhooks (a backfill) has no header, and the store: label or
	// nothing names it.
	if shop := r.Header.Get(ShopifyShopDomainHeader); shop != "" && !s.serves(shop) {
		return Event{}, fmt.Errorf("%w: %s: %s names a shop this source does not serve", ErrMalformed, ev.Topic, ShopifyShopDomainHeader)
	}
	orderID, err := orderID("id", o.ID)
	if err != nil {
		return Event{}, err
	}
	created, updated, v, err := stamps(parseTime, "created_at", o.CreatedAt, "updated_at", o.UpdatedAt)
	if err != nil {
		return Event{}, err
	}
	number := o.Name
	if number == "" {
		number, _ = id("order_number", o.OrderNumber)
	}
	order := &Order{
		ID:      orderID,
		Number:  number,
		Created: created,
		Updated: updated,
		Store:   s.store(r.Header),
		Channel: o.SourceName,
		Test:    o.Test,
	}
	order.Status, order.StatusRaw = ShopifyStatus(o.FinancialStatus, o.CancelledAt != nil && *o.CancelledAt != "")
	total := o.CurrentTotalPrice
	if total == "" {
		total = o.TotalPrice
	}
	if total != "" {
		amount, err := ParseDecimal(total.String())
		if err != nil {
			return Event{}, fmt.Errorf("%w: field %q is not a decimal", ErrMalformed, "total_price")
		}
		order.Total = Money{Amount: amount, Currency: strings.ToUpper(o.Currency)}
	}
	for _, li := range o.LineItems {
		name := li.Name
		if name == "" {
			name = li.Title
		}
		q, err := strconv.ParseInt(li.Quantity.String(), 10, 64)
		if err != nil {
			return Event{}, fmt.Errorf("%w: field %q is not an integer", ErrMalformed, "line_items.quantity")
		}
		if q, err = positive("line_items.quantity", q); err != nil {
			return Event{}, err
		}
		order.Items = append(order.Items, Item{Name: name, Quantity: q})
	}
	ev.Kind = KindOrder
	ev.Order = order
	ev.Version = v
	ev.Customer = Customer{Email: firstNonEmpty(o.Email, o.ContactEmail), Phone: o.Phone}
	if c := o.Customer; c != nil {
		ev.Customer.ID, _ = id("customer.id", c.ID)
		ev.Customer.Email = firstNonEmpty(c.Email, ev.Customer.Email)
		ev.Customer.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
		ev.Customer.Phone = firstNonEmpty(c.Phone, ev.Customer.Phone)
	}
	if b := o.BillingAddress; b != nil {
		ev.Customer.Name = firstNonEmpty(ev.Customer.Name, b.Name)
		ev.Customer.Phone = firstNonEmpty(ev.Customer.Phone, b.Phone)
	}
	return ev, nil
}

// compliance decodes a mandatory compliance request. Its shop is the
// body's shop_domain: the signed body is Shopify's word, the header is
// anyone's.
func (s *shopify) compliance(r Request, ev Event) (Event, error) {
	var keys map[string]json.RawMessage
	if err := unmarshal(r.Body, &keys); err != nil {
		return Event{}, err
	}
	want := shopifyCompliance[ev.Topic]
	for _, k := range complianceKeys {
		v, ok := keys[k]
		has := ok && string(v) != "null"
		if has != slices.Contains(want, k) {
			return Event{}, mismatch(ev.Topic, "its documented {"+strings.Join(want, ", ")+"}")
		}
	}
	var p shopifyPrivacy
	if err := unmarshal(r.Body, &p); err != nil {
		return Event{}, err
	}
	// Shopify's shop ids are integers.
	if sid := strings.TrimSpace(string(p.ShopID)); sid == "" || !digits(sid) {
		return Event{}, fmt.Errorf("%w: field %q is not an integer id", ErrMalformed, "shop_id")
	}
	shop := shopKey(*p.ShopDomain)
	if shop == "" {
		return Event{}, fmt.Errorf("%w: field %q is empty", ErrMalformed, "shop_domain")
	}
	if !s.serves(shop) {
		return Event{}, fmt.Errorf("%w: %s: shop_domain names a shop this source does not serve", ErrMalformed, ev.Topic)
	}
	er := &Erasure{Shop: shop}
	var err error
	switch ev.Topic {
	case "shop/redact":
		er.Scope = EraseShop
	case "customers/redact":
		er.Scope = EraseCustomer
		er.OrderIDs, err = ids("orders_to_redact", p.OrdersToRedact)
	case "customers/data_request":
		er.Scope = AccessRequest
		er.OrderIDs, err = ids("orders_requested", p.OrdersRequested)
		if err == nil {
			er.RequestID, err = requestID(p.DataRequest.ID)
		}
	}
	if err != nil {
		return Event{}, err
	}
	if er.Scope != EraseShop {
		cid, err := id("customer.id", p.Customer.ID)
		if err != nil {
			return Event{}, err
		}
		ev.Customer = Customer{ID: cid, Email: p.Customer.Email, Phone: p.Customer.Phone}
	}
	ev.Kind = KindErasure
	ev.Erasure = er
	return ev, nil
}

// requestID reads data_request.id, which the log records: required, and
// kept only when it is safe to log.
func requestID(raw json.RawMessage) (string, error) {
	rid, err := id("data_request.id", raw)
	if err == nil && rid == "" {
		err = fmt.Errorf("%w: field %q is not an id", ErrMalformed, "data_request.id")
	}
	return SafeID(rid), err
}

func (s *shopify) store(h http.Header) string {
	if s.opts.Store != "" {
		return s.opts.Store
	}
	return h.Get(ShopifyShopDomainHeader)
}

// shopifyStatus normalizes financial_status; refunds win over cancellation
// because they say where the money is.
func shopifyStatus(financial string, cancelled bool) Status {
	switch financial {
	case "refunded":
		return StatusRefunded
	case "partially_refunded":
		return StatusPartiallyRefunded
	}
	if cancelled {
		return StatusCancelled
	}
	switch financial {
	case "paid":
		return StatusPaid
	case "pending", "authorized", "partially_paid":
		return StatusPending
	case "voided", "expired":
		return StatusCancelled
	}
	return StatusUnknown
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
