package webhook

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Algorithms of the hmac scheme.
const (
	AlgorithmSHA256 = "sha256"
	AlgorithmSHA512 = "sha512"
	// AlgorithmSHA1 is accepted only when named: SHA-1 is still a sound
	// HMAC, but a platform that offers better should use it.
	AlgorithmSHA1 = "sha1"
)

// Placeholders of HMACConfig.Signed.
const (
	PlaceholderBody      = "{body}"
	PlaceholderTimestamp = "{timestamp}"
)

// HMACConfig describes a signature that is the HMAC of the raw body, and
// optionally of a timestamp, carried in one header: how DG1 or any other
// platform that signs with a shared secret plugs in.
type HMACConfig struct {
	// Header carries the signature, e.g. "X-Signature". Required.
	Header string
	// Algorithm is sha256 (the default), sha512 or sha1.
	Algorithm string
	// Encoding of the digest: hex (the default) or base64.
	Encoding string
	// Prefix precedes the digest in the header, e.g. "sha256=".
	Prefix string
	// TimestampHeader, when set, carries the Unix time of the delivery in
	// seconds; it must be signed (see Signed) and within the tolerance.
	TimestampHeader string
	// Signed is what the HMAC covers: {body} exactly once and, with a
	// timestamp header, {timestamp}, e.g. "{timestamp}.{body}" or
	// "v0:{timestamp}:{body}". Default "{body}", or "{timestamp}.{body}"
	// with a timestamp header.
	Signed string
}

// hashOf returns the hash of an algorithm name.
func hashOf(alg string) (func() hash.Hash, error) {
	switch alg {
	case "", AlgorithmSHA256:
		return sha256.New, nil
	case AlgorithmSHA512:
		return sha512.New, nil
	case AlgorithmSHA1:
		return sha1.New, nil
	}
	return nil, fmt.Errorf("%w: algorithm must be sha256, sha512 or sha1", ErrOptions)
}

// Check validates the configuration; its errors wrap ErrOptions.
func (c HMACConfig) Check() error {
	_, _, _, err := c.compile()
	return err
}

func (c HMACConfig) encoding() string {
	if c.Encoding == "" {
		return EncodingHex
	}
	return c.Encoding
}

func (c HMACConfig) signed() string {
	switch {
	case c.Signed != "":
		return c.Signed
	case c.TimestampHeader != "":
		return PlaceholderTimestamp + "." + PlaceholderBody
	}
	return PlaceholderBody
}

// compile checks c and splits the signed template around the body.
func (c HMACConfig) compile() (h func() hash.Hash, before, after string, err error) {
	if c.Header == "" {
		return nil, "", "", fmt.Errorf("%w: no signature header", ErrOptions)
	}
	if h, err = hashOf(c.Algorithm); err != nil {
		return nil, "", "", err
	}
	if e := c.encoding(); e != EncodingHex && e != EncodingBase64 {
		return nil, "", "", fmt.Errorf("%w: encoding must be hex or base64", ErrOptions)
	}
	tmpl := c.signed()
	if strings.Count(tmpl, PlaceholderBody) != 1 {
		return nil, "", "", fmt.Errorf("%w: the signed template must hold %s exactly once", ErrOptions, PlaceholderBody)
	}
	hasTS := strings.Contains(tmpl, PlaceholderTimestamp)
	switch {
	case c.TimestampHeader != "" && !hasTS:
		return nil, "", "", fmt.Errorf("%w: a timestamp header must be signed: put %s in the signed template", ErrOptions, PlaceholderTimestamp)
	case c.TimestampHeader == "" && hasTS:
		return nil, "", "", fmt.Errorf("%w: %s in the signed template needs a timestamp header", ErrOptions, PlaceholderTimestamp)
	}
	before, after, _ = strings.Cut(tmpl, PlaceholderBody)
	return h, before, after, nil
}

// HMAC verifies a configurable HMAC signature (scheme "hmac"); Shopify and
// WooCommerce are two fixed configurations of it.
type HMAC struct {
	c             HMACConfig
	o             Options
	h             func() hash.Hash
	size          int
	before, after string
	keys          [][]byte
}

// NewHMAC returns a verifier of the signature c describes, accepting any
// of secrets.
func NewHMAC(c HMACConfig, o Options, secrets ...string) (*HMAC, error) {
	h, before, after, err := c.compile()
	if err != nil {
		return nil, err
	}
	k, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	return &HMAC{c: c, o: o, h: h, size: h().Size(), before: before, after: after, keys: k}, nil
}

// Verify implements Verifier.
func (v *HMAC) Verify(body []byte, header http.Header) error {
	raw, err := single(header, v.c.Header)
	if err != nil {
		return err
	}
	digest, ok := strings.CutPrefix(raw, v.c.Prefix)
	if !ok {
		return fmt.Errorf("%w: %s lacks its prefix", ErrMalformedSignature, v.c.Header)
	}
	got, err := decode(v.c.encoding(), digest, v.size)
	if err != nil {
		return err
	}
	var ts string
	var t int64
	if v.c.TimestampHeader != "" {
		if ts, err = single(header, v.c.TimestampHeader); err != nil {
			return err
		}
		if t, err = unixSeconds(ts); err != nil {
			return err
		}
	}
	before := []byte(strings.ReplaceAll(v.before, PlaceholderTimestamp, ts))
	after := []byte(strings.ReplaceAll(v.after, PlaceholderTimestamp, ts))
	if !matchAny([][]byte{got}, v.keys, func(k []byte) []byte { return mac(v.h, k, before, body, after) }) {
		return ErrInvalidSignature
	}
	if v.c.TimestampHeader != "" {
		return inWindow(v.o, t)
	}
	return nil
}

// Sign returns the headers that sign body with secret at time t (used
// only with a timestamp header), for tests and the send script.
func (c HMACConfig) Sign(secret string, t time.Time, body []byte) (http.Header, error) {
	h, before, after, err := c.compile()
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(t.Unix(), 10)
	before = strings.ReplaceAll(before, PlaceholderTimestamp, ts)
	after = strings.ReplaceAll(after, PlaceholderTimestamp, ts)
	out := http.Header{}
	out.Set(c.Header, c.Prefix+encode(c.encoding(), mac(h, []byte(secret), []byte(before), body, []byte(after))))
	if c.TimestampHeader != "" {
		out.Set(c.TimestampHeader, ts)
	}
	return out, nil
}
