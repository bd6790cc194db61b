package pipeline

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

const cfgYAML = `
spreadsheet: {id: s, time_zone: Europe/Paris}
privacy: {pseudonym_key: pk}
sources:
  shopify: {platform: shopify, secrets: [x]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid" && order.total > 0
    columns:
      - {header: order_id, field: order.id}
      - {header: order_date, field: order.created, op: datetime}
      - {header: day, field: order.created, op: date}
      - {header: status, field: order.status}
      - {header: items, field: order.items}
      - {header: total, field: order.total}
      - {header: amount, field: order.total, op: amount}
      - {header: units, field: order.item_count}
      - {header: sku, path: "line_items[].sku"}
      - {header: customer_ref, field: customer.email, op: pseudonym}
      - {header: who, field: customer.name, op: mask_name}
`

func compile(t testing.TB, yaml string) map[string]*Pipeline {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := privacy.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func event() *platform.Event {
	created := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	return &platform.Event{
		Kind:    platform.KindOrder,
		Topic:   "orders/paid",
		Version: 42,
		Order: &platform.Order{
			ID: "820982911946154508", Created: created, Status: platform.StatusPaid,
			Items: []platform.Item{{Name: "Grains de café 1kg", Quantity: 2}, {Name: `=HYPERLINK("http://x","y")`, Quantity: 1}},
			Total: platform.Money{Amount: "61.80", Currency: "EUR"},
		},
		Customer: platform.Customer{Email: "Harriet@Example.com", Name: "Harriet Smith"},
		Body:     []byte(`{"line_items":[{"sku":"CAFE-001"},{"sku":"CAFE-002"}],"email":"harriet@example.com"}`),
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	paris, _ := time.LoadLocation("Europe/Paris")
	got, err := p.Run(NewInput(event(), "shopify", paris))
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	keys, _ := privacy.NewKeys([]byte(strings.Repeat("k", 32)))
	want := Result{Passed: true, Row: model.Row{
		Source: "shopify", Key: "820982911946154508", Version: 42, Insert: true, Update: true,
		Cells: []model.Cell{
			{Text: "820982911946154508"},
			// 2026-11-23 15:30 in Paris: 46349 days after 1899-12-30, and 15.5/24 of a day.
			{Number: "46349.6458333333", FormatType: "DATE_TIME", FormatPattern: "yyyy-mm-dd hh:mm"},
			{Number: "46349", FormatType: "DATE", FormatPattern: "yyyy-mm-dd"},
			{Text: "paid"},
			{Text: `Grains de café 1kg x2, =HYPERLINK("http://x","y") x1`},
			{Number: "61.80", FormatType: "CURRENCY", FormatPattern: `#,##0.00 "EUR"`},
			{Number: "61.80", FormatType: "NUMBER", FormatPattern: "#,##0.00"},
			{Number: "3", FormatType: "NUMBER", FormatPattern: "0"},
			{Text: "CAFE-001, CAFE-002"},
			{Text: keys.Pseudonym(privacy.DomainCustomer, "harriet@example.com")},
			{Text: "H. S***"},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Run() mismatch (-want +got):\n%s", diff)
	}
}

func TestRunNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	ev := event()
	ev.Order.Items = []platform.Item{{Name: `=HYPERLINK("http://x","y")`, Quantity: 1}}
	got, err := p.Run(NewInput(ev, "shopify", nil))
	if err != nil {
		t.Fatal(err)
	}
	if items := got.Row.Cells[4].Text; strings.HasPrefix(items, "=") {
		t.Errorf("items cell = %q, starts with =", items)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	for _, tt := range []struct {
		status platform.Status
		total  string
		want   bool
	}{
		{platform.StatusPaid, "61.80", true},
		{platform.StatusPending, "61.80", false},
		{platform.StatusPaid, "0.00", false},
		{platform.StatusRefunded, "61.80", false},
	} {
		ev := event()
		ev.Order.Status, ev.Order.Total.Amount = tt.status, tt.total
		got, err := p.Run(NewInput(ev, "shopify", nil))
		if err != nil {
			t.Fatal(err)
		}
		if got.Passed != tt.want || got.Row.Insert != tt.want || !got.Row.Update {
			t.Errorf("Run(status %s, total %s) = passed %v insert %v update %v, want passed %v and updates always allowed",
				tt.status, tt.total, got.Passed, got.Row.Insert, got.Row.Update, tt.want)
		}
	}
}

func TestUpdatesFilterPolicy(t *testing.T) {
	t.Parallel()
	p := compile(t, strings.Replace(cfgYAML, "    key: order_id\n", "    key: order_id\n    updates: filter\n", 1))["Orders"]
	ev := event()
	ev.Order.Status = platform.StatusRefunded
	got, _ := p.Run(NewInput(ev, "shopify", nil))
	if got.Row.Update {
		t.Errorf("Run() Update = true with updates: filter and a failing filter")
	}
}

func TestRunNoKey(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	ev := event()
	ev.Order.ID = ""
	if _, err := p.Run(NewInput(ev, "shopify", nil)); err != ErrNoKey {
		t.Errorf("Run(no id) error = %v, want ErrNoKey", err)
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, from, to, want string }{
		{"filter syntax", `order.status == "paid" && order.total > 0`, `order.status ==`, "test.yaml:10: tables[0].filter:"},
		{"filter unknown field", `order.status == "paid" && order.total > 0`, `order.statuz == "paid"`, "undefined field 'statuz'"},
		{"filter not bool", `order.status == "paid" && order.total > 0`, `order.total`, "a filter must be true or false"},
		{"filter on other kind", `order.status == "paid" && order.total > 0`, `booking.status == "confirmed"`, "this table takes order events; booking is never set"},
		{"format for wrong type", "{header: total, field: order.total}", "{header: total, field: order.total, op: date}", `test.yaml:17: tables[0].columns[5].op: unknown operator "date" for a money value`},
		{"privacy op on non-text", "{header: amount, field: order.total, op: amount}", "{header: amount, field: order.total, op: mask_name}", "mask_name takes text"},
		{"bad path", `path: "line_items[].sku"`, `path: "line_items[x"`, "unclosed [ in path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("test.yaml", []byte(strings.Replace(cfgYAML, tt.from, tt.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Compile(cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compile() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPseudonymNeedsKey(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("test.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(cfg, nil); err == nil || !strings.Contains(err.Error(), "pseudonym needs a key") {
		t.Fatalf("Compile(no keys) error = %v, want pseudonym needs a key", err)
	}
}

func TestItems(t *testing.T) {
	t.Parallel()
	items := []platform.Item{{Name: "Grains de café 1kg", Quantity: 2}, {Name: "Tasse en céramique", Quantity: 1}, {Name: "Filtre", Quantity: 3}}
	tests := []struct {
		max  int
		want string
	}{
		{500, "Grains de café 1kg x2, Tasse en céramique x1, Filtre x3"},
		{55, "Grains de café 1kg x2, Tasse en céramique x1, Filtre x3"},
		{54, "Grains de café 1kg x2, Tasse en céramique x1 (+1 more)"},
		{53, "Grains de café 1kg x2 (+2 more)"},
		{31, "Grains de café 1kg x2 (+2 more)"},
		{25, "Grains de c… x2 (+2 more)"},
		{12, " (+3 more)"},
		{5, " (+3 "},
	}
	for _, tt := range tests {
		got := Items(items, tt.max)
		if got != tt.want {
			t.Errorf("Items(%d) = %q, want %q", tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.max {
			t.Errorf("Items(%d) = %q, %d characters", tt.max, got, n)
		}
	}
	if got := Items(nil, 10); got != "" {
		t.Errorf("Items(nil) = %q, want empty", got)
	}
}

func TestSerialDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "25569"},
		{time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC), "0"},
		{time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "46023.5"},
		{time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC), "46023.0000115740"[:16]},
		{time.Date(1899, 12, 29, 18, 0, 0, 0, time.UTC), "-0.25"},
	}
	for _, tt := range tests {
		if got := serialDate(tt.t, "DATE", "").Number; got != strings.TrimRight(tt.want, "0") && got != tt.want {
			t.Errorf("serialDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
