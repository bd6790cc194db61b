package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// SquareHeader carries Square's signature: the base64 HMAC-SHA256 of the
// notification URL followed by the raw body. (The legacy
// x-square-signature, an HMAC-SHA1, is not accepted.)
const SquareHeader = "X-Square-Hmacsha256-Signature"

// Square verifies Square deliveries. The key is the subscription's
// signature key. The URL is the notification URL configured in Square's
// dashboard, byte for byte, never rebuilt from the request: behind a
// proxy, a load balancer or Cloud Functions' own routing the request's
// host and scheme are not what Square signed. An empty body fails, where
// Square's own SDK lets it pass.
type Square struct {
	url  []byte
	keys [][]byte
}

// NewSquare returns a verifier for deliveries to notificationURL, accepting
// a signature by any of secrets.
func NewSquare(notificationURL string, secrets ...string) (*Square, error) {
	if err := checkNotificationURL(notificationURL); err != nil {
		return nil, err
	}
	k, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	return &Square{url: []byte(notificationURL), keys: k}, nil
}

// checkNotificationURL requires an absolute http(s) URL.
func checkNotificationURL(s string) error {
	if s == "" {
		return fmt.Errorf("%w: square needs the notification URL", ErrOptions)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: the notification URL must be an absolute http(s) URL", ErrOptions)
	}
	return nil
}

// Verify implements Verifier.
func (s *Square) Verify(body []byte, header http.Header) error {
	if len(body) == 0 {
		return ErrEmptyBody
	}
	raw, err := single(header, SquareHeader)
	if err != nil {
		return err
	}
	got, err := decode(EncodingBase64, raw, sha256.Size)
	if err != nil {
		return err
	}
	if !matchAny([][]byte{got}, s.keys, func(k []byte) []byte { return mac(sha256.New, k, s.url, body) }) {
		return ErrInvalidSignature
	}
	return nil
}

// SignSquare returns the x-square-hmacsha256-signature value for body
// posted to notificationURL.
func SignSquare(key, notificationURL string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(sha256.New, []byte(key), []byte(notificationURL), body))
}
