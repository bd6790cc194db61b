package webhook

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"time"
)

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

// mac returns the HMAC of the concatenated parts.
func mac(h func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(h, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// matchAny reports whether one of the signatures got equals sign(key) for
// one of the keys. Every pair is compared in constant time and none stops
// the loop, so the timing tells neither which key nor which signature
// matched.
func matchAny(got [][]byte, keys [][]byte, sign func(key []byte) []byte) bool {
	ok := 0
	for _, k := range keys {
		want := sign(k)
		for _, g := range got {
			ok |= subtle.ConstantTimeCompare(g, want)
		}
	}
	return ok == 1
}

// single returns the one value of a header: absent or empty is a missing
// signature, twice is malformed (a proxy or a forger added one).
func single(h http.Header, name string) (string, error) {
	values := h.Values(name)
	switch {
	case len(values) == 0 || values[0] == "":
		return "", fmt.Errorf("%w: no %s header", ErrMissingSignature, name)
	case len(values) > 1:
		return "", fmt.Errorf("%w: %s given %d times", ErrMalformedSignature, name, len(values))
	}
	return values[0], nil
}

// Encodings of a digest in a header.
const (
	EncodingHex    = "hex"
	EncodingBase64 = "base64"
)

// decode reads a digest of size bytes written in enc.
func decode(enc, s string, size int) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	switch enc {
	case EncodingHex:
		b, err = hex.DecodeString(s)
	case EncodingBase64:
		b, err = base64.StdEncoding.DecodeString(s)
	default:
		return nil, fmt.Errorf("%w: unknown encoding", ErrOptions)
	}
	// The platforms' SDKs compare the base64 text itself, so one digest has
	// one valid string. A decoder admits others: unused bits set before the
	// padding (which Strict refuses) and CR or LF anywhere (which even Strict
	// skips). Only re-encoding refuses both; it reads the header alone, so it
	// leaks nothing about the secret, and the digests are still compared in
	// constant time.
	if err != nil || len(b) != size || (enc == EncodingBase64 && encode(enc, b) != s) {
		return nil, fmt.Errorf("%w: not a %d-byte %s digest", ErrMalformedSignature, size, enc)
	}
	return b, nil
}

func encode(enc string, b []byte) string {
	if enc == EncodingBase64 {
		return base64.StdEncoding.EncodeToString(b)
	}
	return hex.EncodeToString(b)
}

// unixSeconds reads a signed timestamp: decimal seconds since the epoch,
// nothing else (no sign, no space, no fraction).
func unixSeconds(s string) (int64, error) {
	if s == "" || len(s) > 12 || !digitsOnly([]byte(s)) {
		return 0, fmt.Errorf("%w: timestamp is not Unix seconds", ErrMalformedSignature)
	}
	return strconv.ParseInt(s, 10, 64)
}

// inWindow checks a signed timestamp against now, in both directions: a
// replay is old, and a timestamp from the future is as suspect.
func inWindow(o Options, t int64) error {
	d := o.now().Sub(time.Unix(t, 0))
	if tol := o.tolerance(); d > tol || d < -tol {
		return ErrTimestamp
	}
	return nil
}
