package webhook

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// Published vectors, each checked by the verifier of its scheme. Vectors
// marked "openssl" were computed independently of this package, e.g.
//
//	printf '1700000000.{"id":1}' | openssl dgst -sha256 -hmac whsec_hush -hex
func TestPublishedVectors(t *testing.T) {
	t.Parallel()
	tests := []vector{
		// bold-commerce/go-shopify, oauth_test.go TestVerifyWebhookRequest
		// (ApiSecret "hush" from goshopify_test.go setup; the client
		// JSON-encodes the message, hence the quotes).
		{"go-shopify valid", SchemeShopify, "hush", Options{}, `"my secret message"`,
			map[string]string{ShopifyHeader: "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="}, nil},
		{"go-shopify other message", SchemeShopify, "hush", Options{}, `"my invalid message"`,
			map[string]string{ShopifyHeader: "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="}, ErrInvalidSignature},
		{"go-shopify wrong hash", SchemeShopify, "hush", Options{}, `"my secret message"`,
			map[string]string{ShopifyHeader: "wronghash"}, ErrMalformedSignature},
		{"go-shopify short HMAC", SchemeShopify, "hush", Options{}, `"my secret message"`,
			map[string]string{ShopifyHeader: "YmxhaGJsYWgK"}, ErrMalformedSignature},
		{"go-shopify signature of the empty body", SchemeShopify, "hush", Options{}, `"my secret message"`,
			map[string]string{ShopifyHeader: "ZAZ6P4c14f6v798OCPYCodtdf9g8Z+GfthdfCgyhUYg="}, ErrInvalidSignature},

		// standard-webhooks/standard-webhooks, libraries/go/webhook_test.go
		// TestWebhookSign (the vector of the specification's examples).
		{"standard webhooks spec", SchemeStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			Options{Clock: at(1614265330)}, `{"test": 2432232314}`, map[string]string{
				StandardIDHeader: "msg_p5jXN8AQM9LWM0D4loKWxJek", StandardTimestampHeader: "1614265330",
				StandardSignatureHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}, nil},
		{"standard webhooks spec, svix headers", SchemeStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			Options{Clock: at(1614265330)}, `{"test": 2432232314}`, map[string]string{
				SvixIDHeader: "msg_p5jXN8AQM9LWM0D4loKWxJek", SvixTimestampHeader: "1614265330",
				SvixSignatureHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}, nil},
		// the same file, "invalid signature is invalid".
		{"standard webhooks invalid", SchemeStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			Options{Clock: at(1614265330)}, `{"test": 2432232314}`, map[string]string{
				StandardIDHeader: "msg_p5jXN8AQM9LWM0D4loKWxJek", StandardTimestampHeader: "1614265330",
				StandardSignatureHeader: "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="}, ErrInvalidSignature},
		{"standard webhooks spec, a day later", SchemeStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			Options{Clock: at(1614265330 + 86400)}, `{"test": 2432232314}`, map[string]string{
				StandardIDHeader: "msg_p5jXN8AQM9LWM0D4loKWxJek", StandardTimestampHeader: "1614265330",
				StandardSignatureHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}, ErrTimestamp},

		// square/square-go-sdk, webhooks/client/verify_signature_test.go
		// (Square's Go SDK is not on the module proxy for this build, so
		// its published vectors stand in for it as an oracle).
		{"square sdk valid", SchemeSquare, "Ibxx_5AKakO-3qeNVR61Dw",
			Options{NotificationURL: "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"}, squareSDKBody,
			map[string]string{SquareHeader: "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="}, nil},
		{"square sdk unescaped chars", SchemeSquare, "signature-key", Options{NotificationURL: "https://webhook.site/webhooks"},
			`{"data":{"type":"webhooks","id":"fake_id"}}`, map[string]string{SquareHeader: "W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA="}, nil},
		{"square sdk escaped chars", SchemeSquare, "signature-key", Options{NotificationURL: "https://webhook.site/webhooks"},
			`{"data":{"type":"webhooks","id":">id<"}}`, map[string]string{SquareHeader: "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U="}, nil},
		{"square sdk URL mismatch", SchemeSquare, "Ibxx_5AKakO-3qeNVR61Dw",
			Options{NotificationURL: "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9"}, squareSDKBody,
			map[string]string{SquareHeader: "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="}, ErrInvalidSignature},
		{"square sdk wrong key", SchemeSquare, "MCmhFRxGX82xMwg5FsaoQA",
			Options{NotificationURL: "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"}, squareSDKBody,
			map[string]string{SquareHeader: "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="}, ErrInvalidSignature},
		{"square sdk SHA-1 sized header", SchemeSquare, "Ibxx_5AKakO-3qeNVR61Dw",
			Options{NotificationURL: "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"}, squareSDKBody,
			map[string]string{SquareHeader: "1z2n3DEJJiUPKcPzQo1ftvbxGdw="}, ErrMalformedSignature},
		// The SDK returns nil for an empty body; Safeview refuses it.
		{"square empty body", SchemeSquare, "Ibxx_5AKakO-3qeNVR61Dw",
			Options{NotificationURL: "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"}, "",
			map[string]string{SquareHeader: "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="}, ErrEmptyBody},

		// openssl vectors.
		{"shopify openssl", SchemeShopify, "hush", Options{}, `{"id":1}`,
			map[string]string{ShopifyHeader: "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="}, nil},
		{"woocommerce openssl", SchemeWooCommerce, "hush", Options{}, `{"id":1}`,
			map[string]string{WooCommerceHeader: "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="}, nil},
		{"stripe openssl", SchemeStripe, "whsec_hush", Options{Clock: at(1700000000)}, `{"id":1}`,
			map[string]string{StripeHeader: "t=1700000000,v1=bceebf6e82e46a629ad184a0dd32b7ba0fc811bf68784ec665b92eb5f42e2347"}, nil},
		{"lightspeed-ecom openssl", SchemeLightspeedEcom, "hush", Options{}, `{"id":1}`,
			map[string]string{LightspeedEcomHeader: "fafaaf6fa46e77d22502b4040e890bc7"}, nil},
		{"lightspeed-ecom upper-case hex", SchemeLightspeedEcom, "hush", Options{}, `{"id":1}`,
			map[string]string{LightspeedEcomHeader: "FAFAAF6FA46E77D22502B4040E890BC7"}, nil},
		{"hmac sha512 hex prefixed openssl", SchemeHMAC, "hush",
			Options{HMAC: HMACConfig{Header: "X-Sig", Algorithm: AlgorithmSHA512, Prefix: "sha512="}}, `{"id":1}`,
			map[string]string{"X-Sig": "sha512=f4285c761b97fc28e60261d18aa94a9b5929084e5c98578e13711c63acd53b24d1882332b75522dab9936bdcaddb9d3229a15f09669a1bf9396443300277cf5a"}, nil},
		{"hmac sha1 base64 timestamped openssl", SchemeHMAC, "hush",
			Options{Clock: at(1700000000), HMAC: HMACConfig{Header: "X-Sig", Algorithm: AlgorithmSHA1, Encoding: EncodingBase64, TimestampHeader: "X-Time"}}, `{"id":1}`,
			map[string]string{"X-Sig": "IBf6ovJnlaUjTGHRZKZFFtmlwBA=", "X-Time": "1700000000"}, nil},
		// The base64 vectors with other padding bits: the same bytes to a
		// lenient decoder, but not the string a signer writes. No official
		// SDK verifies these schemes; they are refused as Shopify's and
		// Square's SDKs refuse theirs (oracle_test.go TestSDKAnswers).
		{"woocommerce other padding bits", SchemeWooCommerce, "hush", Options{}, `{"id":1}`,
			map[string]string{WooCommerceHeader: otherPadding("VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=")}, ErrMalformedSignature},
		{"hmac sha1 base64 other padding bits", SchemeHMAC, "hush",
			Options{Clock: at(1700000000), HMAC: HMACConfig{Header: "X-Sig", Algorithm: AlgorithmSHA1, Encoding: EncodingBase64, TimestampHeader: "X-Time"}}, `{"id":1}`,
			map[string]string{"X-Sig": otherPadding("IBf6ovJnlaUjTGHRZKZFFtmlwBA="), "X-Time": "1700000000"}, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}

// vector is a delivery and Safeview's answer to it.
type vector struct {
	name    string
	scheme  string
	secret  string
	opts    Options
	body    string
	headers map[string]string
	want    error
}

func (v vector) header() http.Header {
	h := http.Header{}
	for k, val := range v.headers {
		h.Set(k, val)
	}
	return h
}

// check asks the verifier of v's scheme for its answer to v.
func (v vector) check(t *testing.T) {
	t.Helper()
	ver, err := New(v.scheme, []string{v.secret}, v.opts)
	if err != nil {
		t.Fatalf("New(%s) error = %v", v.scheme, err)
	}
	if err := ver.Verify([]byte(v.body), v.header()); !errors.Is(err, v.want) {
		t.Errorf("Verify(%q) = %v, want %v", v.headers, err, v.want)
	}
}

const squareSDKBody = `{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}`

// at returns a clock fixed at a Unix time.
func at(unix int64) Clock { return func() time.Time { return time.Unix(unix, 0) } }
