package webhook

import (
	"net/http"
	"time"
)

// WooCommerceHeader carries WooCommerce's signature: the base64
// HMAC-SHA256 of the raw body, keyed with the webhook's secret.
const WooCommerceHeader = "X-WC-Webhook-Signature"

var wooConfig = HMACConfig{Header: WooCommerceHeader, Encoding: EncodingBase64}

// WooCommerce verifies WooCommerce deliveries.
//
// When a webhook is saved, WooCommerce posts an unsigned ping whose body is
// the form "webhook_id=N" and expects a 2xx, or it disables the webhook.
// WooCommerce accepts exactly that body without a signature, and nothing
// else: no JSON, no other form field, no signature header at all. The ping
// carries no data (package platform decodes it as a ping that writes
// nothing), so accepting it opens no way in.
type WooCommerce struct{ v *HMAC }

// NewWooCommerce returns a verifier accepting a signature by any of secrets.
func NewWooCommerce(secrets ...string) (*WooCommerce, error) {
	v, err := NewHMAC(wooConfig, Options{}, secrets...)
	if err != nil {
		return nil, err
	}
	return &WooCommerce{v: v}, nil
}

// Verify implements Verifier.
func (w *WooCommerce) Verify(body []byte, header http.Header) error {
	if len(header.Values(WooCommerceHeader)) == 0 && IsWooCommercePing(body) {
		return nil
	}
	return w.v.Verify(body, header)
}

// IsWooCommercePing reports whether body is exactly WooCommerce's ping,
// "webhook_id=" and 1 to 19 digits.
func IsWooCommercePing(body []byte) bool {
	const prefix = "webhook_id="
	n := len(body) - len(prefix)
	if n < 1 || n > 19 || string(body[:len(prefix)]) != prefix {
		return false
	}
	return digitsOnly(body[len(prefix):])
}

func digitsOnly(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SignWooCommerce returns the X-WC-Webhook-Signature value for body.
func SignWooCommerce(secret string, body []byte) string {
	h, _ := wooConfig.Sign(secret, time.Time{}, body)
	return h.Get(WooCommerceHeader)
}
