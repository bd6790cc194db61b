package export

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/platform"
)

// WooCommerce has no orders export of its own but Analytics › Orders ›
// Download, whose columns (woocommerce/woocommerce,
// src/Admin/API/Reports/Orders/Controller.php, get_export_columns) are
// Date, Order #, N. Revenue (formatted), Status, Customer, Customer type,
// Product(s), Items sold, Coupon(s), Net Sales and Attribution: no order id
// (Order # is the order number, the id unless a plugin renumbers orders),
// no total (net sales leave out tax and shipping), no currency, no email,
// and the date in the site's zone. The Customer / Order / Coupon Export
// extension (SkyVerge, sold on WooCommerce.com) writes what a backfill
// needs: order_id, date, status, order_total, order_currency,
// refunded_total, refunds, line_items and the billing contact. Both are
// read; the layout is recognized from the header. See testdata/SOURCES.md.

const (
	wooAnalytics   = "woocommerce-analytics"
	wooExport      = "woocommerce-coupon-export"
	wooExportItems = "woocommerce-coupon-export-items"
)

func newWooCommerce(h header, o Options) (builder, Format, error) {
	if o.Location == nil {
		return nil, Format{}, fmt.Errorf("%w: %s writes times in the site's zone: set Options.Location", ErrFormat, WooCommerceCSV)
	}
	f := Format{Platform: "woocommerce", LiveKey: "field:order.id"}
	switch {
	case h.col("order_id") >= 0:
		b, err := newWooExport(h, o)
		if err != nil {
			return nil, Format{}, err
		}
		f.Layout = wooExport
		if b.c.itemName >= 0 {
			f.Layout = wooExportItems
		}
		return b, f, nil
	case h.col("order #") >= 0:
		b, err := newWooAnalytics(h, o)
		f.Layout = wooAnalytics
		return b, f, err
	}
	return nil, Format{}, fmt.Errorf("%w: neither an Analytics orders download (Order #) nor a Customer / Order / Coupon Export (order_id)", ErrHeader)
}

// The extension's Default and Default - One Row per Item order formats
// (Orders_Export_Format_Definition::get_predefined_formats; rows written by
// CSV_Export_Generator::get_orders_csv_row_data).
type wooExportCols struct {
	id, date, status                                             int
	number, formatted, total, currency, refunded, items, refunds int
	itemName, itemQty, itemSKU                                   int
	customerID, first, last, email, phone                        int
}

func newWooExport(h header, o Options) (*wooExportBuilder, error) {
	c := wooExportCols{
		number: h.col("order_number"), formatted: h.col("order_number_formatted"),
		total: h.col("order_total"), currency: h.col("order_currency"), refunded: h.col("refunded_total"),
		items: h.col("line_items"), refunds: h.col("refunds"),
		itemName: h.col("item_name"), itemQty: h.col("item_quantity"), itemSKU: h.col("item_sku"),
		customerID: h.col("customer_id"), first: h.col("billing_first_name"), last: h.col("billing_last_name"),
		email: h.col("billing_email"), phone: h.col("billing_phone"),
	}
	if err := h.requireAll(col(&c.id, "order_id"), col(&c.date, "date", "order_date"), col(&c.status, "status")); err != nil {
		return nil, err
	}
	return &wooExportBuilder{c: c, loc: o.Location, store: o.Preset.Store}, nil
}

type wooExportBuilder struct {
	faults
	c     wooExportCols
	loc   *time.Location
	store string

	id, number, status, total, currency string
	refunds                             bool
	created, updated                    time.Time
	customer                            platform.Customer
	items                               []platform.Item
	lines                               []wooLine
}

// wooBody is Event.Body: the order's non-personal fields under the names
// of the REST API v3 order the webhooks send.
type wooBody struct {
	ID             json.Number `json:"id"`
	Number         string      `json:"number"`
	Status         string      `json:"status"`
	Currency       string      `json:"currency,omitempty"`
	DateCreatedGMT string      `json:"date_created_gmt"`
	Total          string      `json:"total,omitempty"`
	LineItems      []wooLine   `json:"line_items"`
}

type wooLine struct {
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
	SKU      string `json:"sku,omitempty"`
}

const gmtLayout = "2006-01-02T15:04:05"

// same: in the one-row-per-item layout, the rows of an order repeat its
// id; the default layout has one row an order.
func (b *wooExportBuilder) same(r *row) bool {
	return b.c.itemName >= 0 && get(r.fields, b.c.id) == b.id
}

func (b *wooExportBuilder) start(r *row) {
	f, c := r.fields, &b.c
	*b = wooExportBuilder{c: b.c, loc: b.loc, store: b.store, items: b.items[:0], lines: b.lines[:0]}
	var err error
	if b.id, err = orderID("order_id", get(f, c.id)); err != nil {
		b.fail(r, err)
	}
	// order_number_formatted is the number shoppers see (the id, unless
	// a plugin numbers orders): the webhook's number.
	b.number = firstNonEmpty(get(f, c.formatted), get(f, c.number), b.id)
	if b.created, err = localTime("date", get(f, c.date), b.loc); err != nil {
		b.fail(r, err)
	} else if b.created.IsZero() {
		b.fail(r, missing("date"))
	}
	b.updated = b.created
	b.status, b.currency = get(f, c.status), get(f, c.currency)
	if b.total, err = decimal("order_total", get(f, c.total)); err != nil {
		b.fail(r, err)
	}
	refunded, err := decimal("refunded_total", get(f, c.refunded))
	if err != nil {
		b.fail(r, err)
	}
	b.refunds = positive(refunded)
	if c.refunds >= 0 {
		b.readRefunds(r, get(f, c.refunds))
	}
	b.customer = platform.Customer{
		Email: get(f, c.email),
		Name:  strings.TrimSpace(get(f, c.first) + " " + get(f, c.last)),
		Phone: get(f, c.phone),
	}
	// customer_id 0 is a guest checkout, as in the webhook.
	if id := get(f, c.customerID); id != "0" {
		b.customer.ID = id
	}
	if c.items >= 0 {
		for _, item := range splitEscaped(get(f, c.items), ';') {
			kv := pipeFields(item)
			b.item(r, kv["name"], kv["quantity"], kv["sku"])
		}
		return
	}
	b.add(r)
}

// add takes the item of a row of the one-row-per-item layout.
func (b *wooExportBuilder) add(r *row) {
	if b.c.itemName >= 0 {
		b.item(r, unformula(get(r.fields, b.c.itemName)), get(r.fields, b.c.itemQty), get(r.fields, b.c.itemSKU))
	}
}

func (b *wooExportBuilder) item(r *row, name, qty, sku string) {
	if name == "" && qty == "" {
		return
	}
	q, err := quantity("item quantity", qty)
	if err != nil {
		b.fail(r, err)
	}
	b.items = append(b.items, platform.Item{Name: name, Quantity: q})
	b.lines = append(b.lines, wooLine{Name: name, Quantity: q, SKU: sku})
}

// readRefunds reads the date of each refund, each a later change of the
// order; their reasons are personal and stay unread.
func (b *wooExportBuilder) readRefunds(r *row, s string) {
	for _, refund := range splitEscaped(s, ';') {
		if strings.TrimSpace(refund) == "" {
			continue
		}
		b.refunds = true
		t, err := localTime("refund date", pipeFields(refund)["date"], b.loc)
		if err != nil {
			b.fail(r, err)
			continue
		}
		b.updated = latest(b.updated, t)
	}
}

func (b *wooExportBuilder) finish() (platform.Event, error) {
	if err := b.failed(); err != nil {
		return platform.Event{}, err
	}
	order := &platform.Order{
		ID:        b.id,
		Number:    b.number,
		Created:   b.created,
		Updated:   b.updated,
		Status:    platform.WooCommerceStatus(b.status, b.refunds),
		StatusRaw: b.status,
		Items:     append([]platform.Item(nil), b.items...),
		Total:     money(b.total, b.currency),
		Store:     b.store,
	}
	doc := wooBody{
		ID: json.Number(b.id), Number: b.number, Status: b.status, Currency: strings.ToUpper(b.currency),
		DateCreatedGMT: b.created.UTC().Format(gmtLayout), Total: b.total,
		LineItems: append([]wooLine{}, b.lines...),
	}
	return platform.Event{
		Kind:     platform.KindOrder,
		Topic:    WooCommerceCSV,
		Version:  versionAt(b.updated),
		Order:    order,
		Customer: b.customer,
		Body:     body(doc),
	}, nil
}

// splitEscaped splits s at each sep that no backslash escapes, as the
// extension joins line items (';') and their fields ('|').
func splitEscaped(s string, sep byte) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// pipeFields reads "key:value|key:value", unescaping \: \| and \;.
func pipeFields(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range splitEscaped(s, '|') {
		parts := splitEscaped(kv, ':')
		if len(parts) == 0 {
			continue
		}
		k := unescapeItem(parts[0])
		out[k] = unescapeItem(strings.Join(parts[1:], ":"))
	}
	return out
}

var itemEscapes = strings.NewReplacer(`\:`, ":", `\|`, "|", `\;`, ";")

func unescapeItem(s string) string { return strings.TrimSpace(itemEscapes.Replace(s)) }

// The Analytics › Orders download.
type wooAnalyticsCols struct{ date, number, status, customer, products, net int }

func newWooAnalytics(h header, o Options) (*wooAnalyticsBuilder, error) {
	c := wooAnalyticsCols{customer: h.col("customer"), products: h.col("product(s)"), net: h.col("net sales")}
	if err := h.requireAll(col(&c.date, "date"), col(&c.number, "order #"), col(&c.status, "status")); err != nil {
		return nil, err
	}
	return &wooAnalyticsBuilder{c: c, loc: o.Location, store: o.Preset.Store}, nil
}

type wooAnalyticsBuilder struct {
	faults
	c     wooAnalyticsCols
	loc   *time.Location
	store string
	event platform.Event
	skip  bool
}

func (*wooAnalyticsBuilder) same(*row) bool { return false }
func (*wooAnalyticsBuilder) add(*row)       {}

func (b *wooAnalyticsBuilder) start(r *row) {
	f, c := r.fields, &b.c
	b.event, b.skip = platform.Event{}, false
	// Refunds are rows of their own with negative net sales; the refunded
	// order's own row says "refunded" once it is.
	net, err := decimal("net sales", get(f, c.net))
	if err != nil {
		b.fail(r, err)
	}
	if strings.HasPrefix(net, "-") {
		b.skip = true
		return
	}
	number := get(f, c.number)
	if number == "" {
		b.fail(r, missing("order #"))
	} else if !isDigits(number) {
		// A renumbering plugin: the number is not the id the webhooks key
		// rows by.
		b.fail(r, invalid("order #", "an order id (the orders are renumbered: use the Customer / Order / Coupon Export)"))
	}
	created, err := localTime("date", get(f, c.date), b.loc)
	if err != nil {
		b.fail(r, err)
	} else if created.IsZero() {
		b.fail(r, missing("date"))
	}
	status := get(f, c.status)
	items := analyticsItems(get(f, c.products))
	var lines []wooLine
	for _, it := range items {
		lines = append(lines, wooLine{Name: it.Name, Quantity: it.Quantity})
	}
	b.event = platform.Event{
		Kind:    platform.KindOrder,
		Topic:   WooCommerceCSV,
		Version: versionAt(created),
		Order: &platform.Order{
			ID: number, Number: number, Created: created, Updated: created,
			Status: platform.WooCommerceStatus(status, false), StatusRaw: status,
			Items: items, Store: b.store,
		},
		Customer: platform.Customer{Name: get(f, c.customer)},
		Body: body(wooBody{
			ID: json.Number(number), Number: number, Status: status,
			DateCreatedGMT: created.UTC().Format(gmtLayout), LineItems: lines,
		}),
	}
}

func (b *wooAnalyticsBuilder) finish() (platform.Event, error) {
	if err := b.failed(); err != nil {
		return platform.Event{}, err
	}
	if b.skip {
		return platform.Event{}, errSkip
	}
	return b.event, nil
}

// analyticsItem matches the start of one product of the Product(s)
// column, "2× Name" (the English wording), each joined by ", ".
var analyticsItem = regexp.MustCompile(`(?:^|, )(\d+)× `)

// analyticsItems reads "2× Mug, 1× Tote"; a wording it does not know
// leaves the items empty rather than guess.
func analyticsItems(s string) []platform.Item {
	m := analyticsItem.FindAllStringSubmatchIndex(s, -1)
	if len(m) == 0 || m[0][0] != 0 {
		return nil
	}
	items := make([]platform.Item, 0, len(m))
	for i, loc := range m {
		end := len(s)
		if i+1 < len(m) {
			end = m[i+1][0]
		}
		q, _ := strconv.ParseInt(s[loc[2]:loc[3]], 10, 64)
		items = append(items, platform.Item{Name: strings.TrimSpace(s[loc[1]:end]), Quantity: q})
	}
	return items
}
