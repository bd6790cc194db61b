package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Request is what a preset decodes: the verified raw body and the headers.
type Request struct {
	Header http.Header
	Body   []byte
}

// Preset decodes one platform's deliveries.
type Preset interface {
	// Name is the platform's name in configuration, e.g. "shopify".
	Name() string
	// Scheme is the name of the signature scheme the platform uses by
	// default (package webhook).
	Scheme() string
	// DeliveryID returns the platform's delivery id from the headers, or ""
	// when it sends none. It is read before verification, so callers must
	// treat it as untrusted (see SafeID).
	DeliveryID(h http.Header) string
	// Decode reads a verified delivery. Errors wrap ErrMalformed,
	// ErrUnsupportedType or ErrUnknownTopic and never quote the payload.
	Decode(r Request) (Event, error)
	// PIIPaths lists the JSON paths of the payload that hold personal data,
	// in the notation of package config ("customer.email",
	// "billing_address.*", "line_items[].properties").
	PIIPaths() []string
}

// Options adjust a preset to one configured source.
type Options struct {
	// Store, when set, replaces the store the platform names (a shop
	// domain, a site URL) in order.store and booking.store.
	Store string
	// Currency is the ISO 4217 code of amounts for platforms whose payload
	// names none (Lightspeed X-Series and eCom keep it in the store's
	// settings), and the default of the generic presets. Empty leaves the
	// currency empty.
	Currency string
	// Fields maps canonical field names to JSON paths, for the generic
	// and standard-webhooks presets (see GenericFields).
	Fields map[string]string
	// Shops are the domains of the shops a Shopify source serves
	// (cafe-demo.myshopify.com). With Store when it is a myshopify.com
	// domain, they are the only shops whose orders and compliance requests
	// the shopify preset accepts; when there are none, it accepts the shop
	// each request names.
	Shops []string
}

type constructor func(Options) (Preset, error)

type entry struct {
	scheme string
	new    constructor
}

var presets = map[string]entry{}

// register adds a platform with its default signature scheme.
func register(name, scheme string, c constructor) { presets[name] = entry{scheme, c} }

// SchemeOf returns the default signature scheme of a platform, without
// building its preset (which may need options).
func SchemeOf(name string) (string, error) {
	e, ok := presets[name]
	if !ok {
		return "", fmt.Errorf("unknown platform %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return e.scheme, nil
}

// New returns the preset for a platform name.
func New(name string, o Options) (Preset, error) {
	e, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("unknown platform %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return e.new(o)
}

// Names lists the platforms that have a preset, sorted.
func Names() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SafeID returns s when it is safe to log and echo as a request id (at most
// 128 characters of letters, digits and -_.:@/), and "" otherwise. Delivery
// ids arrive before verification, so a forger controls them.
func SafeID(s string) string {
	if s == "" || len(s) > 128 {
		return ""
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-_.:@/", r):
		default:
			return ""
		}
	}
	return s
}

// checkJSON refuses a content type that is present and not JSON.
func checkJSON(h http.Header) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return fmt.Errorf("%w: want application/json", ErrUnsupportedType)
	}
	return nil
}

// unmarshal decodes JSON into v, keeping numbers exact, and describes a
// failure by field path only.
//
// Structs of named fields (json.Number, json.RawMessage, strings) go
// through json.Unmarshal: a json.Decoder reads the same bytes about three
// times slower, and this is the hot path of every delivery. A type that
// holds an interface (any) needs the Decoder's UseNumber to keep numbers
// exact, and gets it.
func unmarshal(body []byte, v any) error {
	var err error
	if holdsInterface(reflect.TypeOf(v)) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err = dec.Decode(v); err == nil && dec.More() {
			return fmt.Errorf("%w: more than one JSON document", ErrMalformed)
		}
	} else {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: field %q has the wrong type", ErrMalformed, te.Field)
		}
		return fmt.Errorf("%w: not a JSON document", ErrMalformed)
	}
	return nil
}

var interfaceTypes sync.Map // reflect.Type → bool

// holdsInterface reports whether decoding into t may store a number in an
// interface value.
func holdsInterface(t reflect.Type) bool {
	if v, ok := interfaceTypes.Load(t); ok {
		return v.(bool)
	}
	v := walkInterface(t, map[reflect.Type]bool{})
	interfaceTypes.Store(t, v)
	return v
}

func walkInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return walkInterface(t.Elem(), seen)
	case reflect.Map:
		return walkInterface(t.Key(), seen) || walkInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if walkInterface(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// parseTime reads an RFC 3339 time as platforms write it; "" is the zero time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: field %q is not an RFC 3339 time", ErrMalformed, field)
	}
	return t, nil
}

// id reads a JSON id that may be a number or a string, exactly.
func id(field string, n json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(n))
	if s == "" || s == "null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		if err := json.Unmarshal(n, &v); err != nil {
			return "", fmt.Errorf("%w: field %q is not a string", ErrMalformed, field)
		}
		return v, nil
	}
	if !digits(strings.TrimPrefix(s, "-")) {
		return "", fmt.Errorf("%w: field %q is not an integer id", ErrMalformed, field)
	}
	return s, nil
}

// ids reads a JSON array of ids.
func ids(field string, raw []json.RawMessage) ([]string, error) {
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		v, err := id(field, r)
		if err != nil {
			return nil, err
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}
