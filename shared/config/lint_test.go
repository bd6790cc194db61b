package config

import (
	"strings"
	"testing"
)

// The lint names the table, the column and what personal data it takes.
func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, column string
		want         string // "" when the column is allowed
	}{
		{"canonical PII field", "{header: who, field: customer.email}", `tables[0].columns[3].op: table "Orders" column "who" takes personal data (customer.email)`},
		{"canonical PII with a format", "{header: who, field: customer.name, op: text}", "takes personal data (customer.name)"},
		{"customer.ref", "{header: who, field: customer.ref}", "takes personal data (customer.ref)"},
		{"PII through an operator", "{header: who, field: customer.email, op: pseudonym}", ""},
		{"raw path at a PII path", "{header: mail, path: email}", `column "mail" takes personal data (raw path email reads shopify's personal data at email)`},
		{"raw path under a PII path", "{header: zip, path: billing_address.zip}", "reads shopify's personal data at billing_address"},
		{"raw path under a PII array path", "{header: engraving, path: \"line_items[0].properties[1].value\"}", "at line_items[].properties"},
		{"raw path above a PII path", "{header: items, path: \"line_items[2]\"}", "at line_items[].properties"},
		{"raw path of another element", "{header: sku, path: \"line_items[].sku\"}", ""},
		{"raw PII path masked", "{header: zip, path: billing_address.zip, op: drop}", ""},
		{"raw path under customer", "{header: cid, path: customer.id}", "at customer"},
		{"raw path with a bad step", "{header: x, path: \"a[\"}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			yaml := strings.Replace(valid, "      - {header: sku, path: \"line_items[0].sku\"}\n",
				"      - {header: sku, path: \"line_items[0].sku\"}\n      - "+tt.column+"\n", 1)
			_, err := Parse("safeview.yaml", []byte(yaml))
			switch {
			case tt.want == "" && err != nil && strings.Contains(err.Error(), "personal data"):
				t.Errorf("Parse(%s) = %v, want the column allowed", tt.column, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Parse(%s) = %v, want an error containing %q", tt.column, err, tt.want)
			}
		})
	}
}

// A table fed only by some sources is linted against their presets
// only; without sources, against every source's.
func TestLintSourcesOfTable(t *testing.T) {
	t.Parallel()
	c := &Config{
		SourceNames: []string{"a", "b", "c", "d"},
		Sources:     map[string]*Source{"a": {Platform: "shopify"}, "b": {Platform: "nope"}, "c": {Platform: "shopify"}, "d": nil},
	}
	if got := c.sourcesOf(&Table{}); strings.Join(got, ",") != "a,b,c" {
		t.Errorf("sourcesOf(all) = %q, want a,b,c", got)
	}
	if got := c.sourcesOf(&Table{Sources: []string{"b"}}); strings.Join(got, ",") != "b" {
		t.Errorf("sourcesOf(b) = %q, want b", got)
	}
	if got := c.piiUnder(&Table{Sources: []string{"b"}}, "email"); got != "" {
		t.Errorf("piiUnder(unknown platform) = %q, want nothing (reported with the source)", got)
	}
}

// A source of the generic presets has the PII paths its fields: map
// customer fields to: a raw column at one of them is refused like a
// canonical customer field. (The lint built every preset without its
// options, so a generic source had none, and a raw path to the
// customer's email passed.)
func TestLintGenericFields(t *testing.T) {
	t.Parallel()
	const generic = `
spreadsheet: {id: sheet-1}
sources:
  dg1:
    platform: generic
    secrets: [dg1-secret]
    signature: {header: X-Signature}
    fields:
      booking.id: data.booking.id
      customer.email: data.booking.customer.email
      customer.name: "data.booking.guests[0].name"
tables:
  - tab: Bookings
    kind: booking
    key: booking_id
    columns:
      - {header: booking_id, field: booking.id}
`
	tests := []struct {
		column, want string
	}{
		{"{header: who, path: data.booking.customer.email}", `column "who" takes personal data (raw path data.booking.customer.email reads generic's personal data at data.booking.customer.email)`},
		{"{header: customer, path: data.booking.customer}", "at data.booking.customer.email"},
		{"{header: guest, path: \"data.booking.guests[1].name\"}", "at data.booking.guests[0].name"},
		{"{header: who, path: data.booking.customer.email, op: mask_email}", ""},
		{"{header: service, path: data.booking.service}", ""},
	}
	for _, tt := range tests {
		_, err := Parse("safeview.yaml", []byte(generic+"      - "+tt.column+"\n"))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Parse(%s) = %v, want the column allowed", tt.column, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Parse(%s) = %v, want an error containing %q", tt.column, err, tt.want)
		}
	}
}

func TestPathSegments(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a.b", "a b"},
		{"a[].b", "a [] b"},
		{"a[3].b[0]", "a [] b []"},
		{"m[1][2]", "m [] []"},
		{"a.*", "a *"},
		{"a[", ""},
		{"a..b", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(pathSegments(tt.in), " "); got != tt.want {
			t.Errorf("pathSegments(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !overlaps(pathSegments("billing_address.zip"), pathSegments("billing_address.*")) {
		t.Errorf("overlaps(billing_address.zip, billing_address.*) = false")
	}
	if overlaps(pathSegments("shipping_lines[0].title"), pathSegments("billing_address.*")) {
		t.Errorf("overlaps(shipping_lines[0].title, billing_address.*) = true")
	}
}
