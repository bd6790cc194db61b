package webhookfn

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/webhook"
)

// These tests cover the answers that must never touch the sheet: the
// Sheets client points at a server that fails the test if called.

const handlerConfig = `
spreadsheet: {id: sheet-1}
sources:
  woo: {platform: woocommerce, secrets: [woo]}
  stripe: {platform: stripe, secrets: [stripe]}
  square: {platform: square, secrets: [square], notification_url: "https://fn.example/square"}
  lsx: {platform: lightspeed-xseries, secrets: [lsx], token: {query: true}}
  lse: {platform: lightspeed-ecom, secrets: [lse], token: {header: X-Shop-Token, secrets: [lse-token]}}
  dg1:
    platform: generic
    secrets: [dg1]
    signature: {header: X-DG1-Signature, prefix: "sha256="}
    fields: {booking.id: id, booking.updated: updated}
tables:
  - tab: Orders
    kind: order
    key: order_id
    columns: [{header: order_id, field: order.id}]
`

var handlerSecrets = map[string]string{
	"woo": "woo-secret", "stripe": "whsec_stripe", "square": "square-key", "lsx": "lsx-token-0123456789abcdef",
	"lse": "lse-secret", "lse-token": "lse-shop-token-0123456789", "dg1": "dg1-secret",
}

func newTestHandler(t *testing.T, edit func(*config.Config)) *Handler {
	t.Helper()
	sheet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the sheet was called: %s %s", r.Method, r.URL.Path)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	t.Cleanup(sheet.Close)
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(sheet.URL), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("safeview.yaml", []byte(handlerConfig))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	env := secrets.Env{Getenv: func(k string) string {
		for name, v := range handlerSecrets {
			if secrets.EnvName(name) == k {
				return v
			}
		}
		return ""
	}}
	h, err := New(context.Background(), Deps{Config: cfg, Secrets: env, Sheets: svc, Logger: logging.New(io.Discard, slog.LevelDebug)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandlerAnswersWithoutTheSheet(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, nil)
	sign := func(scheme, secret, body string, o webhook.Options) webhook.Signed {
		s, err := webhook.Sign(scheme, secret, []byte(body), o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	stale := func() time.Time { return time.Now().Add(-time.Hour) }
	tests := []struct {
		name   string
		source string
		body   string
		signed webhook.Signed
		status int
		result string
	}{
		{"woocommerce ping, unsigned", "woo", "webhook_id=12", webhook.Signed{}, 200, "ping"},
		{"woocommerce JSON, unsigned", "woo", `{"id":1}`, webhook.Signed{}, 401, ""},
		{"stripe stale", "stripe", `{"object":"event"}`, sign("stripe", "whsec_stripe", `{"object":"event"}`, webhook.Options{Clock: stale}), 401, ""},
		{"stripe ignored type", "stripe", `{"object":"event","id":"evt_1","type":"customer.created","data":{"object":{}}}`,
			sign("stripe", "whsec_stripe", `{"object":"event","id":"evt_1","type":"customer.created","data":{"object":{}}}`, webhook.Options{}), 200, "ignored"},
		{"square signed for another URL", "square", `{"type":"payment.created"}`,
			sign("square", "square-key", `{"type":"payment.created"}`, webhook.Options{NotificationURL: "https://other.example/square"}), 401, ""},
		{"square empty body", "square", "", sign("square", "square-key", "", webhook.Options{NotificationURL: "https://fn.example/square"}), 401, ""},
		{"x-series token, malformed body", "lsx", "payload=%7Bnot-json",
			sign("token", "lsx-token-0123456789abcdef", "", webhook.Options{Token: webhook.TokenConfig{Query: true}}), 400, ""},
		{"x-series wrong token", "lsx", "payload=%7B%7D",
			sign("token", "lsx-token-wrong-0123456789", "", webhook.Options{Token: webhook.TokenConfig{Query: true}}), 401, ""},
		{"lightspeed-ecom without its paired token", "lse", `{"customer":{"id":1}}`, sign("lightspeed-ecom", "lse-secret", `{"customer":{"id":1}}`, webhook.Options{}), 401, ""},
		{"lightspeed-ecom paired, ignored resource", "lse", `{"customer":{"id":1}}`,
			sign("lightspeed-ecom", "lse-secret", `{"customer":{"id":1}}`, webhook.Options{Token: webhook.TokenConfig{Header: "X-Shop-Token", Values: []string{"lse-shop-token-0123456789"}}}), 200, "ignored"},
		{"generic signed, not JSON", "dg1", "id=1", sign("hmac", "dg1-secret", "id=1", webhook.Options{HMAC: webhook.HMACConfig{Header: "X-DG1-Signature", Prefix: "sha256="}}), 400, ""},
		{"generic booking, no table takes bookings", "dg1", `{"id":"b1","updated":"2024-01-01T00:00:00Z"}`,
			sign("hmac", "dg1-secret", `{"id":"b1","updated":"2024-01-01T00:00:00Z"}`, webhook.Options{HMAC: webhook.HMACConfig{Header: "X-DG1-Signature", Prefix: "sha256="}}), 200, "ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/" + tt.source
			if tt.signed.Query != nil {
				target += "?" + tt.signed.Query.Encode()
			}
			r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(tt.body))
			for k, v := range tt.signed.Header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var a answer
			_ = json.Unmarshal(w.Body.Bytes(), &a)
			if w.Code != tt.status || a.Result != tt.result {
				t.Errorf("POST %s = %d %q (%s), want %d %q", tt.source, w.Code, a.Result, a.Error, tt.status, tt.result)
			}
			for _, secret := range handlerSecrets {
				if strings.Contains(w.Body.String(), secret) {
					t.Errorf("the answer quotes a secret")
				}
			}
		})
	}
}
