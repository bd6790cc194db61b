package platform

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErasureDecode(t *testing.T) {
	t.Parallel()
	p := mustNew(t, "erasure", Options{})
	ev, err := p.Decode(Request{Header: headers("Content-Type", "application/json", "Webhook-Id", "msg_1"), Body: fixture(t, "erasure_request.DERIVED.json")})
	if err != nil {
		t.Fatal(err)
	}
	wantErasure := Erasure{Scope: EraseCustomer, Source: "woocommerce", OrderIDs: []string{"727", "728"}, RequestID: "ticket-2026-118"}
	wantCustomer := Customer{ID: "4242", Email: "harriet.smith@example.com", Phone: "+33 6 12 34 56 78"}
	if ev.Kind != KindErasure || ev.Topic != "erasure/customer" || ev.DeliveryID != "msg_1" {
		t.Errorf("Decode() = kind %q topic %q delivery %q, want erasure, erasure/customer, msg_1", ev.Kind, ev.Topic, ev.DeliveryID)
	}
	if diff := cmp.Diff(wantErasure, *ev.Erasure); diff != "" {
		t.Errorf("Decode() erasure mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantCustomer, ev.Customer); diff != "" {
		t.Errorf("Decode() customer mismatch (-want +got):\n%s", diff)
	}

	tests := []struct {
		name, body string
		want       error // nil: accepted
		scope      ErasureScope
	}{
		{"an email alone", `{"customer":{"email":"a@example.com"}}`, nil, EraseCustomer},
		{"order ids alone", `{"order_ids":[1],"source":"shop"}`, nil, EraseCustomer},
		{"access", `{"scope":"access","customer":{"id":"7"}}`, nil, AccessRequest},
		{"nobody", `{"scope":"customer","customer":{}}`, ErrMalformed, ""},
		{"a misspelt key", `{"customer":{"emial":"a@example.com"}}`, ErrMalformed, ""},
		{"a shop scope", `{"scope":"shop","customer":{"id":"7"}}`, ErrMalformed, ""},
		{"an id of the wrong type", `{"customer":{"id":{"x":1}}}`, ErrMalformed, ""},
		{"a source that is no name", `{"source":"a b","customer":{"id":"7"}}`, ErrMalformed, ""},
		{"two documents", `{"customer":{"id":"7"}} {}`, ErrMalformed, ""},
		{"not JSON", `customer=7`, ErrMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := p.Decode(Request{Header: http.Header{}, Body: []byte(tt.body)})
			if !errors.Is(err, tt.want) || (err == nil && ev.Erasure.Scope != tt.scope) {
				t.Fatalf("Decode(%s) = %+v, %v, want scope %q, error %v", tt.body, ev.Erasure, err, tt.scope, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "emial") || strings.Contains(err.Error(), "a@example.com")) {
				t.Errorf("Decode(%s) error %q quotes the payload", tt.body, err)
			}
		})
	}
	if _, err := p.Decode(Request{Header: headers("Content-Type", "text/plain"), Body: []byte(`{}`)}); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("Decode(text/plain) error = %v, want ErrUnsupportedType", err)
	}
}

func FuzzErasureDecode(f *testing.F) {
	fuzzDecode(f, "erasure", Options{}, "", fixture(f, "erasure_request.DERIVED.json"))
}
