package platform

import (
	"errors"
	"time"
)

// Kind is what an event is about.
type Kind string

// The kinds of event a preset recognizes.
const (
	KindOrder   Kind = "order"   // an order was created or changed
	KindBooking Kind = "booking" // a booking (appointment) was created or changed
	KindErasure Kind = "erasure" // a data subject or shop asked for erasure or access
	KindPing    Kind = "ping"    // the platform checks the endpoint; nothing to write
	KindIgnored Kind = "ignored" // a well-formed event of a type Safeview does not use
)

// Sentinel errors of decoding. Their messages never quote the payload.
var (
	// ErrMalformed means the body is not what the platform sends (not JSON,
	// a required field missing or of the wrong type).
	ErrMalformed = errors.New("malformed payload")
	// ErrUnsupportedType means the content type is not one the platform uses.
	ErrUnsupportedType = errors.New("unsupported content type")
	// ErrUnknownTopic means the delivery names no topic, or one the preset
	// cannot read.
	ErrUnknownTopic = errors.New("unknown topic")
)

// Event is one delivery, decoded into canonical fields.
type Event struct {
	Kind  Kind
	Topic string // the platform's topic or event type, e.g. "orders/paid"
	// Platform is the preset's name, e.g. "shopify"; the function sets it
	// after Decode when the preset leaves it empty.
	Platform string
	// DeliveryID is the platform's id of this delivery (the same on every
	// retry), used to trace a delivery in logs. May be empty.
	DeliveryID string
	// Version orders the states of one order or booking: a higher version
	// is newer. It is the platform's updated-at time in microseconds since
	// the Unix epoch, or the platform's own version counter.
	Version int64

	Order    *Order
	Booking  *Booking
	Erasure  *Erasure
	Customer Customer // personal data: only for privacy operators

	// Body is the raw JSON document the canonical fields were read from
	// (for Lightspeed X-Series, the decoded payload field), for columns that
	// name a raw JSON path.
	Body []byte
}

// Order holds the canonical fields of an order or payment.
type Order struct {
	ID        string // exact, never through a float
	Number    string // the number people use, e.g. "#1001"
	Created   time.Time
	Updated   time.Time
	Status    Status
	StatusRaw string // the platform's own status words
	Items     []Item
	Total     Money
	Store     string // shop domain, site or location name
	Channel   string // web, pos, an app...
	Test      bool
	// ItemsRef is what the platform's read-only API needs to list the
	// line items the webhook lacks (package items): a Stripe Checkout
	// Session (cs_…) or PaymentIntent (pi_…), a Square order id. Empty
	// when the webhook carries its items.
	ItemsRef string
}

// Booking holds the canonical fields of a booking.
type Booking struct {
	ID        string
	Service   string
	Start     time.Time
	Created   time.Time
	Updated   time.Time
	Status    Status
	StatusRaw string
	PartySize int64
	Total     Money
	Store     string
	Channel   string
}

// Item is one line of an order: a product name and how many.
type Item struct {
	Name     string
	Quantity int64 // at least 1
	// Returned marks a line given back: Lightspeed X-Series records a
	// return as a sale whose lines count their units below zero.
	Returned bool `json:",omitempty"`
	// ProductID is set, and Name is the product's id, when the webhook
	// names the product by id only (Lightspeed X-Series): package items
	// can read its name.
	ProductID string `json:"-"`
}

// Customer is the identity of the person behind an order. Every field is
// personal data.
type Customer struct {
	ID    string
	Email string
	Name  string
	Phone string
}

// ErasureScope says what an erasure request covers.
type ErasureScope string

// Erasure scopes.
const (
	EraseCustomer ErasureScope = "customer" // one customer's data
	EraseShop     ErasureScope = "shop"     // every row of a shop
	AccessRequest ErasureScope = "access"   // a data subject asks what is held
)

// Erasure is a data subject request forwarded by the platform. The customer
// it names is in Event.Customer.
type Erasure struct {
	Scope    ErasureScope
	Shop     string
	OrderIDs []string
	// RequestID is the platform's id for the request, safe to log.
	RequestID string
	// Source names the configured source whose customer and order ids
	// the request gives (the erasure platform's requests; empty for a
	// platform's own, which concern its source).
	Source string `json:",omitempty"`
}

// Status is an order or booking status normalized to a small set.
type Status string

// Normalized statuses. StatusRaw keeps the platform's own words.
const (
	StatusPending           Status = "pending"
	StatusPaid              Status = "paid"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
	StatusCancelled         Status = "cancelled"
	StatusFailed            Status = "failed"
	StatusConfirmed         Status = "confirmed" // bookings
	StatusCompleted         Status = "completed" // bookings
	StatusUnknown           Status = "unknown"
)
