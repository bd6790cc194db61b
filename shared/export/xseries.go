package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/platform"
)

// Lightspeed Retail (X-Series, formerly Vend) › Sales ledger › Export. The
// columns are Date, Receipt Number, Line Type, Customer Code, Customer
// Name, Note, Quantity, Subtotal, Sales Tax, Discount, Loyalty, Total,
// Paid, Details, Register, User, Status, Sku, AccountCodeSale and
// AccountCodePurchase; a sale is a "Sale" line with its totals and status,
// followed by a "Sale Line" per product (Details is its name) and a
// "Payment" line per payment. Lightspeed documents no column list: this
// layout is DERIVED (testdata/SOURCES.md).
//
// The ledger names the receipt (the webhook's invoice_number) but not the
// sale's id, which the webhook's order.id is. Records take the receipt
// number as order.id and keep it as invoice_number in Event.Body: a table
// keyed by the raw path invoice_number holds live and backfilled sales in
// the same rows (Format.LiveKey). Their version is MinVersion: live sales
// are versioned by X-Series' own counter, which no date compares with.
type xseriesCols struct {
	date, receipt, lineType, total, status, details, qty int
	customerCode, customerName, sku                      int
}

func newXSeries(h header, o Options) (builder, Format, error) {
	if o.Location == nil {
		return nil, Format{}, fmt.Errorf("%w: %s writes times in the retailer's zone: set Options.Location", ErrFormat, LightspeedXSeriesCSV)
	}
	var c xseriesCols
	if err := h.requireAll(
		col(&c.date, "date"), col(&c.receipt, "receipt number"), col(&c.lineType, "line type"), col(&c.total, "total"),
		col(&c.status, "status"), col(&c.details, "details"), col(&c.qty, "quantity"),
	); err != nil {
		return nil, Format{}, err
	}
	c.customerCode, c.customerName, c.sku = h.col("customer code"), h.col("customer name"), h.col("sku")
	f := Format{Platform: "lightspeed-xseries", Layout: "xseries-sales-ledger", LiveKey: "path:invoice_number"}
	return &xseriesBuilder{c: c, loc: o.Location, store: o.Preset.Store, currency: o.Preset.Currency}, f, nil
}

type xseriesBuilder struct {
	faults
	c               xseriesCols
	loc             *time.Location
	store, currency string

	receipt, status, total string
	created                time.Time
	customer               platform.Customer
	items                  []platform.Item
	lines                  []xseriesLine
}

// xseriesBody is Event.Body: the sale's non-personal fields under the
// names of the sale.update payload.
type xseriesBody struct {
	InvoiceNumber string        `json:"invoice_number"`
	Status        string        `json:"status"`
	SaleDate      string        `json:"sale_date"`
	Products      []xseriesLine `json:"register_sale_products"`
}

type xseriesLine struct {
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
	SKU      string `json:"sku,omitempty"`
}

// same: a sale's Sale Line and Payment lines follow its Sale line and
// repeat its receipt number.
func (b *xseriesBuilder) same(r *row) bool {
	return get(r.fields, b.c.receipt) == b.receipt && !strings.EqualFold(get(r.fields, b.c.lineType), "sale")
}

func (b *xseriesBuilder) start(r *row) {
	f, c := r.fields, &b.c
	*b = xseriesBuilder{c: b.c, loc: b.loc, store: b.store, currency: b.currency, items: b.items[:0], lines: b.lines[:0]}
	b.receipt = get(f, c.receipt)
	if b.receipt == "" {
		b.fail(r, missing("receipt number"))
	}
	if !strings.EqualFold(get(f, c.lineType), "sale") {
		b.fail(r, invalid("line type", "Sale, the first line of a sale"))
		return
	}
	var err error
	if b.created, err = localTime("date", get(f, c.date), b.loc); err != nil {
		b.fail(r, err)
	} else if b.created.IsZero() {
		b.fail(r, missing("date"))
	}
	b.status = get(f, c.status)
	if b.total, err = decimal("total", get(f, c.total)); err != nil {
		b.fail(r, err)
	}
	// WALKIN is X-Series' anonymous customer, as in the webhook.
	if code := get(f, c.customerCode); code != "" && code != "WALKIN" {
		b.customer.Name = get(f, c.customerName)
	}
}

// add takes a product line; payment lines tell nothing the sale needs.
func (b *xseriesBuilder) add(r *row) {
	f := r.fields
	if !strings.EqualFold(get(f, b.c.lineType), "sale line") {
		return
	}
	q, returned, err := platform.ParseReturnable(get(f, b.c.qty))
	if err != nil {
		b.fail(r, invalid("quantity", "a quantity"))
	}
	name := get(f, b.c.details)
	b.items = append(b.items, platform.Item{Name: name, Quantity: q, Returned: returned})
	if returned {
		q = -q // the live payload's sign, for raw paths
	}
	b.lines = append(b.lines, xseriesLine{Name: name, Quantity: q, SKU: get(f, b.c.sku)})
}

func (b *xseriesBuilder) finish() (platform.Event, error) {
	if err := b.failed(); err != nil {
		return platform.Event{}, err
	}
	order := &platform.Order{
		ID:        b.receipt,
		Number:    b.receipt,
		Created:   b.created,
		Updated:   b.created,
		Status:    platform.XSeriesStatus(b.status),
		StatusRaw: b.status,
		Items:     append([]platform.Item(nil), b.items...),
		Total:     money(b.total, b.currency),
		Store:     b.store,
	}
	doc := xseriesBody{
		InvoiceNumber: b.receipt, Status: b.status, SaleDate: b.created.UTC().Format(time.RFC3339),
		Products: append([]xseriesLine{}, b.lines...),
	}
	return platform.Event{
		Kind:     platform.KindOrder,
		Topic:    LightspeedXSeriesCSV,
		Version:  MinVersion,
		Order:    order,
		Customer: b.customer,
		Body:     body(doc),
	}, nil
}
