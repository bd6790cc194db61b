// Package webhook verifies the signatures that shop platforms put on their
// webhook deliveries.
//
// Each scheme is a Verifier, built once from the source's live secrets (one
// or several, so that a secret can be rotated without downtime) and then
// asked to Verify the raw body and the headers of every delivery.
// Verification runs on the bytes exactly as received, in constant time, and
// fails closed: no secret, an empty secret, a missing or malformed signature
// all reject. Errors are sentinels for callers to branch on with errors.Is;
// none of them quotes a header value or the body.
package webhook

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors. Every rejection wraps exactly one of them.
var (
	// ErrNoSecret means the verifier was built without a usable secret.
	ErrNoSecret = errors.New("no signing secret configured")
	// ErrMissingSignature means the delivery carries no signature.
	ErrMissingSignature = errors.New("missing signature")
	// ErrMalformedSignature means the signature header cannot be read.
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrInvalidSignature means no live secret produces the signature.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrTimestamp means the signed timestamp is outside the allowed window.
	ErrTimestamp = errors.New("timestamp outside the allowed window")
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

// keys validates a set of live secrets: at least one, none empty.
func keys(secrets []string) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecret
	}
	out := make([][]byte, 0, len(secrets))
	for i, s := range secrets {
		if s == "" {
			return nil, fmt.Errorf("%w: secret %d is empty", ErrNoSecret, i)
		}
		out = append(out, []byte(s))
	}
	return out, nil
}

// anyEqual compares got with every candidate in constant time per
// candidate, without stopping at the first match, so the timing does not
// tell which secret matched.
func anyEqual(got []byte, candidates [][]byte) bool {
	ok := 0
	for _, c := range candidates {
		if hmac.Equal(got, c) {
			ok = 1
		}
	}
	return ok == 1
}
