package platform

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Layouts of times without a zone, which platforms write in UTC
// (WooCommerce's *_gmt fields, Lightspeed X-Series' created_at).
var utcLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// parseUTC reads an RFC 3339 time, or one of utcLayouts taken as UTC; ""
// is the zero time.
func parseUTC(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, l := range utcLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: field %q is not a time", ErrMalformed, field)
}

// decimal reads an exact decimal amount written as a JSON number or
// string; "" stays "".
func decimal(field string, n json.Number) (string, error) {
	if n == "" {
		return "", nil
	}
	d, err := ParseDecimal(n.String())
	if err != nil {
		return "", fmt.Errorf("%w: field %q is not a decimal", ErrMalformed, field)
	}
	return d, nil
}

// money reads a decimal amount and a currency; no amount is no money.
func moneyOf(field string, n json.Number, currency string) (Money, error) {
	d, err := decimal(field, n)
	if err != nil || d == "" {
		return Money{}, err
	}
	return Money{Amount: d, Currency: strings.ToUpper(strings.TrimSpace(currency))}, nil
}

// minor reads an integer amount in minor units (Stripe, Square).
func minor(field string, n json.Number, currency string) (Money, error) {
	if n == "" {
		return Money{}, nil
	}
	m, err := FromMinorUnits(n.String(), currency)
	if err != nil {
		return Money{}, fmt.Errorf("%w: field %q is not an integer amount", ErrMalformed, field)
	}
	return m, nil
}

// quantity reads a line item's quantity. Fractional quantities (weighed
// goods) round to the nearest unit, and never below one.
func quantity(field string, n json.Number) (int64, error) {
	if n == "" {
		return 1, nil
	}
	if q, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
		return positive(field, q)
	}
	r, ok := new(big.Rat).SetString(n.String())
	if !ok || strings.ContainsAny(n.String(), "eE/") {
		return 0, fmt.Errorf("%w: field %q is not a quantity", ErrMalformed, field)
	}
	f, _ := r.Float64()
	q := int64(f + 0.5)
	if q < 1 && r.Sign() > 0 {
		q = 1
	}
	return positive(field, q)
}

// returnable reads a line's quantity where the platform records a return
// as a line of minus units (Lightspeed X-Series): a line of -2 is 2 units
// returned. No units at all is still refused.
func returnable(field string, n json.Number) (q int64, returned bool, err error) {
	s := n.String()
	if neg, ok := strings.CutPrefix(s, "-"); ok {
		q, err = quantity(field, json.Number(neg))
		return q, err == nil, err
	}
	q, err = quantity(field, n)
	return q, false, err
}

// positive refuses a line of no or minus units: an order line sells at
// least one, and the items cell would otherwise read "x0" or "x-3". Every
// preset that reads quantities passes them through here.
func positive(field string, q int64) (int64, error) {
	if q < 1 {
		return 0, fmt.Errorf("%w: field %q is not a positive quantity", ErrMalformed, field)
	}
	return q, nil
}

// mismatch is the error of a body that is not what its topic says, when
// the topic comes from a header or a field that nothing signs: the body
// decides what a delivery does, the topic only has to agree with it.
// topic must be one the preset knows, since the message quotes it.
func mismatch(topic, want string) error {
	return fmt.Errorf("%w: %s: the body is not %s", ErrMalformed, topic, want)
}

// fullName joins name parts that are present.
func fullName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// version returns the version of a state updated at t, or an error when
// the platform sent no time at all.
func version(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, fmt.Errorf("%w: no time to order updates by", ErrMalformed)
	}
	return t.UnixMicro(), nil
}

// ignored returns a well-formed event of a topic the preset does not
// use, or ErrUnknownTopic when the topic is not even well formed.
func ignored(topic string, ev Event) (Event, error) {
	if topic == "" || SafeID(topic) == "" {
		return Event{}, fmt.Errorf("%w: not a topic", ErrUnknownTopic)
	}
	ev.Kind = KindIgnored
	return ev, nil
}

// checkForm refuses a content type that is present and not a form.
func checkForm(h http.Header) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(strings.ToLower(mt)) != "application/x-www-form-urlencoded" {
		return fmt.Errorf("%w: want application/x-www-form-urlencoded", ErrUnsupportedType)
	}
	return nil
}

// addDecimals adds two exact decimals.
func addDecimals(a, b json.Number) (string, error) {
	x, okX := new(big.Rat).SetString(a.String())
	y, okY := new(big.Rat).SetString(b.String())
	if !okX || !okY || strings.ContainsAny(a.String()+b.String(), "eE/") {
		return "", fmt.Errorf("%w: not a decimal", ErrMalformed)
	}
	scale := max(fracDigits(a.String()), fracDigits(b.String()))
	return ParseDecimal(new(big.Rat).Add(x, y).FloatString(scale))
}

func fracDigits(s string) int {
	_, frac, _ := strings.Cut(s, ".")
	return len(frac)
}

// positiveInt reads a JSON integer above zero.
func positiveInt(n json.Number) (int64, bool) {
	v, err := strconv.ParseInt(n.String(), 10, 64)
	return v, err == nil && v > 0
}

// orderID reads the required id of an order.
func orderID(field string, raw json.RawMessage) (string, error) {
	v, err := id(field, raw)
	if err == nil && v == "" {
		err = fmt.Errorf("%w: no order id", ErrMalformed)
	}
	return v, err
}

// stamps reads a state's created and updated times with parse; the
// updated time falls back to the created time and gives the version.
func stamps(parse func(field, s string) (time.Time, error), createdField, created, updatedField, updated string) (c, u time.Time, v int64, err error) {
	if c, err = parse(createdField, created); err != nil {
		return
	}
	if u, err = parse(updatedField, updated); err != nil {
		return
	}
	u = firstTime(u, c)
	v, err = version(u)
	return
}
