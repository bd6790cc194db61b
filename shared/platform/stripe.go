package platform

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/webhook"
)

func init() {
	register("stripe", webhook.SchemeStripe, func(o Options) (Preset, error) { return &stripe{opts: o}, nil })
}

// stripe decodes Stripe events about one payment: the Checkout Session
// that collected it, its PaymentIntent and its Charge's refunds. All of
// them land on one row, keyed by the PaymentIntent id (pi_…), so that a
// refund updates the row the payment made. A Checkout Session without a
// PaymentIntent (nothing to pay) is keyed by its own id (cs_…).
//
// Stripe's events carry no line items (Checkout's must be fetched with
// the API): the items cells stay empty unless the source reads them
// (package items), through Order.ItemsRef.
type stripe struct{ opts Options }

func (*stripe) Name() string                  { return "stripe" }
func (*stripe) Scheme() string                { return webhook.SchemeStripe }
func (*stripe) DeliveryID(http.Header) string { return "" } // the event id is in the body

func (*stripe) PIIPaths() []string {
	return []string{
		"data.object.customer_details", "data.object.customer_email", "data.object.customer",
		"data.object.collected_information", "data.object.shipping_details", "data.object.shipping",
		"data.object.billing_details", "data.object.receipt_email", "data.object.receipt_url",
		"data.object.payment_method_details", "data.object.client_secret", "data.object.url",
		"data.object.description", "data.object.metadata", "data.previous_attributes",
	}
}

type stripeEvent struct {
	ID       string      `json:"id"`
	Object   string      `json:"object"`
	Type     string      `json:"type"`
	Created  json.Number `json:"created"`
	Livemode bool        `json:"livemode"`
	Data     struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// stripeObject holds the fields Safeview reads of a Checkout Session, a
// PaymentIntent or a Charge.
type stripeObject struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           json.Number     `json:"created"`
	Status            string          `json:"status"`
	PaymentStatus     string          `json:"payment_status"`
	PaymentIntent     json.RawMessage `json:"payment_intent"`
	ClientReferenceID string          `json:"client_reference_id"`
	AmountTotal       json.Number     `json:"amount_total"`
	Amount            json.Number     `json:"amount"`
	AmountReceived    json.Number     `json:"amount_received"`
	AmountRefunded    json.Number     `json:"amount_refunded"`
	Refunded          bool            `json:"refunded"`
	Currency          string          `json:"currency"`
	Customer          json.RawMessage `json:"customer"`
	CustomerEmail     string          `json:"customer_email"`
	ReceiptEmail      string          `json:"receipt_email"`
	CustomerDetails   *stripeContact  `json:"customer_details"`
	BillingDetails    *stripeContact  `json:"billing_details"`
}

type stripeContact struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// stripeRank orders the events of one payment created in the same
// second, as Stripe's created has one-second resolution: a completed
// Checkout, then the succeeded PaymentIntent or the async payment's
// outcome, then refunds, which always win. The rank takes the version's
// microseconds, which Stripe never fills.
var stripeRank = map[string]int64{
	"checkout.session.completed":               100_000,
	"payment_intent.succeeded":                 200_000,
	"checkout.session.async_payment_failed":    300_000,
	"checkout.session.async_payment_succeeded": 300_000,
	"charge.refunded":                          500_000,
}

func (s *stripe) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	var e stripeEvent
	if err := unmarshal(r.Body, &e); err != nil {
		return Event{}, err
	}
	if e.Object != "event" || e.Type == "" {
		return Event{}, fmt.Errorf("%w: not a Stripe event", ErrMalformed)
	}
	ev := Event{Topic: e.Type, DeliveryID: e.ID, Body: r.Body}
	rank, ok := stripeRank[e.Type]
	if !ok {
		return ignored(e.Type, ev)
	}
	created, err := unixTime("created", e.Created)
	if err != nil {
		return Event{}, err
	}
	if created.IsZero() {
		return Event{}, fmt.Errorf("%w: no event time", ErrMalformed)
	}
	var o stripeObject
	if err := unmarshal(e.Data.Object, &o); err != nil {
		return Event{}, err
	}
	if o.ID == "" {
		return Event{}, fmt.Errorf("%w: no object id", ErrMalformed)
	}
	placed, err := unixTime("data.object.created", o.Created)
	if err != nil {
		return Event{}, err
	}
	pi, err := id("data.object.payment_intent", o.PaymentIntent)
	if err != nil {
		pi = "" // an expanded PaymentIntent object: keep the session's id
	}
	order := &Order{
		ID:      firstNonEmpty(pi, o.ID),
		Number:  o.ClientReferenceID,
		Created: placed,
		Updated: created,
		Store:   s.opts.Store,
		Test:    !e.Livemode,
	}
	var amount json.Number
	contact := o.CustomerDetails
	switch e.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed":
		if o.Object != "checkout.session" {
			return Event{}, fmt.Errorf("%w: not a Checkout Session", ErrMalformed)
		}
		amount, order.Channel = o.AmountTotal, "checkout"
		order.StatusRaw = o.Status + "/" + o.PaymentStatus
		order.Status = stripeSessionStatus(e.Type, o.PaymentStatus)
		if contact == nil {
			contact = &stripeContact{Email: o.CustomerEmail}
		}
	case "payment_intent.succeeded":
		if o.Object != "payment_intent" {
			return Event{}, fmt.Errorf("%w: not a PaymentIntent", ErrMalformed)
		}
		order.ID, amount = o.ID, o.Amount
		if r := o.AmountReceived.String(); r != "" && r != "0" {
			amount = o.AmountReceived
		}
		order.StatusRaw, order.Status = o.Status, StatusPaid
		contact = &stripeContact{Email: o.ReceiptEmail}
	case "charge.refunded":
		if o.Object != "charge" {
			return Event{}, fmt.Errorf("%w: not a Charge", ErrMalformed)
		}
		net, part, err := stripeRefund(o.Amount, o.AmountRefunded)
		if err != nil {
			return Event{}, err
		}
		amount, rank = net, rank+part
		order.StatusRaw = "refunded"
		order.Status = StatusRefunded
		if !o.Refunded {
			order.StatusRaw, order.Status = "partially_refunded", StatusPartiallyRefunded
		}
		contact = o.BillingDetails
	}
	if order.Total, err = minor("amount", amount, o.Currency); err != nil {
		return Event{}, err
	}
	ev.Kind, ev.Order = KindOrder, order
	if o.Object == "checkout.session" {
		order.ItemsRef = o.ID
	} else if strings.HasPrefix(order.ID, "pi_") {
		order.ItemsRef = order.ID // its Checkout Session is found by it
	}
	ev.Version = created.UnixMicro() + rank
	if contact != nil {
		ev.Customer = Customer{Email: contact.Email, Name: contact.Name, Phone: contact.Phone}
	}
	ev.Customer.Email = firstNonEmpty(ev.Customer.Email, o.ReceiptEmail)
	ev.Customer.ID, _ = id("customer", o.Customer) // an expanded customer stays unnamed
	return ev, nil
}

func stripeSessionStatus(event, payment string) Status {
	switch {
	case event == "checkout.session.async_payment_failed":
		return StatusFailed
	case payment == "paid", payment == "no_payment_required":
		return StatusPaid
	case payment == "unpaid":
		return StatusPending
	}
	return StatusUnknown
}

// stripeRefund returns what is left of a charge after its refunds, and a
// rank among refunds of the same second: the refunded share of the
// charge, which only grows, so a later refund outranks an earlier one.
func stripeRefund(amount, refunded json.Number) (json.Number, int64, error) {
	a, okA := new(big.Int).SetString(amount.String(), 10)
	r, okR := new(big.Int).SetString(refunded.String(), 10)
	if !okA || !okR || a.Sign() < 0 || r.Sign() < 0 {
		return "", 0, fmt.Errorf("%w: field %q is not an integer amount", ErrMalformed, "amount_refunded")
	}
	var part int64
	if a.Sign() > 0 {
		share := new(big.Int).Mul(r, big.NewInt(499_999))
		share.Quo(share, a)
		part = min(share.Int64(), 499_999)
	}
	return json.Number(new(big.Int).Sub(a, r).String()), part, nil
}

// unixTime reads Unix seconds; "" is the zero time.
func unixTime(field string, n json.Number) (time.Time, error) {
	if n == "" {
		return time.Time{}, nil
	}
	s, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || s < 0 {
		return time.Time{}, fmt.Errorf("%w: field %q is not Unix seconds", ErrMalformed, field)
	}
	return time.Unix(s, 0).UTC(), nil
}
