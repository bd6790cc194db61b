package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// ShopifyHeader carries Shopify's signature: the base64 HMAC-SHA256 of the
// raw body.
const ShopifyHeader = "X-Shopify-Hmac-Sha256"

// Shopify verifies Shopify deliveries. The key is the app's client secret
// for webhooks an app subscribes to, or, for webhooks created by hand in the
// store admin (Settings > Notifications > Webhooks), the key shown on that
// page ("Your webhooks will be signed with ..."): not the app secret.
type Shopify struct{ keys [][]byte }

// NewShopify returns a verifier accepting a signature by any of secrets.
func NewShopify(secrets ...string) (*Shopify, error) {
	k, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	return &Shopify{keys: k}, nil
}

// Verify implements Verifier.
func (s *Shopify) Verify(body []byte, header http.Header) error {
	return verifyBase64HMAC(body, header, ShopifyHeader, s.keys)
}

// verifyBase64HMAC checks a header holding the base64 HMAC-SHA256 of the raw
// body, the shape Shopify and WooCommerce share.
func verifyBase64HMAC(body []byte, header http.Header, name string, keys [][]byte) error {
	values := header.Values(name)
	switch {
	case len(values) == 0 || values[0] == "":
		return ErrMissingSignature
	case len(values) > 1:
		return ErrMalformedSignature
	}
	got, err := base64.StdEncoding.DecodeString(values[0])
	if err != nil || len(got) != sha256.Size {
		return ErrMalformedSignature
	}
	want := make([][]byte, len(keys))
	for i, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write(body)
		want[i] = m.Sum(nil)
	}
	if !anyEqual(got, want) {
		return ErrInvalidSignature
	}
	return nil
}

// SignShopify returns the X-Shopify-Hmac-Sha256 value for body, for tests
// and the send script.
func SignShopify(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
