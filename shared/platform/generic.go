package platform

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/webhook"
)

// Types of the generic presets' fields.
const (
	gID      = "id"      // a string or an integer, exact
	gString  = "string"  // a string, number or boolean as text
	gTime    = "time"    // RFC 3339, or Unix seconds (milliseconds above 1e11)
	gDecimal = "decimal" // an exact decimal, as a string or a number
	gInt     = "int"
	gBool    = "bool"
	gItems   = "items"   // an array of line items
	gRel     = "rel"     // a path inside each line item
	gVersion = "version" // a positive integer counter, or a time
)

// genericFields are the keys of Options.Fields and their types.
var genericFields = map[string]string{
	"event.topic": gString, "event.delivery_id": gString, "event.version": gVersion,

	"order.id": gID, "order.number": gString, "order.created": gTime, "order.updated": gTime,
	"order.status": gString, "order.items": gItems, "order.items.name": gRel, "order.items.quantity": gRel,
	"order.total": gDecimal, "order.currency": gString, "order.store": gString, "order.channel": gString,
	"order.test": gBool,

	"booking.id": gID, "booking.service": gString, "booking.start": gTime, "booking.created": gTime,
	"booking.updated": gTime, "booking.status": gString, "booking.party_size": gInt,
	"booking.total": gDecimal, "booking.currency": gString, "booking.store": gString, "booking.channel": gString,

	"customer.id": gID, "customer.email": gString, "customer.name": gString, "customer.phone": gString,
}

// GenericFields lists, sorted, the canonical names that Options.Fields of
// the generic and standard-webhooks presets may map to JSON paths. Besides
// the canonical fields there are order.currency and booking.currency (the
// currency of the totals; default Options.Currency) and
// order.items.name and order.items.quantity (paths inside each element of
// order.items; default "name" or "title", and "quantity" or "qty").
func GenericFields() []string {
	names := make([]string, 0, len(genericFields))
	for n := range genericFields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckGenericField checks one entry of Options.Fields: a known name and a
// well-formed path. Its message names neither a value nor the payload.
func CheckGenericField(name, path string) error {
	if _, ok := genericFields[name]; !ok {
		return fmt.Errorf("unknown field %q (known: %s)", name, strings.Join(GenericFields(), ", "))
	}
	var pe *PathError
	if _, err := ParseJSONPath(path); errors.As(err, &pe) {
		return fmt.Errorf("path %q: %s", path, pe.Reason)
	}
	return nil
}

func init() {
	register("generic", webhook.SchemeHMAC, func(o Options) (Preset, error) {
		return newGeneric("generic", webhook.SchemeHMAC, o, nil)
	})
	register("standard-webhooks", webhook.SchemeStandardWebhooks, func(o Options) (Preset, error) {
		// The Standard Webhooks payload: {"type", "timestamp", "data"}.
		return newGeneric("standard-webhooks", webhook.SchemeStandardWebhooks, o, map[string]string{
			"event.topic": "type", "event.version": "timestamp",
		})
	})
}

// generic decodes the JSON deliveries of a platform Safeview has no preset
// for (DG1 and the like), or that signs them per Standard Webhooks: the
// source's configuration maps canonical fields to JSON paths.
//
// A delivery whose booking.id path holds a value is a booking; else one
// whose order.id path does is an order; anything else is well formed but
// ignored. Statuses are normalized from common words (paid, confirmed,
// cancelled, refunded…) and kept raw. The version is event.version when
// mapped, else the updated time, else the created time.
type generic struct {
	name, scheme string
	opts         Options
	paths        map[string]JSONPath
}

func newGeneric(name, scheme string, o Options, defaults map[string]string) (*generic, error) {
	g := &generic{name: name, scheme: scheme, opts: o, paths: map[string]JSONPath{}}
	for k, p := range defaults {
		g.paths[k], _ = ParseJSONPath(p)
	}
	for k, p := range o.Fields {
		if err := CheckGenericField(k, p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		g.paths[k], _ = ParseJSONPath(p)
	}
	if g.paths["order.id"] == nil && g.paths["booking.id"] == nil {
		return nil, fmt.Errorf("%s: map order.id or booking.id (or both) to a JSON path", name)
	}
	return g, nil
}

func (g *generic) Name() string   { return g.name }
func (g *generic) Scheme() string { return g.scheme }

// DeliveryID reads Standard Webhooks' message id, under either prefix.
func (g *generic) DeliveryID(h http.Header) string {
	return firstNonEmpty(h.Get(webhook.StandardIDHeader), h.Get(webhook.SvixIDHeader))
}

// PIIPaths are the paths mapped to customer fields: the rest of the
// payload is the platform's own, and unknown.
func (g *generic) PIIPaths() []string {
	var out []string
	for k, p := range g.opts.Fields {
		if strings.HasPrefix(k, "customer.") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// doc is one decoded delivery and the preset that reads it.
type doc struct {
	g *generic
	v any
}

func (g *generic) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	v, err := decodeDocument(r.Body)
	if err != nil {
		return Event{}, fmt.Errorf("%w: not a JSON document", ErrMalformed)
	}
	// Every platform's event is an object; null, a list or a bare value
	// is no event, and answering "ignored" would hide a broken sender.
	if _, ok := v.(map[string]any); !ok {
		return Event{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	d := doc{g: g, v: v}
	ev := Event{Body: r.Body, DeliveryID: g.DeliveryID(r.Header)}
	if ev.Topic, err = d.str("event.topic"); err != nil {
		return Event{}, err
	}
	if id, err := d.str("event.delivery_id"); err != nil {
		return Event{}, err
	} else if id != "" {
		ev.DeliveryID = id
	}
	if bid, err := d.id("booking.id"); err != nil {
		return Event{}, err
	} else if bid != "" {
		return d.booking(bid, ev)
	}
	if oid, err := d.id("order.id"); err != nil {
		return Event{}, err
	} else if oid != "" {
		return d.order(oid, ev)
	}
	ev.Kind = KindIgnored
	return ev, nil
}

func (d doc) order(id string, ev Event) (Event, error) {
	o := &Order{ID: id}
	var raw string
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"order.number", &o.Number}, {"order.status", &raw}, {"order.store", &o.Store}, {"order.channel", &o.Channel}} {
		if *f.dst, err = d.str(f.name); err != nil {
			return Event{}, err
		}
	}
	if o.Created, err = d.time("order.created"); err != nil {
		return Event{}, err
	}
	if o.Updated, err = d.time("order.updated"); err != nil {
		return Event{}, err
	}
	if o.Total, err = d.money("order.total", "order.currency"); err != nil {
		return Event{}, err
	}
	if o.Test, err = d.bool("order.test"); err != nil {
		return Event{}, err
	}
	if o.Items, err = d.items(); err != nil {
		return Event{}, err
	}
	o.Store = firstNonEmpty(d.g.opts.Store, o.Store)
	o.StatusRaw, o.Status = raw, normalizeStatus(KindOrder, raw)
	ev.Kind, ev.Order = KindOrder, o
	return d.finish(ev, o.Updated, o.Created)
}

func (d doc) booking(id string, ev Event) (Event, error) {
	b := &Booking{ID: id}
	var raw string
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"booking.service", &b.Service}, {"booking.status", &raw}, {"booking.store", &b.Store}, {"booking.channel", &b.Channel}} {
		if *f.dst, err = d.str(f.name); err != nil {
			return Event{}, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"booking.start", &b.Start}, {"booking.created", &b.Created}, {"booking.updated", &b.Updated}} {
		if *f.dst, err = d.time(f.name); err != nil {
			return Event{}, err
		}
	}
	if b.PartySize, err = d.int("booking.party_size"); err != nil {
		return Event{}, err
	}
	if b.Total, err = d.money("booking.total", "booking.currency"); err != nil {
		return Event{}, err
	}
	b.Store = firstNonEmpty(d.g.opts.Store, b.Store)
	b.StatusRaw, b.Status = raw, normalizeStatus(KindBooking, raw)
	ev.Kind, ev.Booking = KindBooking, b
	return d.finish(ev, b.Updated, b.Created)
}

// finish sets the version and the customer.
func (d doc) finish(ev Event, updated, created time.Time) (Event, error) {
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"customer.email", &ev.Customer.Email}, {"customer.name", &ev.Customer.Name}, {"customer.phone", &ev.Customer.Phone}} {
		if *f.dst, err = d.str(f.name); err != nil {
			return Event{}, err
		}
	}
	if ev.Customer.ID, err = d.id("customer.id"); err != nil {
		return Event{}, err
	}
	v, ok := d.first("event.version")
	switch n, isNum := v.(json.Number); {
	case !ok:
		ev.Version, err = version(firstTime(updated, created))
	case isNum && !strings.ContainsAny(string(n), ".eE-"):
		i, perr := strconv.ParseInt(string(n), 10, 64)
		if perr != nil || i <= 0 {
			return Event{}, fmt.Errorf("%w: field %q is not a version", ErrMalformed, "event.version")
		}
		// A counter orders states as it is; a time in seconds would lose
		// to the updated time in microseconds, so use one or the other
		// consistently for a source.
		ev.Version = i
	default:
		var t time.Time
		if t, err = d.time("event.version"); err == nil {
			ev.Version, err = version(t)
		}
	}
	return ev, err
}

// first returns the first non-null value a field's path reaches.
func (d doc) first(name string) (any, bool) {
	p := d.g.paths[name]
	if p == nil {
		return nil, false
	}
	for _, v := range p.eval(d.v) {
		if v != nil {
			return v, true
		}
	}
	return nil, false
}

func (d doc) str(name string) (string, error) {
	v, ok := d.first(name)
	if !ok {
		return "", nil
	}
	s, ok := scalarText(v)
	if !ok {
		return "", fmt.Errorf("%w: field %q is not a single value", ErrMalformed, name)
	}
	return s, nil
}

func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func (d doc) id(name string) (string, error) {
	v, ok := d.first(name)
	if !ok {
		return "", nil
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		if s := v.String(); digits(strings.TrimPrefix(s, "-")) {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: field %q is not an id", ErrMalformed, name)
}

func (d doc) time(name string) (time.Time, error) {
	v, ok := d.first(name)
	if !ok {
		return time.Time{}, nil
	}
	switch v := v.(type) {
	case string:
		return parseUTC(name, v)
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil || n < 0 {
			break
		}
		if n > 1e11 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%w: field %q is not a time", ErrMalformed, name)
}

func (d doc) money(amount, currency string) (Money, error) {
	v, ok := d.first(amount)
	if !ok {
		return Money{}, nil
	}
	s, ok := scalarText(v)
	if _, isBool := v.(bool); !ok || isBool {
		return Money{}, fmt.Errorf("%w: field %q is not a decimal", ErrMalformed, amount)
	}
	cur, err := d.str(currency)
	if err != nil {
		return Money{}, err
	}
	return moneyOf(amount, json.Number(s), firstNonEmpty(cur, d.g.opts.Currency))
}

func (d doc) int(name string) (int64, error) {
	s, err := d.str(name)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: field %q is not a count", ErrMalformed, name)
	}
	return n, nil
}

func (d doc) bool(name string) (bool, error) {
	s, err := d.str(name)
	if err != nil || s == "" {
		return false, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%w: field %q is not a boolean", ErrMalformed, name)
	}
	return b, nil
}

// items reads order.items: every element the path reaches, or the
// elements of the one array it reaches.
func (d doc) items() ([]Item, error) {
	p := d.g.paths["order.items"]
	if p == nil {
		return nil, nil
	}
	elems := p.eval(d.v)
	if len(elems) == 1 {
		if a, ok := elems[0].([]any); ok {
			elems = a
		}
	}
	names, qtys := d.g.paths["order.items.name"], d.g.paths["order.items.quantity"]
	var out []Item
	for _, e := range elems {
		if s, ok := e.(string); ok {
			out = append(out, Item{Name: s, Quantity: 1})
			continue
		}
		sub := doc{g: &generic{paths: map[string]JSONPath{"name": names, "quantity": qtys}}, v: e}
		if names == nil {
			sub.g.paths["name"] = firstPath(e, "name", "title")
		}
		if qtys == nil {
			sub.g.paths["quantity"] = firstPath(e, "quantity", "qty")
		}
		name, err := sub.str("name")
		if err != nil {
			return nil, fmt.Errorf("%w: field %q is not a single value", ErrMalformed, "order.items.name")
		}
		q, err := sub.str("quantity")
		if err != nil {
			return nil, fmt.Errorf("%w: field %q is not a quantity", ErrMalformed, "order.items.quantity")
		}
		n, err := quantity("order.items.quantity", json.Number(q))
		if err != nil {
			return nil, err
		}
		out = append(out, Item{Name: name, Quantity: n})
	}
	return out, nil
}

// firstPath returns the path of the first of keys that an object has.
func firstPath(v any, keys ...string) JSONPath {
	m, _ := v.(map[string]any)
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return JSONPath{{Key: k, Index: -1}}
		}
	}
	return nil
}

// Common status words, normalized. Words not listed are unknown.
var (
	orderWords = map[Status][]string{
		StatusPaid:              {"paid", "completed", "complete", "succeeded", "success", "captured", "closed", "fulfilled"},
		StatusPending:           {"pending", "unpaid", "awaiting_payment", "open", "created", "new", "authorized", "processing", "on-hold", "on_hold"},
		StatusPartiallyRefunded: {"partially_refunded", "partial_refund"},
		StatusRefunded:          {"refunded"},
		StatusCancelled:         {"cancelled", "canceled", "voided", "void", "expired"},
		StatusFailed:            {"failed", "declined", "error"},
	}
	bookingWords = map[Status][]string{
		StatusConfirmed: {"confirmed", "accepted", "booked", "scheduled", "approved"},
		StatusPending:   {"pending", "requested", "tentative", "awaiting_confirmation", "new", "created"},
		StatusCancelled: {"cancelled", "canceled", "declined", "rejected", "no_show", "no-show", "expired"},
		StatusCompleted: {"completed", "complete", "done", "attended", "checked_out", "fulfilled"},
	}
)

// normalizeStatus maps a platform's status word to the small set, case
// and separators aside ("Cancelled", "CANCELED", "no show").
func normalizeStatus(k Kind, raw string) Status {
	if raw == "" {
		return ""
	}
	w := strings.ToLower(strings.Join(strings.Fields(strings.TrimSpace(raw)), "_"))
	words := orderWords
	if k == KindBooking {
		words = bookingWords
	}
	for st, ws := range words {
		if slices.Contains(ws, w) {
			return st
		}
	}
	return StatusUnknown
}
