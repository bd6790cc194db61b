package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"hash"
	"strings"
	"sync"
	"unicode"
)

// Domains separate the purposes a pseudonym serves, so that the same key
// never yields the same id for two purposes.
const (
	DomainCustomer = "safeview/customer/v1"
)

// Keys holds the secret keys of the pseudonym operator.
type Keys struct {
	pseudonym []byte
	macs      sync.Pool // of hash.Hash keyed with pseudonym: one per row is wasteful
}

// ErrWeakKey means a pseudonym key is too short to resist guessing.
var ErrWeakKey = errors.New("pseudonym key must have at least 32 bytes")

// NewKeys returns the keys of the operators. A pseudonym key must have at
// least 32 bytes: an unkeyed or weakly keyed hash of an email can be
// reversed by hashing a list of emails, so it is not pseudonymisation.
func NewKeys(pseudonymKey []byte) (*Keys, error) {
	if len(pseudonymKey) < 32 {
		return nil, ErrWeakKey
	}
	k := &Keys{pseudonym: append([]byte(nil), pseudonymKey...)}
	k.macs.New = func() any { return hmac.New(sha256.New, k.pseudonym) }
	return k, nil
}

var b32 = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// Pseudonym returns "c_" and 16 characters (80 bits) of
// HMAC-SHA256(key, domain, normalized value). Emails are lower-cased and
// trimmed; other values trimmed. Empty stays empty. Without a key the
// value is dropped, never hashed unkeyed.
func (k *Keys) Pseudonym(domain, v string) string {
	v = Normalize(v)
	if v == "" || k == nil || len(k.pseudonym) == 0 {
		return ""
	}
	m := k.macs.Get().(hash.Hash)
	defer k.macs.Put(m)
	m.Reset()
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(v))
	var sum [sha256.Size]byte
	var out [18]byte
	copy(out[:], "c_")
	b32.Encode(out[2:], m.Sum(sum[:0])[:10])
	return string(out[:])
}

// Normalize is how values are compared before pseudonymisation: trimmed;
// an email address is lower-cased, and taken out of a display name
// ("Harriet <harriet@example.com>"). Other values (ids) keep their case.
func Normalize(v string) string {
	v = strings.TrimFunc(v, unicode.IsSpace)
	if strings.Contains(v, "@") {
		if i := strings.LastIndexByte(v, '<'); i >= 0 && strings.HasSuffix(v, ">") {
			v = strings.TrimFunc(v[i+1:len(v)-1], unicode.IsSpace)
		}
		v = strings.ToLower(v)
	}
	return v
}
