package erasure

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

const cfgYAML = `
spreadsheet: {id: s}
privacy: {pseudonym_key: pk}
sources:
  shopify: {platform: shopify, secrets: [a]}
  lyon: {platform: shopify, secrets: [b], store: Lyon}
  woocommerce: {platform: woocommerce, secrets: [c]}
  dg1:
    platform: generic
    secrets: [d]
    signature: {header: X-Sig}
    fields: {booking.id: id, customer.email: email}
  forms: {platform: erasure, secrets: [e]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    columns:
      - {header: order_id, field: order.id}
      - {header: store, field: order.store}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
      - {header: customer_id, field: customer.id, op: pseudonym}
      - {header: phone, field: customer.phone, op: pseudonym}
      - {header: email, field: customer.email, op: mask_email}
  - tab: Bookings
    kind: booking
    sources: [dg1]
    key: booking_id
    columns:
      - {header: booking_id, field: booking.id}
      - {header: who, field: customer.email, op: pseudonym}
  - tab: Shopify only
    kind: order
    sources: [shopify]
    key: order_id
    columns:
      - {header: order_id, field: order.id}
      - {header: ref, field: customer.ref, op: pseudonym}
`

func setup(t *testing.T) (*config.Config, *privacy.Keys) {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := privacy.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, keys
}

// The pseudonyms a request looks for are exactly those the pipeline
// wrote for the customer, whatever case and spaces the request's email
// comes in; and nobody else's.
func TestResolveFindsWhatThePipelineWrote(t *testing.T) {
	t.Parallel()
	cfg, keys := setup(t)
	pipes, err := pipeline.Compile(cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	written := func(c platform.Customer) map[string]string {
		ev := &platform.Event{Kind: platform.KindOrder, Platform: "shopify", Version: 1, Customer: c,
			Order: &platform.Order{ID: "1001", Store: "cafe.myshopify.com", Status: platform.StatusPaid, Created: time.Unix(1, 0)}}
		out, err := pipes["Orders"].Run(pipeline.NewInput(ev, "shopify", nil))
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{}
		for i, h := range pipes["Orders"].Headers {
			cells[h] = out.Row.Cells[i].Text
		}
		return cells
	}
	withEmail := written(platform.Customer{ID: "191167", Email: "John@Example.com", Phone: "555-625-1199"})
	guest := written(platform.Customer{ID: "191167"})
	other := written(platform.Customer{ID: "191168", Email: "jane@example.com", Phone: "555-625-1198"})

	plan, err := Resolve(cfg, keys, Request{Scope: platform.EraseCustomer, Sources: []string{"shopify"}, Shop: "cafe.myshopify.com",
		Customer: platform.Customer{ID: "191167", Email: "  john@example.COM ", Phone: "555-625-1199"}, OrderIDs: []string{"1001"}})
	if err != nil {
		t.Fatal(err)
	}
	looked := map[string][]string{}
	for _, s := range plan.Select {
		if s.Tab != "Orders" {
			continue
		}
		for _, c := range s.Any {
			looked[c.Header] = append(looked[c.Header], c.Values...)
		}
	}
	for _, h := range []string{"customer_ref", "customer_id", "phone"} {
		for _, cells := range []map[string]string{withEmail, guest} {
			if v := cells[h]; v != "" && !slices.Contains(looked[h], v) {
				t.Errorf("column %s: the pipeline wrote %q, the request looks for %q", h, v, looked[h])
			}
		}
		if slices.Contains(looked[h], other[h]) {
			t.Errorf("column %s: the request looks for another customer's %q", h, other[h])
		}
	}
	if _, ok := looked["email"]; ok {
		t.Errorf("the request looks for masked emails %q: they are not unique", looked["email"])
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	cfg, keys := setup(t)
	p := func(v string) string { g, _ := privacy.Guard(keys.Pseudonym(privacy.DomainCustomer, v)); return g }
	tests := []struct {
		name string
		req  Request
		want Plan
		err  error
	}{
		{
			name: "a Shopify customer: by email and phone anywhere, by id and order in the shop's rows",
			req: Request{Scope: platform.EraseCustomer, Sources: []string{"shopify"}, Shop: "cafe.myshopify.com",
				Customer: platform.Customer{ID: "7", Email: "a@example.com", Phone: "555"}, OrderIDs: []string{"1001", "1002"}},
			want: Plan{Select: []model.Select{
				{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{p("a@example.com")}}, {Header: "phone", Values: []string{p("555")}}}},
				{Tab: "Orders", Keys: []string{"1001", "1002"}, Where: &model.Cells{Header: "store", Values: []string{"cafe.myshopify.com"}},
					Any:     []model.Cells{{Header: "customer_ref", Values: []string{p("shopify:7")}}, {Header: "customer_id", Values: []string{p("7")}}},
					Sources: []string{"shopify"}, Legacy: true},
				{Tab: "Bookings", Any: []model.Cells{{Header: "who", Values: []string{p("a@example.com")}}}},
				{Tab: "Shopify only", Any: []model.Cells{{Header: "ref", Values: []string{p("a@example.com")}}}},
				{Tab: "Shopify only", Keys: []string{"1001", "1002"}, Any: []model.Cells{{Header: "ref", Values: []string{p("shopify:7")}}},
					Sources: []string{"shopify"}, Legacy: true},
			}},
		},
		{
			name: "a source with a store label",
			req:  Request{Scope: platform.AccessRequest, Sources: []string{"lyon"}, Customer: platform.Customer{ID: "7"}},
			want: Plan{Select: []model.Select{
				{Tab: "Orders", Where: &model.Cells{Header: "store", Values: []string{"Lyon"}},
					Any:     []model.Cells{{Header: "customer_ref", Values: []string{p("shopify:7")}}, {Header: "customer_id", Values: []string{p("7")}}},
					Sources: []string{"lyon"}, Legacy: true},
			}},
		},
		{
			name: "an email alone, from the erasure endpoint",
			req:  Request{Scope: platform.EraseCustomer, Customer: platform.Customer{Email: "B@example.com"}},
			want: Plan{Select: []model.Select{
				{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{p("b@example.com")}}}},
				{Tab: "Bookings", Any: []model.Cells{{Header: "who", Values: []string{p("b@example.com")}}}},
				{Tab: "Shopify only", Any: []model.Cells{{Header: "ref", Values: []string{p("b@example.com")}}}},
			}},
		},
		{
			name: "a shop: the rows its source wrote, of its domain, and the older rows where only it writes",
			req:  Request{Scope: platform.EraseShop, Sources: []string{"shopify"}, Shop: "cafe.myshopify.com"},
			want: Plan{Select: []model.Select{
				{Tab: "Orders", Any: []model.Cells{{Header: "store", Values: []string{"cafe.myshopify.com"}}}, Sources: []string{"shopify"}},
				{Tab: "Shopify only", All: true, Sources: []string{"shopify"}, Legacy: true},
			}, Unmatched: []string{"Orders"}},
		},
		{
			name: "a shop with a store label: the label plays no part",
			req:  Request{Scope: platform.EraseShop, Sources: []string{"lyon"}, Shop: "lyon.myshopify.com"},
			want: Plan{Select: []model.Select{
				{Tab: "Orders", All: true, Sources: []string{"lyon"}},
			}, Unmatched: []string{"Orders"}},
		},
		{name: "an id without its source", req: Request{Scope: platform.EraseCustomer, Customer: platform.Customer{ID: "7"}}, err: ErrNoSource},
		{name: "orders without their source", req: Request{Scope: platform.EraseCustomer, OrderIDs: []string{"1"}}, err: ErrNoSource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(cfg, keys, tt.req)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Resolve() error = %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Resolve(cfg, nil, Request{Scope: platform.EraseCustomer, Customer: platform.Customer{Email: "a@example.com"}}); !errors.Is(err, ErrNoKey) {
		t.Errorf("Resolve() without a key error = %v, want ErrNoKey", err)
	}
	if _, err := Resolve(cfg, keys, Request{Scope: platform.EraseCustomer, Sources: []string{"forms"}, Customer: platform.Customer{ID: "7"}}); err == nil {
		t.Error("Resolve() with the erasure source as the ids' source succeeded")
	}
}

// Without a store column, a shop's rows are still the rows its source
// wrote; the older rows of a table other sources feed too stay.
func TestResolveShopWithoutStoreColumn(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("test.yaml", []byte(strings.Replace(cfgYAML, "      - {header: store, field: order.store}\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(cfg, nil, Request{Scope: platform.EraseShop, Sources: []string{"shopify"}, Shop: "cafe.myshopify.com"})
	want := Plan{Select: []model.Select{
		{Tab: "Orders", All: true, Sources: []string{"shopify"}},
		{Tab: "Shopify only", All: true, Sources: []string{"shopify"}, Legacy: true},
	}, Unmatched: []string{"Orders"}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("Resolve(shop) = %+v, %v, want %+v", got, err, want)
	}
}
