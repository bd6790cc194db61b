package export

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/safeview/safeview/shared/platform"
)

// Shopify's orders export (admin › Orders › Export › "Plain CSV file"):
// one line per line item, the order's own columns (status, totals, dates,
// customer) filled on the first line of the order only, and the Name column
// (#1001) repeated on every line. The Id column is the order id the
// webhooks send as id. Column names as listed by Shopify's help center
// ("Exporting orders") and seen in exports in public repositories; see
// testdata/SOURCES.md.
type shopifyCols struct {
	name, id, created, financial, total, currency, qty, item   int
	email, phone, paid, fulfilled, cancelled, refunded         int
	billingName, billingPhone, source, price, sku, fulfillment int
}

// shopifyTimeLayout is how the export writes times: the shop's local time
// with its offset.
const shopifyTimeLayout = "2006-01-02 15:04:05 -0700"

func newShopify(h header, o Options) (builder, Format, error) {
	var c shopifyCols
	if err := h.requireAll(
		col(&c.name, "name"), col(&c.id, "id"), col(&c.created, "created at"), col(&c.financial, "financial status"),
		col(&c.total, "total"), col(&c.currency, "currency"), col(&c.qty, "lineitem quantity"), col(&c.item, "lineitem name"),
	); err != nil {
		return nil, Format{}, err
	}
	c.email, c.phone = h.col("email"), h.col("phone")
	c.paid, c.fulfilled = h.col("paid at"), h.col("fulfilled at")
	c.cancelled, c.refunded = h.col("cancelled at", "canceled at"), h.col("refunded amount")
	c.billingName, c.billingPhone = h.col("billing name"), h.col("billing phone")
	c.source, c.price, c.sku = h.col("source"), h.col("lineitem price"), h.col("lineitem sku")
	c.fulfillment = h.col("fulfillment status")
	f := Format{Platform: "shopify", Layout: "shopify-orders", LiveKey: "field:order.id"}
	return &shopifyBuilder{c: c, store: o.Preset.Store}, f, nil
}

type shopifyBuilder struct {
	faults
	c     shopifyCols
	store string

	name, id                            string
	created, paid, fulfilled, cancelled time.Time
	financial, fulfillment, currency    string
	total, refunded, source             string
	customer                            platform.Customer
	items                               []platform.Item
	lines                               []shopifyLine
}

// shopifyBody is Event.Body: the order's non-personal fields under the
// names of the orders webhook.
type shopifyBody struct {
	ID                json.Number   `json:"id"`
	Name              string        `json:"name"`
	CreatedAt         string        `json:"created_at"`
	CancelledAt       *string       `json:"cancelled_at"`
	FinancialStatus   string        `json:"financial_status"`
	FulfillmentStatus string        `json:"fulfillment_status,omitempty"`
	Currency          string        `json:"currency"`
	TotalPrice        string        `json:"total_price,omitempty"`
	CurrentTotalPrice string        `json:"current_total_price,omitempty"`
	SourceName        string        `json:"source_name,omitempty"`
	LineItems         []shopifyLine `json:"line_items"`
}

type shopifyLine struct {
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
	Price    string `json:"price,omitempty"`
	SKU      string `json:"sku,omitempty"`
}

// same: the lines of one order share its Name (and its Id, where the line
// repeats it; Shopify lets two orders share a name).
func (b *shopifyBuilder) same(r *row) bool {
	name, id := get(r.fields, b.c.name), get(r.fields, b.c.id)
	return (name == "" || name == b.name) && (id == "" || id == b.id)
}

func (b *shopifyBuilder) start(r *row) {
	f, c := r.fields, &b.c
	*b = shopifyBuilder{c: b.c, store: b.store, items: b.items[:0], lines: b.lines[:0]}
	b.name = get(f, c.name)
	var err error
	if b.id, err = orderID("id", get(f, c.id)); err != nil {
		b.fail(r, err)
	}
	b.created = b.when(r, "created at", get(f, c.created))
	b.paid = b.when(r, "paid at", get(f, c.paid))
	b.fulfilled = b.when(r, "fulfilled at", get(f, c.fulfilled))
	b.cancelled = b.when(r, "cancelled at", get(f, c.cancelled))
	if b.created.IsZero() {
		b.fail(r, missing("created at"))
	}
	b.financial, b.fulfillment = get(f, c.financial), get(f, c.fulfillment)
	b.currency, b.source = get(f, c.currency), get(f, c.source)
	if b.total, err = decimal("total", get(f, c.total)); err != nil {
		b.fail(r, err)
	}
	if b.refunded, err = decimal("refunded amount", get(f, c.refunded)); err != nil {
		b.fail(r, err)
	}
	b.customer = platform.Customer{
		Email: get(f, c.email),
		Name:  get(f, c.billingName),
		Phone: firstNonEmpty(get(f, c.phone), get(f, c.billingPhone)),
	}
	b.add(r)
}

// add takes a line item; the order's columns of later lines are ignored.
func (b *shopifyBuilder) add(r *row) {
	f := r.fields
	name, qty := get(f, b.c.item), get(f, b.c.qty)
	if name == "" && qty == "" {
		return
	}
	// The webhook's quantity is an integer: so is the export's.
	q, err := strconv.ParseInt(qty, 10, 64)
	if err != nil {
		b.fail(r, invalid("lineitem quantity", "an integer"))
	}
	price, err := decimal("lineitem price", get(f, b.c.price))
	if err != nil {
		b.fail(r, err)
	}
	b.items = append(b.items, platform.Item{Name: name, Quantity: q})
	b.lines = append(b.lines, shopifyLine{Name: name, Quantity: q, Price: price, SKU: get(f, b.c.sku)})
}

func (b *shopifyBuilder) when(r *row, column, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(shopifyTimeLayout, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			b.fail(r, invalid(column, "a time"))
		}
	}
	return t
}

func (b *shopifyBuilder) finish() (platform.Event, error) {
	if err := b.failed(); err != nil {
		return platform.Event{}, err
	}
	cancelled := !b.cancelled.IsZero()
	updated := latest(b.created, b.paid, b.fulfilled, b.cancelled)
	order := &platform.Order{
		ID:      b.id,
		Number:  b.name,
		Created: b.created,
		Updated: updated,
		Items:   append([]platform.Item(nil), b.items...),
		Store:   b.store,
		Channel: b.source,
	}
	order.Status, order.StatusRaw = platform.ShopifyStatus(b.financial, cancelled)
	// The webhook's current_total_price is the total less refunds; the
	// export has the total and the refunded amount.
	current := b.total
	if b.total != "" && positive(b.refunded) {
		current = subtract(b.total, b.refunded)
	}
	order.Total = money(current, b.currency)
	doc := shopifyBody{
		ID: json.Number(b.id), Name: b.name, CreatedAt: b.created.Format(time.RFC3339),
		FinancialStatus: b.financial, FulfillmentStatus: b.fulfillment, Currency: b.currency,
		TotalPrice: b.total, CurrentTotalPrice: current, SourceName: b.source,
		LineItems: append([]shopifyLine{}, b.lines...),
	}
	if cancelled {
		s := b.cancelled.Format(time.RFC3339)
		doc.CancelledAt = &s
	}
	return platform.Event{
		Kind:     platform.KindOrder,
		Topic:    ShopifyCSV,
		Version:  versionAt(updated),
		Order:    order,
		Customer: b.customer,
		Body:     body(doc),
	}, nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
