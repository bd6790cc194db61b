// Package webhook verifies the signatures that shop platforms put on their
// webhook deliveries.
//
// Each scheme is a Verifier, built once from the source's live secrets (one
// or several, so that a secret can be rotated without downtime) and then
// asked to Verify the raw body and the headers of every delivery.
// Verification runs on the bytes exactly as received, in constant time, and
// fails closed: no secret, an empty secret, a missing or malformed signature
// all reject. A base64 signature must be the canonical text of its digest,
// as the platforms' SDKs compare text. Errors are sentinels for callers to
// branch on with errors.Is; none of them quotes a header value, the body or
// a secret.
//
// The schemes, by the name New takes:
//
//	shopify            X-Shopify-Hmac-Sha256: base64 HMAC-SHA256(body)
//	woocommerce        X-WC-Webhook-Signature: base64 HMAC-SHA256(body)
//	stripe             Stripe-Signature: t=…,v1=hex HMAC-SHA256("t.body")
//	square             x-square-hmacsha256-signature: base64 HMAC-SHA256(URL+body)
//	standard-webhooks  webhook-id/-timestamp/-signature (or svix-*)
//	lightspeed-ecom    X-Signature: hex MD5(body+secret)
//	hmac               any HMAC of the body, described by HMACConfig
//	token              a shared token in a header or the token query parameter
package webhook

import (
	"errors"
	"net/http"
	"time"
)

// Sentinel errors. Every rejection wraps exactly one of them.
var (
	// ErrNoSecret means the verifier was built without a usable secret:
	// none, an empty one, or one that is not in the scheme's format.
	ErrNoSecret = errors.New("no signing secret configured")
	// ErrOptions means the scheme's options are missing or invalid, such
	// as Square without its notification URL.
	ErrOptions = errors.New("invalid signature scheme options")
	// ErrMissingSignature means the delivery carries no signature, or
	// lacks a header that the signature covers.
	ErrMissingSignature = errors.New("missing signature")
	// ErrMalformedSignature means the signature header cannot be read, or
	// is given twice.
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrInvalidSignature means no live secret produces the signature.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrTimestamp means the signed timestamp is outside the allowed window.
	ErrTimestamp = errors.New("timestamp outside the allowed window")
	// ErrEmptyBody means a scheme that signs the body got none.
	ErrEmptyBody = errors.New("empty body")
)

// Verifier checks one delivery.
type Verifier interface {
	// Verify returns nil when the body and headers carry a valid signature
	// by one of the verifier's secrets.
	Verify(body []byte, header http.Header) error
}

// RequestVerifier is implemented by schemes that also read the request's
// URL, such as a shared token passed in the query string. Callers prefer
// VerifyRequest when a verifier has it.
type RequestVerifier interface {
	VerifyRequest(body []byte, r *http.Request) error
}

// VerifyRequest verifies a delivery with v, through VerifyRequest when v
// reads the URL too.
func VerifyRequest(v Verifier, body []byte, r *http.Request) error {
	if rv, ok := v.(RequestVerifier); ok {
		return rv.VerifyRequest(body, r)
	}
	return v.Verify(body, r.Header)
}

// Clock returns the current time; schemes with a signed timestamp take one
// so that tests can fix the time.
type Clock func() time.Time

// Options configure the schemes that need more than secrets. The zero
// value suits every scheme but square, hmac and token.
type Options struct {
	// Clock replaces time.Now for schemes with a signed timestamp.
	Clock Clock
	// Tolerance is how far a signed timestamp may be from now, in either
	// direction. Zero means the scheme's default: 5 minutes for stripe,
	// standard-webhooks and hmac.
	Tolerance time.Duration
	// NotificationURL is the URL a Square subscription posts to, exactly as
	// configured in Square's dashboard: Square signs it with the body.
	NotificationURL string
	// HMAC describes the signature of the hmac scheme.
	HMAC HMACConfig
	// Token says where the token scheme finds the token; with Values set,
	// any other scheme also requires that token (for platforms whose own
	// signature is weak, such as lightspeed-ecom).
	Token TokenConfig
}

// DefaultTolerance is the time window of schemes with a signed timestamp
// when Options.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

func (o Options) now() time.Time {
	if o.Clock != nil {
		return o.Clock()
	}
	return time.Now()
}

func (o Options) tolerance() time.Duration {
	if o.Tolerance > 0 {
		return o.Tolerance
	}
	return DefaultTolerance
}
