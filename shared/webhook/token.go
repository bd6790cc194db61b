package webhook

import (
	"crypto/sha256"
	"fmt"
	"net/http"
)

// TokenQueryParameter is the query parameter the token scheme reads when
// TokenConfig.Query is set.
const TokenQueryParameter = "token"

// DefaultTokenHeader is the header the token scheme reads when
// TokenConfig names neither a header nor the query.
const DefaultTokenHeader = "X-Safeview-Token"

// MinTokenLength is the shortest token accepted: a shared token is the
// whole of the authentication, so it must not be guessable.
const MinTokenLength = 16

// TokenConfig says where a shared token travels.
type TokenConfig struct {
	// Header carries the token. Default DefaultTokenHeader, unless Query
	// is set.
	Header string
	// Query accepts the token in the "token" query parameter, for
	// platforms that let you set the URL and nothing else (Lightspeed
	// X-Series). The query string is logged by proxies and by Cloud
	// Run's request log: prefer a header where the platform allows one.
	Query bool
	// Values are tokens that a scheme other than token requires on top of
	// its own signature (pairing). Ignored by the token scheme, whose
	// secrets are the tokens.
	Values []string
}

func (c TokenConfig) header() string {
	if c.Header == "" && !c.Query {
		return DefaultTokenHeader
	}
	return c.Header
}

// Token verifies a shared token, for platforms that sign nothing
// (Lightspeed X-Series, BigCommerce's custom headers). The token is
// compared through its SHA-256, in constant time whatever its length.
// When both the header and the query parameter carry one, both must be
// valid.
type Token struct {
	c    TokenConfig
	sums [][]byte
}

// NewToken returns a verifier accepting any of tokens, each at least
// MinTokenLength bytes.
func NewToken(c TokenConfig, tokens ...string) (*Token, error) {
	k, err := keys(tokens)
	if err != nil {
		return nil, err
	}
	sums := make([][]byte, len(k))
	for i, t := range k {
		if len(t) < MinTokenLength {
			return nil, fmt.Errorf("%w: token %d is shorter than %d characters", ErrNoSecret, i, MinTokenLength)
		}
		sum := sha256.Sum256(t)
		sums[i] = sum[:]
	}
	return &Token{c: c, sums: sums}, nil
}

// Verify implements Verifier; it reads the header only.
func (t *Token) Verify(body []byte, header http.Header) error {
	return t.check(header, nil)
}

// VerifyRequest implements RequestVerifier.
func (t *Token) VerifyRequest(body []byte, r *http.Request) error {
	var query []string
	if t.c.Query && r.URL != nil {
		query = r.URL.Query()[TokenQueryParameter]
	}
	return t.check(r.Header, query)
}

func (t *Token) check(header http.Header, query []string) error {
	var got []string
	if name := t.c.header(); name != "" {
		values := header.Values(name)
		if len(values) > 1 {
			return fmt.Errorf("%w: %s given %d times", ErrMalformedSignature, name, len(values))
		}
		got = append(got, values...)
	}
	if len(query) > 1 {
		return fmt.Errorf("%w: token parameter given %d times", ErrMalformedSignature, len(query))
	}
	got = append(got, query...)
	if len(got) == 0 || (len(got) == 1 && got[0] == "") {
		return fmt.Errorf("%w: no token", ErrMissingSignature)
	}
	for _, g := range got {
		sum := sha256.Sum256([]byte(g))
		if !matchAny([][]byte{sum[:]}, t.sums, func(k []byte) []byte { return k }) {
			return ErrInvalidSignature
		}
	}
	return nil
}

// paired requires every one of its verifiers.
type paired []Verifier

func (p paired) Verify(body []byte, header http.Header) error {
	for _, v := range p {
		if err := v.Verify(body, header); err != nil {
			return err
		}
	}
	return nil
}

func (p paired) VerifyRequest(body []byte, r *http.Request) error {
	for _, v := range p {
		if err := VerifyRequest(v, body, r); err != nil {
			return err
		}
	}
	return nil
}
