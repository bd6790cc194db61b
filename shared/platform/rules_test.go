package platform

import "testing"

// The exported status rules must stay the presets' own: a backfilled order
// and its live webhook land in the same row with the same status.
func TestExportedStatusRules(t *testing.T) {
	t.Parallel()
	shopify := []struct {
		financial string
		cancelled bool
		want      Status
		wantRaw   string
	}{
		{"paid", false, StatusPaid, "paid"},
		{"paid", true, StatusCancelled, "paid (cancelled)"},
		{"refunded", true, StatusRefunded, "refunded (cancelled)"},
		{"partially_refunded", false, StatusPartiallyRefunded, "partially_refunded"},
		{"voided", false, StatusCancelled, "voided"},
		{"authorized", false, StatusPending, "authorized"},
		{"", false, StatusUnknown, ""},
	}
	for _, tt := range shopify {
		t.Run("shopify "+tt.wantRaw, func(t *testing.T) {
			got, raw := ShopifyStatus(tt.financial, tt.cancelled)
			if got != tt.want || raw != tt.wantRaw {
				t.Errorf("ShopifyStatus(%q, %v) = %q, %q, want %q, %q", tt.financial, tt.cancelled, got, raw, tt.want, tt.wantRaw)
			}
			if got != shopifyStatus(tt.financial, tt.cancelled) {
				t.Errorf("ShopifyStatus(%q, %v) differs from the preset's rule", tt.financial, tt.cancelled)
			}
		})
	}
	for _, s := range []string{"processing", "completed", "on-hold", "refunded", "cancelled", "failed", "trash", "custom"} {
		for _, refunded := range []bool{false, true} {
			if got, want := WooCommerceStatus(s, refunded), wooStatus(s, refunded); got != want {
				t.Errorf("WooCommerceStatus(%q, %v) = %q, want %q", s, refunded, got, want)
			}
		}
	}
	for _, s := range []string{"CLOSED", "closed", "VOIDED", "Voided", "LAYBY", "ONACCOUNT_CLOSED", "other"} {
		if got, want := XSeriesStatus(s), xseriesStatus(s); got != want {
			t.Errorf("XSeriesStatus(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestParseQuantity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"2", 2, false},
		{"", 1, false},
		{"0.25", 1, false},
		{"2.5", 3, false},
		{"-1", 0, true},
		{"0", 0, true},
		{"0.0", 0, true},
		{"-0.3", 0, true},
		{"1e3", 0, true},
		{"two", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuantity(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseQuantity(%q) = %d, %v, want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
