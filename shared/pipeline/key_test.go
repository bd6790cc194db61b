package pipeline

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// The key column is an identifier: never masked, whatever number it looks
// like. Three Shopify order ids that the guard would mask to the same
// "***2569" stay three keys (issue: three orders ended as one row).
func TestKeyIsNeverMasked(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	r := rand.New(rand.NewPCG(7, 11))
	masked := 0
	for range 20_000 {
		// The range of Shopify's current order ids.
		id := strconv.FormatInt(5_600_000_000_000+r.Int64N(1_400_000_000_000), 10)
		if g, _ := privacy.Guard(id); g != id {
			masked++ // the guard would have rewritten this id
		}
		ev := event()
		ev.Order.ID = id
		got, err := p.Run(NewInput(ev, "shopify", nil))
		if err != nil {
			t.Fatalf("Run(order %s) error = %v", id, err)
		}
		if got.Row.Key != id || got.Row.Cells[0].Text != id {
			t.Fatalf("Run(order %s) key = %q, cell %q, want the id as is", id, got.Row.Key, got.Row.Cells[0].Text)
		}
	}
	if masked == 0 {
		t.Fatal("no id of the sample looks like a number the guard masks: the test proves nothing")
	}
}

// A key that holds personal data, or characters nobody sees, is refused,
// naming the column and the reason, never the value.
func TestBadKeyIsRefused(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	tests := []struct{ id, reason string }{
		{"harriet@example.com", "holds personal data (email)"},
		{"order-for-harriet@example.com", "holds personal data (email)"},
		{"+33 6 12 34 56 78", "holds personal data (phone)"},
		{"FR7630006000011234567890189", "holds personal data (iban)"},
		{"4111 1111 1111 1111", "holds personal data (card)"},
		{"42\x0042", "holds control or invisible characters"},
		{"42\u200b42", "holds control or invisible characters"},
		{"\u202e2424", "holds control or invisible characters"},
		{strings.Repeat("9", 50_001), "is longer than a cell holds (50000 characters)"},
	}
	for _, tt := range tests {
		ev := event()
		ev.Order.ID = tt.id
		_, err := p.Run(NewInput(ev, "shopify", nil))
		var ke *KeyError
		if !errors.As(err, &ke) || !errors.Is(err, ErrBadKey) || ke.Column != "order_id" || ke.Reason != tt.reason {
			t.Errorf("Run(key %+q) error = %v, want a KeyError on order_id that %s", tt.id[:min(len(tt.id), 40)], err, tt.reason)
			continue
		}
		if strings.Contains(err.Error(), tt.id) {
			t.Errorf("Run(key %+q) error quotes the key: %v", tt.id[:min(len(tt.id), 40)], err)
		}
	}
	// Ids of every real shape pass.
	for _, id := range []string{"1001", "#1001", "5612345678901", "cs_test_a1B2c3D4", "pi_3MtwBwLkdIwHu7ix28a3tqPa",
		"0b8f7a2c-1234-4bcd-be17-9656f3bc680d", "KkAkhdMsgzn59SM8A89WgKwekxLZY", "gid://shopify/Order/5612345678901", "=1+1"} {
		ev := event()
		ev.Order.ID = id
		if _, err := p.Run(NewInput(ev, "shopify", nil)); err != nil {
			t.Errorf("Run(key %q) error = %v, want none", id, err)
		}
	}
}

// A returned line (Lightspeed X-Series) says so, rather than "x-1".
func TestItemsReturned(t *testing.T) {
	t.Parallel()
	got := Items([]platform.Item{{Name: "Mug, large", Quantity: 1, Returned: true}, {Name: "Tasse", Quantity: 2}}, ItemsMaxLen)
	if want := "Mug, large x1 returned, Tasse x2"; got != want {
		t.Errorf("Items(…) = %q, want %q", got, want)
	}
}
