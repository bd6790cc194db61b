package webhook

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
)

// LightspeedEcomHeader carries Lightspeed eCom's signature: the hex MD5 of
// the raw body followed by the app's secret.
const LightspeedEcomHeader = "X-Signature"

// LightspeedEcom verifies Lightspeed eCom (C-Series) deliveries, as
// observed in practice: X-Signature = hex md5(body + secret).
//
// This is a weak signature. MD5 is broken for collisions, and a secret
// appended to the message is not an HMAC: whoever sees one signed body can
// search offline for another body with the same MD5 state and reuse the
// signature, and no timestamp stops a replay. Pair it with a shared token
// (Options.Token) that only Safeview and the shop know, and keep the
// webhook URL private.
type LightspeedEcom struct{ keys [][]byte }

// NewLightspeedEcom returns a verifier accepting a signature by any of
// secrets.
func NewLightspeedEcom(secrets ...string) (*LightspeedEcom, error) {
	k, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	return &LightspeedEcom{keys: k}, nil
}

// Verify implements Verifier.
func (l *LightspeedEcom) Verify(body []byte, header http.Header) error {
	raw, err := single(header, LightspeedEcomHeader)
	if err != nil {
		return err
	}
	got, err := decode(EncodingHex, raw, md5.Size)
	if err != nil {
		return err
	}
	if !matchAny([][]byte{got}, l.keys, func(k []byte) []byte { return md5sum(body, k) }) {
		return ErrInvalidSignature
	}
	return nil
}

func md5sum(body, secret []byte) []byte {
	m := md5.New()
	m.Write(body)
	m.Write(secret)
	return m.Sum(nil)
}

// SignLightspeedEcom returns the X-Signature value for body.
func SignLightspeedEcom(secret string, body []byte) string {
	return hex.EncodeToString(md5sum(body, []byte(secret)))
}
