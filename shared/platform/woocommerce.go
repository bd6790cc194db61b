package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/safeview/safeview/shared/webhook"
)

// WooCommerce's webhook headers.
const (
	WooCommerceTopicHeader      = "X-WC-Webhook-Topic"
	WooCommerceResourceHeader   = "X-WC-Webhook-Resource" // the topic's resource, e.g. "order"
	WooCommerceEventHeader      = "X-WC-Webhook-Event"    // the topic's event, e.g. "created"
	WooCommerceSourceHeader     = "X-WC-Webhook-Source"
	WooCommerceDeliveryIDHeader = "X-WC-Webhook-Delivery-ID"
)

func init() {
	register("woocommerce", webhook.SchemeWooCommerce, func(o Options) (Preset, error) { return &woocommerce{opts: o}, nil })
}

// woocommerce decodes WooCommerce's order webhooks (order.created,
// order.updated, order.restored), whose body is the REST API v3 order.
//
// WooCommerce signs the body only; the topic travels in headers
// (X-WC-Webhook-Topic, and split in X-WC-Webhook-Resource and
// X-WC-Webhook-Event). A signed product, customer or coupon body, replayed
// under an order topic, must not become a row: an order topic needs the
// body of an order, and the headers that name the topic must agree.
type woocommerce struct{ opts Options }

func (*woocommerce) Name() string   { return "woocommerce" }
func (*woocommerce) Scheme() string { return webhook.SchemeWooCommerce }

func (*woocommerce) DeliveryID(h http.Header) string { return h.Get(WooCommerceDeliveryIDHeader) }

func (*woocommerce) PIIPaths() []string {
	return []string{
		"billing", "shipping", "customer_ip_address", "customer_user_agent", "customer_note",
		"customer_id", "order_key", "meta_data", "line_items[].meta_data", "payment_url",
		"refunds[].reason", "_links.customer",
	}
}

type wooOrder struct {
	ID              json.RawMessage `json:"id"`
	Number          string          `json:"number"`
	Status          string          `json:"status"`
	Currency        string          `json:"currency"`
	DateCreatedGMT  string          `json:"date_created_gmt"`
	DateModifiedGMT string          `json:"date_modified_gmt"`
	Total           json.Number     `json:"total"`
	CustomerID      json.RawMessage `json:"customer_id"`
	CreatedVia      string          `json:"created_via"`
	Billing         struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"billing"`
	LineItems []struct {
		Name     string      `json:"name"`
		Quantity json.Number `json:"quantity"`
	} `json:"line_items"`
	Refunds []json.RawMessage `json:"refunds"`
	// BillingPeriod marks a WooCommerce Subscriptions subscription, which
	// has an order's fields but is not one.
	BillingPeriod json.RawMessage `json:"billing_period"`
}

func (w *woocommerce) Decode(r Request) (Event, error) {
	ev := Event{Topic: r.Header.Get(WooCommerceTopicHeader), DeliveryID: w.DeliveryID(r.Header), Body: r.Body}
	// The ping WooCommerce sends when a webhook is saved: 200, nothing
	// written. The verifier lets exactly this body through unsigned.
	if webhook.IsWooCommercePing(r.Body) {
		ev.Kind, ev.Body = KindPing, nil
		return ev, nil
	}
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	if err := wooTopicAgrees(r.Header, ev.Topic); err != nil {
		return Event{}, err
	}
	switch ev.Topic {
	case "order.created", "order.updated", "order.restored":
		return w.order(r, ev)
	case "":
		return Event{}, fmt.Errorf("%w: no %s header", ErrUnknownTopic, WooCommerceTopicHeader)
	}
	// order.deleted (the body is only the id), products, customers,
	// coupons and action.* topics carry no order state.
	return ignored(ev.Topic, ev)
}

func (w *woocommerce) order(r Request, ev Event) (Event, error) {
	var o wooOrder
	if err := unmarshal(r.Body, &o); err != nil {
		return Event{}, err
	}
	// Every v3 order has its lines (products, customers and coupons have
	// none); a subscription has them too, and a billing period.
	if o.LineItems == nil || o.BillingPeriod != nil {
		return Event{}, mismatch(ev.Topic, "an order")
	}
	orderID, err := orderID("id", o.ID)
	if err != nil {
		return Event{}, err
	}
	created, updated, v, err := stamps(parseUTC, "date_created_gmt", o.DateCreatedGMT, "date_modified_gmt", o.DateModifiedGMT)
	if err != nil {
		return Event{}, err
	}
	ev.Version = v
	total, err := moneyOf("total", o.Total, o.Currency)
	if err != nil {
		return Event{}, err
	}
	order := &Order{
		ID:        orderID,
		Number:    firstNonEmpty(o.Number, orderID),
		Created:   created,
		Updated:   updated,
		Status:    wooStatus(o.Status, len(o.Refunds) > 0),
		StatusRaw: o.Status,
		Total:     total,
		Store:     firstNonEmpty(w.opts.Store, siteName(r.Header.Get(WooCommerceSourceHeader))),
		Channel:   o.CreatedVia,
	}
	for _, li := range o.LineItems {
		q, err := quantity("line_items.quantity", li.Quantity)
		if err != nil {
			return Event{}, err
		}
		order.Items = append(order.Items, Item{Name: li.Name, Quantity: q})
	}
	ev.Kind, ev.Order = KindOrder, order
	ev.Customer = Customer{
		Email: o.Billing.Email,
		Name:  fullName(o.Billing.FirstName, o.Billing.LastName),
		Phone: o.Billing.Phone,
	}
	// customer_id 0 is a guest checkout: no customer account.
	if cid, _ := id("customer_id", o.CustomerID); cid != "0" {
		ev.Customer.ID = cid
	}
	return ev, nil
}

// wooTopicAgrees checks that the headers naming the topic say the same:
// WooCommerce sends the topic whole and split into its resource and event
// (order.created is order and created). A header that is absent says
// nothing; one that disagrees is refused.
func wooTopicAgrees(h http.Header, topic string) error {
	resource, event, _ := strings.Cut(topic, ".")
	for _, x := range []struct{ header, want string }{{WooCommerceResourceHeader, resource}, {WooCommerceEventHeader, event}} {
		if v := h.Values(x.header); len(v) > 1 || (len(v) == 1 && v[0] != x.want) {
			return fmt.Errorf("%w: %s and %s disagree", ErrUnknownTopic, WooCommerceTopicHeader, x.header)
		}
	}
	return nil
}

// wooStatus normalizes WooCommerce's order status: processing and
// completed are paid (processing means paid and awaiting fulfilment); a
// paid order with refunds that is not "refunded" is partially refunded.
func wooStatus(status string, refunds bool) Status {
	switch status {
	case "processing", "completed":
		if refunds {
			return StatusPartiallyRefunded
		}
		return StatusPaid
	case "pending", "on-hold", "checkout-draft":
		return StatusPending
	case "refunded":
		return StatusRefunded
	case "cancelled", "trash":
		return StatusCancelled
	case "failed":
		return StatusFailed
	}
	return StatusUnknown
}

// siteName turns the X-WC-Webhook-Source site URL into a store name: its
// host and path, without scheme or trailing slash.
func siteName(source string) string {
	u, err := url.Parse(source)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host + strings.TrimRight(u.Path, "/")
}
