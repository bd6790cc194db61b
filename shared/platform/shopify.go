package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
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
	register("shopify", webhook.SchemeShopify, func(o Options) (Preset, error) { return &shopify{opts: o}, nil })
}

type shopify struct{ opts Options }

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
	ID                json.RawMessage `json:"id"`
	Name              string          `json:"name"`
	OrderNumber       json.RawMessage `json:"order_number"`
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
	ShopDomain string `json:"shop_domain"`
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
		return s.privacy(r, ev)
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

func (s *shopify) privacy(r Request, ev Event) (Event, error) {
	var p shopifyPrivacy
	if err := unmarshal(r.Body, &p); err != nil {
		return Event{}, err
	}
	er := &Erasure{Shop: firstNonEmpty(p.ShopDomain, r.Header.Get(ShopifyShopDomainHeader))}
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
		if p.DataRequest != nil {
			er.RequestID, _ = id("data_request.id", p.DataRequest.ID)
		}
	}
	if err != nil {
		return Event{}, err
	}
	if er.Scope != EraseShop {
		if p.Customer == nil {
			return Event{}, fmt.Errorf("%w: no customer", ErrMalformed)
		}
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
