package platform

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldType is the type of a canonical field's value.
type FieldType string

// Field types.
const (
	TypeString FieldType = "string"
	TypeTime   FieldType = "time"
	TypeMoney  FieldType = "money"
	TypeItems  FieldType = "items"
	TypeInt    FieldType = "int"
	TypeBool   FieldType = "bool"
)

// Field is a canonical field that a table column can take.
type Field struct {
	Name string    // e.g. "order.total"
	Type FieldType // the Go type Get returns: string, time.Time, Money, []Item, int64 or bool
	// PII marks personal data: a column may only take it through an
	// operator that removes identity.
	PII  bool
	Kind Kind // the kind of event that carries it; "" for every kind
	Doc  string
	// Get reads the field from an event. ok is false when the event does
	// not carry it (an order field of a booking, or a value the platform
	// did not send).
	Get func(e *Event) (v any, ok bool)
}

func orderField(name string, t FieldType, doc string, get func(o *Order) (any, bool)) Field {
	return Field{Name: name, Type: t, Kind: KindOrder, Doc: doc, Get: func(e *Event) (any, bool) {
		if e.Order == nil {
			return nil, false
		}
		return get(e.Order)
	}}
}

func bookingField(name string, t FieldType, doc string, get func(b *Booking) (any, bool)) Field {
	return Field{Name: name, Type: t, Kind: KindBooking, Doc: doc, Get: func(e *Event) (any, bool) {
		if e.Booking == nil {
			return nil, false
		}
		return get(e.Booking)
	}}
}

func customerField(name, doc string, get func(c *Customer) string) Field {
	return Field{Name: name, Type: TypeString, PII: true, Doc: doc, Get: func(e *Event) (any, bool) {
		v := get(&e.Customer)
		return v, v != ""
	}}
}

func str(s string) (any, bool)   { return s, s != "" }
func tm(t time.Time) (any, bool) { return t, !t.IsZero() }
func money(m Money) (any, bool)  { return m, !m.IsZero() }

var fields = []Field{
	orderField("order.id", TypeString, "the platform's order (or payment) id, exact", func(o *Order) (any, bool) { return str(o.ID) }),
	orderField("order.number", TypeString, "the order number people use, e.g. #1001", func(o *Order) (any, bool) { return str(o.Number) }),
	orderField("order.created", TypeTime, "when the order was placed", func(o *Order) (any, bool) { return tm(o.Created) }),
	orderField("order.updated", TypeTime, "when the order last changed", func(o *Order) (any, bool) { return tm(o.Updated) }),
	orderField("order.status", TypeString, "status normalized to pending, paid, partially_refunded, refunded, cancelled, failed", func(o *Order) (any, bool) { return str(string(o.Status)) }),
	orderField("order.status_raw", TypeString, "the platform's own status words", func(o *Order) (any, bool) { return str(o.StatusRaw) }),
	orderField("order.items", TypeItems, "line items as name and quantity", func(o *Order) (any, bool) { return o.Items, len(o.Items) > 0 }),
	orderField("order.item_count", TypeInt, "the number of units ordered", func(o *Order) (any, bool) {
		var n int64
		for _, it := range o.Items {
			n += it.Quantity
		}
		return n, len(o.Items) > 0
	}),
	orderField("order.total", TypeMoney, "the current total with its currency", func(o *Order) (any, bool) { return money(o.Total) }),
	orderField("order.currency", TypeString, "the ISO 4217 currency code of the total", func(o *Order) (any, bool) { return str(o.Total.Currency) }),
	orderField("order.store", TypeString, "the store, site or location", func(o *Order) (any, bool) { return str(o.Store) }),
	orderField("order.channel", TypeString, "the sales channel or source", func(o *Order) (any, bool) { return str(o.Channel) }),
	orderField("order.test", TypeBool, "whether the platform marks the order as a test", func(o *Order) (any, bool) { return o.Test, true }),

	bookingField("booking.id", TypeString, "the platform's booking id", func(b *Booking) (any, bool) { return str(b.ID) }),
	bookingField("booking.service", TypeString, "the booked service", func(b *Booking) (any, bool) { return str(b.Service) }),
	bookingField("booking.start", TypeTime, "when the booking starts", func(b *Booking) (any, bool) { return tm(b.Start) }),
	bookingField("booking.created", TypeTime, "when the booking was made", func(b *Booking) (any, bool) { return tm(b.Created) }),
	bookingField("booking.updated", TypeTime, "when the booking last changed", func(b *Booking) (any, bool) { return tm(b.Updated) }),
	bookingField("booking.status", TypeString, "status normalized to pending, confirmed, cancelled, completed", func(b *Booking) (any, bool) { return str(string(b.Status)) }),
	bookingField("booking.status_raw", TypeString, "the platform's own status words", func(b *Booking) (any, bool) { return str(b.StatusRaw) }),
	bookingField("booking.party_size", TypeInt, "how many people", func(b *Booking) (any, bool) { return b.PartySize, b.PartySize > 0 }),
	bookingField("booking.total", TypeMoney, "the booking's price with its currency", func(b *Booking) (any, bool) { return money(b.Total) }),
	bookingField("booking.store", TypeString, "the store or location", func(b *Booking) (any, bool) { return str(b.Store) }),
	bookingField("booking.channel", TypeString, "the booking channel or source", func(b *Booking) (any, bool) { return str(b.Channel) }),

	customerField("customer.id", "the platform's customer id", func(c *Customer) string { return c.ID }),
	customerField("customer.email", "the customer's email address", func(c *Customer) string { return c.Email }),
	customerField("customer.name", "the customer's full name", func(c *Customer) string { return c.Name }),
	customerField("customer.phone", "the customer's phone number", func(c *Customer) string { return c.Phone }),
	{Name: "customer.ref", Type: TypeString, PII: true, Doc: "who the customer is, for the pseudonym operator: the email address, else <platform>:<customer id>", Get: func(e *Event) (any, bool) {
		v := CustomerRef(e)
		return v, v != ""
	}},

	{Name: "event.topic", Type: TypeString, Doc: "the platform's topic or event type", Get: func(e *Event) (any, bool) { return str(e.Topic) }},
	{Name: "event.delivery_id", Type: TypeString, Doc: "the platform's delivery id", Get: func(e *Event) (any, bool) { return str(e.DeliveryID) }},
	{Name: "event.version", Type: TypeString, Doc: "the version that orders updates", Get: func(e *Event) (any, bool) {
		return strconv.FormatInt(e.Version, 10), e.Version != 0
	}},
}

// CustomerRef identifies the customer of an event across orders and
// platforms, for pseudonymisation: the email address trimmed and
// lower-cased (the same person on two platforms is one customer), else
// "<platform>:<customer id>" (ids are per platform), else "". The value
// is personal data.
func CustomerRef(e *Event) string {
	if email := strings.ToLower(strings.TrimSpace(e.Customer.Email)); email != "" {
		return email
	}
	if id := strings.TrimSpace(e.Customer.ID); id != "" && e.Platform != "" {
		return e.Platform + ":" + id
	}
	return ""
}

// LookupField returns the canonical field with that name.
func LookupField(name string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}

// Fields returns every canonical field, in documentation order.
func Fields() []Field { return slices.Clone(fields) }
