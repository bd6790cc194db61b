package webhook

import (
	"net/http"
	"time"
)

// ShopifyHeader carries Shopify's signature: the base64 HMAC-SHA256 of the
// raw body.
const ShopifyHeader = "X-Shopify-Hmac-Sha256"

var shopifyConfig = HMACConfig{Header: ShopifyHeader, Encoding: EncodingBase64}

// Shopify verifies Shopify deliveries. The key is the app's client secret
// for webhooks an app subscribes to, or, for webhooks created by hand in the
// store admin (Settings > Notifications > Webhooks), the key shown on that
// page ("Your webhooks will be signed with ..."): not the app secret, and
// a delivery signed with the other one is rejected. An empty body fails, as
// in Shopify's own library: every Shopify webhook carries a JSON body.
type Shopify struct{ v *HMAC }

// NewShopify returns a verifier accepting a signature by any of secrets.
func NewShopify(secrets ...string) (*Shopify, error) {
	v, err := NewHMAC(shopifyConfig, Options{}, secrets...)
	if err != nil {
		return nil, err
	}
	return &Shopify{v: v}, nil
}

// Verify implements Verifier.
func (s *Shopify) Verify(body []byte, header http.Header) error {
	if len(body) == 0 {
		return ErrEmptyBody
	}
	return s.v.Verify(body, header)
}

// SignShopify returns the X-Shopify-Hmac-Sha256 value for body, for tests
// and the send script.
func SignShopify(secret string, body []byte) string {
	h, _ := shopifyConfig.Sign(secret, time.Time{}, body)
	return h.Get(ShopifyHeader)
}
