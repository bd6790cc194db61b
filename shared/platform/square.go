package platform

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/webhook"
)

func init() {
	register("square", webhook.SchemeSquare, func(o Options) (Preset, error) { return &square{opts: o}, nil })
}

// square decodes Square's payment.created and payment.updated as orders
// and booking.created and booking.updated as bookings.
//
// A payment's row is keyed by its order id when it has one, else by the
// payment id: Square's orders, refunds and the point of sale all name the
// order, so the row stays one per sale whichever event names it. A sale
// split across several payments (split tender) shows the latest payment's
// total. Payments carry no line items (they are on the order, which the
// webhook does not include), so the items cells stay empty.
type square struct{ opts Options }

func (*square) Name() string                  { return "square" }
func (*square) Scheme() string                { return webhook.SchemeSquare }
func (*square) DeliveryID(http.Header) string { return "" } // event_id is in the body

func (*square) PIIPaths() []string {
	return []string{
		"data.object.payment.card_details", "data.object.payment.buyer_email_address",
		"data.object.payment.billing_address", "data.object.payment.shipping_address",
		"data.object.payment.note", "data.object.payment.receipt_url", "data.object.payment.customer_id",
		"data.object.booking.customer_id", "data.object.booking.customer_note", "data.object.booking.seller_note",
		"data.object.customer",
	}
}

type squareEvent struct {
	Type    string `json:"type"`
	EventID string `json:"event_id"`
	Data    struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Object struct {
			Payment *squarePayment `json:"payment"`
			Booking *squareBooking `json:"booking"`
		} `json:"object"`
	} `json:"data"`
}

type squareMoney struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

type squarePayment struct {
	ID                string       `json:"id"`
	OrderID           string       `json:"order_id"`
	Status            string       `json:"status"`
	CreatedAt         string       `json:"created_at"`
	UpdatedAt         string       `json:"updated_at"`
	LocationID        string       `json:"location_id"`
	ReceiptNumber     string       `json:"receipt_number"`
	SourceType        string       `json:"source_type"`
	TotalMoney        *squareMoney `json:"total_money"`
	AmountMoney       *squareMoney `json:"amount_money"`
	RefundedMoney     *squareMoney `json:"refunded_money"`
	BuyerEmailAddress string       `json:"buyer_email_address"`
	CustomerID        string       `json:"customer_id"`
	BillingAddress    *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"billing_address"`
	ApplicationDetails *struct {
		SquareProduct string `json:"square_product"`
	} `json:"application_details"`
}

type squareBooking struct {
	ID                  string      `json:"id"`
	Version             json.Number `json:"version"`
	Status              string      `json:"status"`
	StartAt             string      `json:"start_at"`
	CreatedAt           string      `json:"created_at"`
	UpdatedAt           string      `json:"updated_at"`
	LocationID          string      `json:"location_id"`
	CustomerID          string      `json:"customer_id"`
	Source              string      `json:"source"`
	AppointmentSegments []struct {
		ServiceVariationID string `json:"service_variation_id"`
	} `json:"appointment_segments"`
}

func (s *square) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	var e squareEvent
	if err := unmarshal(r.Body, &e); err != nil {
		return Event{}, err
	}
	if e.Type == "" {
		return Event{}, fmt.Errorf("%w: no event type", ErrUnknownTopic)
	}
	ev := Event{Topic: e.Type, DeliveryID: e.EventID, Body: r.Body}
	switch e.Type {
	case "payment.created", "payment.updated":
		if e.Data.Object.Payment == nil {
			return Event{}, fmt.Errorf("%w: no payment", ErrMalformed)
		}
		return s.payment(e.Data.Object.Payment, ev)
	case "booking.created", "booking.updated":
		if e.Data.Object.Booking == nil {
			return Event{}, fmt.Errorf("%w: no booking", ErrMalformed)
		}
		return s.booking(e.Data.Object.Booking, ev)
	}
	// order.* events are thin (no total, no items) and customer.* carry
	// no order: not used.
	return ignored(e.Type, ev)
}

func (s *square) payment(p *squarePayment, ev Event) (Event, error) {
	if p.ID == "" {
		return Event{}, fmt.Errorf("%w: no payment id", ErrMalformed)
	}
	created, updated, v, err := stamps(parseTime, "created_at", p.CreatedAt, "updated_at", p.UpdatedAt)
	if err != nil {
		return Event{}, err
	}
	ev.Version = v
	total := p.TotalMoney
	if total == nil {
		total = p.AmountMoney
	}
	order := &Order{
		ID:        firstNonEmpty(p.OrderID, p.ID),
		Number:    p.ReceiptNumber,
		Created:   created,
		Updated:   updated,
		StatusRaw: p.Status,
		Status:    squarePaymentStatus(p.Status),
		Store:     firstNonEmpty(s.opts.Store, p.LocationID),
		Channel:   p.SourceType,
	}
	// A payment carries no line items; its order has them (package items).
	order.ItemsRef = p.OrderID
	if d := p.ApplicationDetails; d != nil && d.SquareProduct != "" {
		order.Channel = d.SquareProduct
	}
	if total != nil {
		if order.Total, err = minor("total_money.amount", total.Amount, total.Currency); err != nil {
			return Event{}, err
		}
	}
	if rf := p.RefundedMoney; rf != nil && total != nil && rf.Amount != "" && rf.Amount != "0" {
		cmp, ok := compareInts(rf.Amount, total.Amount)
		if !ok {
			return Event{}, fmt.Errorf("%w: field %q is not an integer amount", ErrMalformed, "refunded_money.amount")
		}
		order.Status = StatusPartiallyRefunded
		if cmp >= 0 {
			order.Status = StatusRefunded
		}
		order.StatusRaw += " (refunded " + string(order.Status) + ")"
	}
	ev.Kind, ev.Order = KindOrder, order
	ev.Customer = Customer{ID: p.CustomerID, Email: p.BuyerEmailAddress}
	if b := p.BillingAddress; b != nil {
		ev.Customer.Name = fullName(b.FirstName, b.LastName)
	}
	return ev, nil
}

// squarePaymentStatus normalizes a Payment's status: APPROVED is
// authorized but not captured yet.
func squarePaymentStatus(s string) Status {
	switch s {
	case "COMPLETED":
		return StatusPaid
	case "APPROVED", "PENDING":
		return StatusPending
	case "CANCELED":
		return StatusCancelled
	case "FAILED":
		return StatusFailed
	}
	return StatusUnknown
}

func (s *square) booking(b *squareBooking, ev Event) (Event, error) {
	if b.ID == "" {
		return Event{}, fmt.Errorf("%w: no booking id", ErrMalformed)
	}
	var times [3]time.Time
	for i, f := range [][2]string{{"start_at", b.StartAt}, {"created_at", b.CreatedAt}, {"updated_at", b.UpdatedAt}} {
		t, err := parseTime(f[0], f[1])
		if err != nil {
			return Event{}, err
		}
		times[i] = t
	}
	booking := &Booking{
		ID:        b.ID,
		Start:     times[0],
		Created:   times[1],
		Updated:   times[2],
		StatusRaw: b.Status,
		Status:    squareBookingStatus(b.Status),
		Store:     firstNonEmpty(s.opts.Store, b.LocationID),
		Channel:   b.Source,
	}
	if len(b.AppointmentSegments) > 0 {
		// Square names the service variation, not the service: its name
		// is in the catalog, not in the webhook.
		booking.Service = b.AppointmentSegments[0].ServiceVariationID
	}
	// Square counts a booking's versions from 0; the counter orders its
	// states exactly, where updated_at has one-second resolution.
	switch {
	case b.Version != "":
		v, ok := new(big.Int).SetString(b.Version.String(), 10)
		if !ok || v.Sign() < 0 || !v.IsInt64() || v.Int64() == 1<<63-1 {
			return Event{}, fmt.Errorf("%w: field %q is not a version", ErrMalformed, "booking.version")
		}
		ev.Version = v.Int64() + 1
	default:
		var err error
		if ev.Version, err = version(firstTime(booking.Updated, booking.Created)); err != nil {
			return Event{}, err
		}
	}
	ev.Kind, ev.Booking = KindBooking, booking
	ev.Customer = Customer{ID: b.CustomerID}
	return ev, nil
}

// squareBookingStatus normalizes a Booking's status.
func squareBookingStatus(s string) Status {
	switch {
	case s == "ACCEPTED":
		return StatusConfirmed
	case s == "PENDING":
		return StatusPending
	case strings.HasPrefix(s, "CANCELLED"), s == "DECLINED", s == "NO_SHOW":
		return StatusCancelled
	}
	return StatusUnknown
}

// compareInts compares two integers written in JSON.
func compareInts(a, b json.Number) (int, bool) {
	x, okX := new(big.Int).SetString(a.String(), 10)
	y, okY := new(big.Int).SetString(b.String(), 10)
	if !okX || !okY {
		return 0, false
	}
	return x.Cmp(y), true
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
