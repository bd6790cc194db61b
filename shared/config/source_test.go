package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

const everyPlatform = `
spreadsheet: {id: sheet-1}
sources:
  shopify: {platform: shopify, secrets: [shopify-secret]}
  woocommerce: {platform: woocommerce, secrets: [woo-secret]}
  stripe: {platform: stripe, secrets: [stripe-secret], tolerance: 3m}
  square:
    platform: square
    secrets: [square-key]
    notification_url: https://europe-west1-p.cloudfunctions.net/safeview-webhook/square
  lightspeed-xseries:
    platform: lightspeed-xseries
    secrets: [lsx-token]
    token: {query: true}
    currency: NZD
  lightspeed-ecom:
    platform: lightspeed-ecom
    secrets: [lse-secret]
    token: {header: X-Shop-Token, secrets: [lse-token]}
    currency: EUR
  standard-webhooks:
    platform: standard-webhooks
    secrets: [sw-secret]
    fields: {order.id: data.id, order.total: data.total}
  generic:
    platform: generic
    secrets: [dg1-secret]
    signature: {header: X-DG1-Signature, prefix: "sha256=", timestamp_header: X-DG1-Timestamp}
    tolerance: 2m
    fields:
      booking.id: data.booking.id
      booking.start: data.booking.start_time
      booking.party_size: data.booking.party_size
  erasure: {platform: erasure, secrets: [erasure-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    columns:
      - {header: order_id, field: order.id}
`

func TestSourcesOfEveryPlatform(t *testing.T) {
	t.Parallel()
	c, err := Parse("safeview.yaml", []byte(everyPlatform))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	schemes := map[string]string{
		"shopify": webhook.SchemeShopify, "woocommerce": webhook.SchemeWooCommerce, "stripe": webhook.SchemeStripe,
		"square": webhook.SchemeSquare, "lightspeed-xseries": webhook.SchemeToken, "lightspeed-ecom": webhook.SchemeLightspeedEcom,
		"standard-webhooks": webhook.SchemeStandardWebhooks, "generic": webhook.SchemeHMAC,
		"erasure": webhook.SchemeStandardWebhooks,
	}
	for name, want := range schemes {
		if got, err := c.Sources[name].SchemeOf(); got != want || err != nil {
			t.Errorf("Sources[%s].SchemeOf() = %q, %v, want %q", name, got, err, want)
		}
		if _, err := platform.New(c.Sources[name].Platform, c.Sources[name].PresetOptions()); err != nil {
			t.Errorf("platform.New(%s, PresetOptions()) error = %v", name, err)
		}
	}
	if got := c.SecretNames(); !slices.Contains(got, "lse-token") {
		t.Errorf("SecretNames() = %q, want the paired token's secret too", got)
	}
	got := c.Sources["generic"].WebhookOptions(nil)
	want := webhook.Options{Tolerance: 2 * time.Minute, HMAC: webhook.HMACConfig{Header: "X-DG1-Signature", Prefix: "sha256=", TimestampHeader: "X-DG1-Timestamp"}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b webhook.Clock) bool { return a == nil && b == nil })); diff != "" {
		t.Errorf("WebhookOptions() mismatch (-want +got):\n%s", diff)
	}
	lse := c.Sources["lightspeed-ecom"].WebhookOptions([]string{"tok"})
	if !cmp.Equal(lse.Token, webhook.TokenConfig{Header: "X-Shop-Token", Values: []string{"tok"}}) {
		t.Errorf("WebhookOptions(tokens).Token = %+v", lse.Token)
	}
	if c.Sources["square"].WebhookOptions(nil).NotificationURL == "" {
		t.Error("WebhookOptions() of square lacks the notification URL")
	}
}

// A Shopify source's shops reach its preset, lower-cased; one shop may
// keep a store label.
func TestShopifyShops(t *testing.T) {
	t.Parallel()
	cfg := strings.Replace(everyPlatform, "secrets: [shopify-secret]}", "secrets: [shopify-secret], store: Lyon, shops: [' Lyon.MyShopify.com']}", 1)
	c, err := Parse("safeview.yaml", []byte(cfg))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if got, want := c.Sources["shopify"].PresetOptions().Shops, []string{"lyon.myshopify.com"}; !slices.Equal(got, want) {
		t.Errorf("PresetOptions().Shops = %q, want %q", got, want)
	}
}

// Each mistake in a source is reported with its path.
func TestSourceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"square without URL", func(s string) string {
			return strings.Replace(s, "    notification_url: https://europe-west1-p.cloudfunctions.net/safeview-webhook/square\n", "", 1)
		}, "sources.square.notification_url: required for the square scheme"},
		{"square relative URL", func(s string) string {
			return strings.Replace(s, "notification_url: https://europe-west1-p.cloudfunctions.net/safeview-webhook/square", "notification_url: /square", 1)
		}, "sources.square.notification_url: want an absolute https URL"},
		{"URL elsewhere", func(s string) string {
			return strings.Replace(s, "secrets: [woo-secret]}", "secrets: [woo-secret], notification_url: https://x.example/w}", 1)
		}, "sources.woocommerce.notification_url: only the square scheme"},
		{"tolerance without timestamp", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], tolerance: 1m}", 1)
		}, "sources.shopify.tolerance: the shopify scheme signs no timestamp"},
		{"tolerance too long", func(s string) string { return strings.Replace(s, "tolerance: 3m", "tolerance: 2h", 1) }, "sources.stripe.tolerance: want 1s to 1h"},
		{"hmac without signature", func(s string) string {
			return strings.Replace(s, `    signature: {header: X-DG1-Signature, prefix: "sha256=", timestamp_header: X-DG1-Timestamp}`+"\n    tolerance: 2m\n", "", 1)
		}, "sources.generic.signature: required for the hmac scheme"},
		{"hmac md5", func(s string) string { return strings.Replace(s, `prefix: "sha256="`, `algorithm: md5`, 1) }, `sources.generic.signature.algorithm: want sha256, sha512 or sha1, not "md5"`},
		{"hmac base32", func(s string) string { return strings.Replace(s, `prefix: "sha256="`, `encoding: base32`, 1) }, `sources.generic.signature.encoding: want hex or base64`},
		{"hmac unsigned timestamp", func(s string) string { return strings.Replace(s, `prefix: "sha256="`, `signed: "{body}"`, 1) }, "sources.generic.signature.signed: a timestamp header must be signed"},
		{"hmac no header", func(s string) string { return strings.Replace(s, `header: X-DG1-Signature, `, ``, 1) }, "sources.generic.signature.header: name the header"},
		{"signature elsewhere", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], signature: {header: X}}", 1)
		}, "sources.shopify.signature: only the hmac scheme"},
		{"paired token without secret", func(s string) string {
			return strings.Replace(s, "token: {header: X-Shop-Token, secrets: [lse-token]}", "token: {header: X-Shop-Token}", 1)
		}, "sources.lightspeed-ecom.token.secrets: name the secret of the token"},
		{"token scheme with token secrets", func(s string) string {
			return strings.Replace(s, "token: {query: true}", "token: {query: true, secrets: [x]}", 1)
		}, "sources.lightspeed-xseries.token.secrets: the token scheme's tokens are the source's secrets"},
		{"bad token header", func(s string) string { return strings.Replace(s, "header: X-Shop-Token", `header: "X Shop"`, 1) }, "sources.lightspeed-ecom.token.header: not a header name"},
		{"bad currency", func(s string) string { return strings.Replace(s, "currency: NZD", "currency: nz dollars", 1) }, "sources.lightspeed-xseries.currency: want an ISO 4217 code"},
		{"fields on a preset", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], fields: {order.id: id}}", 1)
		}, "sources.shopify.fields: only the generic and standard-webhooks platforms"},
		{"generic without id", func(s string) string { return strings.Replace(s, "      booking.id: data.booking.id\n", "", 1) }, "sources.generic.fields: map order.id or booking.id"},
		{"unknown generic field", func(s string) string {
			return strings.Replace(s, "booking.party_size: data.booking.party_size", "booking.guests: data.booking.party_size", 1)
		}, `sources.generic.fields.booking.guests: unknown field "booking.guests"`},
		{"bad generic path", func(s string) string { return strings.Replace(s, "data.booking.start_time", "data..start", 1) }, `sources.generic.fields.booking.start: path "data..start"`},
		{"unknown key", func(s string) string {
			return strings.Replace(s, "token: {query: true}", "token: {query: true, param: t}", 1)
		}, `sources.lightspeed-xseries.token: unknown key "param"`},
		{"shops elsewhere", func(s string) string {
			return strings.Replace(s, "secrets: [woo-secret]}", "secrets: [woo-secret], shops: [cafe.example.com]}", 1)
		}, "safeview.yaml:5: sources.woocommerce.shops: only a shopify source declares shops"},
		{"shop not a domain", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], shops: [cafe.myshopify.com, Boutique en ligne]}", 1)
		}, "safeview.yaml:4: sources.shopify.shops[1]: want the shop's domain"},
		{"shop twice", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], shops: [cafe.myshopify.com, Cafe.myshopify.com]}", 1)
		}, "sources.shopify.shops[1]: cafe.myshopify.com is listed twice"},
		{"several shops and a store", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], store: Lyon, shops: [lyon.myshopify.com, paris.myshopify.com]}", 1)
		}, "safeview.yaml:4: sources.shopify.store: a source that serves several shops must not set store"},
		{"shops not a list", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], shops: cafe.myshopify.com}", 1)
		}, "sources.shopify.shops: want a list"},
		{"items on a platform with its items", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-secret]}", "secrets: [shopify-secret], items: {secret: k}}", 1)
		}, "sources.shopify.items: only stripe, square, lightspeed-xseries sources can read line items"},
		{"items without secret", func(s string) string {
			return strings.Replace(s, "tolerance: 3m}", "tolerance: 3m, items: {timeout: 1s}}", 1)
		}, "sources.stripe.items.secret: name the secret"},
		{"items timeout past the deadline", func(s string) string {
			return strings.Replace(s, "tolerance: 3m}", "tolerance: 3m, items: {secret: k, timeout: 10s}}", 1)
		}, "sources.stripe.items.timeout: want 50ms to less than limits.deadline (4s)"},
		{"x-series items without its store", func(s string) string {
			return strings.Replace(s, "    currency: NZD\n", "    currency: NZD\n    items: {secret: k}\n", 1)
		}, "sources.lightspeed-xseries.items.domain_prefix: required for lightspeed-xseries"},
		{"x-series items, a host for a prefix", func(s string) string {
			return strings.Replace(s, "    currency: NZD\n", "    currency: NZD\n    items: {secret: k, domain_prefix: evil.example/x}\n", 1)
		}, "sources.lightspeed-xseries.items.domain_prefix: required for lightspeed-xseries"},
		{"domain prefix elsewhere", func(s string) string {
			return strings.Replace(s, "tolerance: 3m}", "tolerance: 3m, items: {secret: k, domain_prefix: cafe}}", 1)
		}, "sources.stripe.items.domain_prefix: only lightspeed-xseries takes a domain prefix"},
		{"erasure source with a store", func(s string) string {
			return strings.Replace(s, "secrets: [erasure-secret]}", "secrets: [erasure-secret], store: Lyon}", 1)
		}, "sources.erasure: an erasure source writes no rows"},
		{"erasure source feeding a table", func(s string) string {
			return strings.Replace(s, "    key: order_id\n", "    key: order_id\n    sources: [shopify, erasure]\n", 1)
		}, `tables[0].sources[1]: source "erasure" takes erasure requests and feeds no table`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("safeview.yaml", []byte(tt.edit(everyPlatform)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse() error =\n%v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSourceItems(t *testing.T) {
	t.Parallel()
	yml := strings.Replace(everyPlatform, "    currency: NZD\n", "    currency: NZD\n    items: {secret: lsx-items, domain_prefix: cafe, timeout: 800ms}\n", 1)
	c, err := Parse("safeview.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	it := c.Sources["lightspeed-xseries"].Items
	if it == nil || it.Secret != "lsx-items" || it.DomainPrefix != "cafe" || time.Duration(it.Timeout) != 800*time.Millisecond {
		t.Errorf("items = %+v", it)
	}
	if !slices.Contains(c.SecretNames(), "lsx-items") {
		t.Errorf("SecretNames() = %q, want the items credential: Terraform creates it", c.SecretNames())
	}
}
