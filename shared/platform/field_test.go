package platform

import "testing"

func TestCustomerRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"email wins", Event{Platform: "shopify", Customer: Customer{ID: "42", Email: " Harriet@Example.COM "}}, "harriet@example.com"},
		{"id without email", Event{Platform: "shopify", Customer: Customer{ID: "42"}}, "shopify:42"},
		{"id without platform", Event{Customer: Customer{ID: "42"}}, ""},
		{"nothing", Event{Platform: "square"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CustomerRef(&tt.ev); got != tt.want {
				t.Errorf("CustomerRef(%+v) = %q, want %q", tt.ev.Customer, got, tt.want)
			}
			f, _ := LookupField("customer.ref")
			if !f.PII {
				t.Errorf("customer.ref is not marked PII")
			}
		})
	}
}
