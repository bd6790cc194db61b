package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StripeHeader carries Stripe's signature: "t=<unix>,v1=<hex>[,v1=<hex>]".
const StripeHeader = "Stripe-Signature"

// Stripe verifies Stripe deliveries: v1 is the hex HMAC-SHA256 of
// "{t}.{raw body}", keyed with the endpoint's signing secret exactly as
// Stripe shows it, "whsec_" included (it is not decoded). Stripe sends
// several v1 values while an endpoint secret is being rolled; any may
// match. Other schemes (v0, test schemes) are ignored. The header is read
// as stripe-go reads it: an item with a space before its key is an unknown
// scheme, and one that is not a single key=value refuses the header.
//
// The timestamp must be within the tolerance (default 5 minutes) of now in
// both directions; Stripe's own libraries only refuse old ones.
type Stripe struct {
	o    Options
	keys [][]byte
}

// NewStripe returns a verifier accepting a signature by any of secrets.
func NewStripe(o Options, secrets ...string) (*Stripe, error) {
	k, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	return &Stripe{o: o, keys: k}, nil
}

// Verify implements Verifier.
func (s *Stripe) Verify(body []byte, header http.Header) error {
	raw, err := single(header, StripeHeader)
	if err != nil {
		return err
	}
	var ts string
	var sigs [][]byte
	// The items are read as stripe-go reads them: as they are, so that " v1"
	// is an unknown scheme, and each one key=value, or the header is refused
	// however valid another item is.
	for _, item := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(item, "=")
		if !ok || strings.Contains(v, "=") {
			return fmt.Errorf("%w: %s item is not one key=value", ErrMalformedSignature, StripeHeader)
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: %s has two timestamps", ErrMalformedSignature, StripeHeader)
			}
			ts = v
		case "v1":
			// A v1 that is not a SHA-256 digest can match nothing; it is
			// skipped like an unknown scheme, as Stripe's libraries do.
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	t, err := unixSeconds(ts)
	if err != nil {
		return err
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrMissingSignature)
	}
	if !matchAny(sigs, s.keys, func(k []byte) []byte { return mac(sha256.New, k, []byte(ts), []byte("."), body) }) {
		return ErrInvalidSignature
	}
	return inWindow(s.o, t)
}

// SignStripe returns a Stripe-Signature value for body signed at t.
func SignStripe(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(sha256.New, []byte(secret), []byte(ts), []byte("."), body))
}
