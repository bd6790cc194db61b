package config

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const valid = `
spreadsheet:
  id: sheet-1
  time_zone: Europe/Paris
sources:
  shopify:
    platform: shopify
    secrets: [shopify-webhook-secret]
  lyon:
    platform: shopify
    secrets: [lyon-secret, lyon-secret-2]
    store: Lyon
    time_zone: Europe/Paris
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: total, field: order.total, op: money}
      - {header: sku, path: "line_items[0].sku"}
`

func TestParseValid(t *testing.T) {
	t.Parallel()
	c, err := Parse("safeview.yaml", []byte(valid))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if got := strings.Join(c.SourceNames, ","); got != "shopify,lyon" {
		t.Errorf("SourceNames = %q, want file order shopify,lyon", got)
	}
	if c.Limits.MaxBodyBytes != DefaultMaxBodyBytes || time.Duration(c.Limits.Deadline) != DefaultDeadline {
		t.Errorf("Limits = %+v, want the defaults", c.Limits)
	}
	if c.Tables[0].Updates != UpdatesAlways {
		t.Errorf("Updates = %q, want %q by default", c.Tables[0].Updates, UpdatesAlways)
	}
	if c.Sources["shopify"].TimeZone != "Europe/Paris" {
		t.Errorf("source time zone = %q, want the spreadsheet's", c.Sources["shopify"].TimeZone)
	}
	if got := strings.Join(c.SecretNames(), ","); got != "shopify-webhook-secret,lyon-secret,lyon-secret-2" {
		t.Errorf("SecretNames() = %q", got)
	}
	if got := len(c.TablesFor("lyon", "order")); got != 1 {
		t.Errorf("TablesFor(lyon, order) has %d tables, want 1", got)
	}
	if got := len(c.TablesFor("lyon", "booking")); got != 0 {
		t.Errorf("TablesFor(lyon, booking) has %d tables, want 0", got)
	}
}

func TestParseExampleConfig(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../functions/webhook/safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("safeview.yaml", data); err != nil {
		t.Fatalf("the example configuration does not parse: %v", err)
	}
}

// Each mistake is reported with its line and path.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"unknown top key", func(s string) string { return s + "extra: 1\n" }, []string{`safeview.yaml:23: (top level): unknown key "extra"`}},
		{"typo in column", func(s string) string {
			return strings.Replace(s, "{header: total, field:", "{header: total, feild:", 1)
		}, []string{`tables[0].columns[1]: unknown key "feild"`}},
		{"unknown field", func(s string) string { return strings.Replace(s, "order.total", "order.totl", 1) }, []string{`safeview.yaml:21: tables[0].columns[1].field: unknown field "order.totl"`}},
		{"unknown platform", func(s string) string {
			return strings.Replace(s, "platform: shopify\n    secrets: [shopify", "platform: shopfy\n    secrets: [shopify", 1)
		}, []string{`sources.shopify.platform: unknown platform "shopfy"`}},
		{"no secrets", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-webhook-secret]", "secrets: []", 1)
		}, []string{"sources.shopify.secrets: name at least one secret"}},
		{"bad time zone", func(s string) string {
			return strings.Replace(s, "time_zone: Europe/Paris\nsources", "time_zone: Mars/Olympus\nsources", 1)
		}, []string{`spreadsheet.time_zone: unknown time zone "Mars/Olympus"`}},
		{"key not a column", func(s string) string { return strings.Replace(s, "key: order_id", "key: id", 1) }, []string{`tables[0].key: no column has the header "id"`}},
		{"duplicate header", func(s string) string { return strings.Replace(s, "{header: sku,", "{header: total,", 1) }, []string{`tables[0].columns[2].header: header "total" is used twice`}},
		{"field and path", func(s string) string {
			return strings.Replace(s, `path: "line_items[0].sku"`, `path: x, field: order.id`, 1)
		}, []string{"tables[0].columns[2]: set field or path, not both"}},
		{"wrong kind", func(s string) string { return strings.Replace(s, "field: order.total", "field: booking.total", 1) }, []string{"booking.total is a field of booking events"}},
		{"raw PII", func(s string) string {
			return strings.Replace(s, "field: order.total, op: money", "field: customer.email", 1)
		}, []string{`tables[0].columns[1].op: table "Orders" column "total" takes personal data (customer.email)`}},
		{"PII with a format op", func(s string) string {
			return strings.Replace(s, "field: order.total, op: money", "field: customer.name, op: text", 1)
		}, []string{"takes personal data (customer.name)"}},
		{"wrong shape", func(s string) string {
			return strings.Replace(s, "secrets: [shopify-webhook-secret]", "secrets: shopify-webhook-secret", 1)
		}, []string{"sources.shopify.secrets: want a list"}},
		{"bad source name", func(s string) string { return strings.Replace(s, "  lyon:\n", "  Lyon Store:\n", 1) }, []string{"sources.Lyon Store: a source name is its URL path"}},
		{"reserved header", func(s string) string { return strings.Replace(s, "{header: sku,", "{header: _safeview_version,", 1) }, []string{"is reserved for Safeview"}},
		{"bad deadline", func(s string) string { return s + "limits: {deadline: soon}\n" }, []string{"safeview.yaml:23: limits.deadline: want a duration"}},
		{"two mistakes", func(s string) string {
			return strings.Replace(strings.Replace(s, "kind: order", "kind: orders", 1), "order.total", "order.totl", 1)
		}, []string{`tables[0].kind: want order or booking, not "orders"`, `unknown field "order.totl"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("safeview.yaml", []byte(tt.edit(valid)))
			if err == nil {
				t.Fatalf("Parse() succeeded, want errors %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse() error =\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil {
		t.Fatal("Load(missing) succeeded")
	}
}

// Columns derived from the customer are personal, cleared by erasures:
// every customer.* field whatever its operator, a raw path through a
// privacy operator, and what the configuration marks.
func TestPersonalColumns(t *testing.T) {
	t.Parallel()
	c, err := Parse("safeview.yaml", []byte(valid+`      - {header: customer_ref, field: customer.ref, op: pseudonym}
      - {header: email, field: customer.email, op: mask_email}
      - {header: zip, path: billing_address.zip, op: last4}
      - {header: note, path: note_attributes, op: drop, personal: true}
      - {header: gift, path: "line_items[0].sku", personal: true}
      - {header: channel, field: order.channel}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"customer_ref", "email", "zip", "note", "gift"}
	if got := c.Tables[0].PersonalHeaders(); !slices.Equal(got, want) {
		t.Errorf("PersonalHeaders() = %q, want %q", got, want)
	}
	if !c.Feeds(c.Tables[0], "lyon") || c.Feeds(c.Tables[0], "nobody") {
		t.Errorf("Feeds(Orders, lyon) = false or Feeds(Orders, nobody) = true")
	}
	_, err = Parse("safeview.yaml", []byte(strings.Replace(valid, "{header: order_id, field: order.id}", "{header: order_id, field: order.id, personal: true}", 1)))
	if err == nil || !strings.Contains(err.Error(), "tables[0].columns[0].personal: the key column cannot be personal") {
		t.Errorf("Parse(personal key) error = %v, want the key refused", err)
	}
}
