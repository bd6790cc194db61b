// Package exporttest writes synthetic platform exports of any size, for the
// tests of what reads them (package export, scripts/backfill): orders with
// several line items, refunds and cancellations, quoted commas and newlines,
// non-ASCII names, ids above 2^53, broken records where asked, and personal
// data that is all canaries, so that a test can prove none of it reaches a
// sheet, a log or an error.
//
// The files have the layouts package export reads (see its testdata/
// SOURCES.md); they are as deterministic as their Spec.
package exporttest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Marker is in every text canary the files hold (emails, names, streets,
// notes, staff); phone canaries are digits, listed in Summary.Canaries.
const Marker = "cnry"

// Spec says what to write.
type Spec struct {
	// Format is a format name of package export: shopify-csv,
	// woocommerce-csv (the Customer / Order / Coupon Export layout),
	// lightspeed-xseries-csv, or jsonl (Shopify order webhooks; read them
	// with Options.Platform "shopify").
	Format string
	// Records is the number of orders.
	Records int
	// Broken lists the records (counting from 0) written with a total
	// that is not a decimal: readers report them and go on.
	Broken []int
	// CountOnly leaves IDs, BrokenLines and Canaries out of the Summary,
	// for files too large to list in memory.
	CountOnly bool
}

// Summary tells what was written.
type Summary struct {
	// Records counts the orders written, broken ones included.
	Records int
	// IDs are the order ids of the readable records, in file order (for
	// X-Series, receipt numbers).
	IDs []string
	// BrokenLines are the first lines of the broken records.
	BrokenLines []int
	// Lines counts the lines written, header included.
	Lines int
	// Canaries lists every personal value written.
	Canaries []string
}

// Times of the generated orders: one a minute from Start.
var Start = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// FirstShopifyID is the id of record 0 of Shopify files: above 2^53, so
// that anything that passes ids through a float64 fails.
const FirstShopifyID = 1<<53 + 1

// Write writes the export to w.
func Write(w io.Writer, s Spec) (Summary, error) {
	g, ok := writers[s.Format]
	if !ok {
		return Summary{}, fmt.Errorf("exporttest: unknown format %q", s.Format)
	}
	if s.Records < 0 {
		return Summary{}, errors.New("exporttest: negative record count")
	}
	bw := bufio.NewWriter(w)
	out := &writer{w: bw, spec: s}
	if err := g(out); err != nil {
		return Summary{}, err
	}
	if err := bw.Flush(); err != nil {
		return Summary{}, err
	}
	return out.sum, nil
}

var writers = map[string]func(*writer) error{
	"shopify-csv":            writeShopify,
	"woocommerce-csv":        writeWooCommerce,
	"lightspeed-xseries-csv": writeXSeries,
	"jsonl":                  writeJSONL,
}

// writer writes a file record by record, counting lines.
type writer struct {
	w    *bufio.Writer
	spec Spec
	sum  Summary
	buf  bytes.Buffer
}

// record writes one record's bytes; id is "" for the header.
func (w *writer) record(b []byte, id string, broken bool) error {
	first := w.sum.Lines + 1
	w.sum.Lines += bytes.Count(b, []byte{'\n'})
	if _, err := w.w.Write(b); err != nil {
		return err
	}
	switch {
	case id == "":
	case w.spec.CountOnly:
		w.sum.Records++
	case broken:
		w.sum.Records++
		w.sum.BrokenLines = append(w.sum.BrokenLines, first)
	default:
		w.sum.Records++
		w.sum.IDs = append(w.sum.IDs, id)
	}
	return nil
}

// csvRows encodes rows as CSV.
func (w *writer) csvRows(crlf bool, rows ...[]string) []byte {
	w.buf.Reset()
	cw := csv.NewWriter(&w.buf)
	cw.UseCRLF = crlf
	cw.WriteAll(rows) //nolint:errcheck // a bytes.Buffer does not fail
	return w.buf.Bytes()
}

// person is the canary identity of order i.
type person struct {
	email, first, last, phone, street, note, company string
}

func (w *writer) person(i int) person {
	p := person{
		email:   fmt.Sprintf("%s-email-%06d@example.invalid", Marker, i),
		first:   fmt.Sprintf("%sfirst%06d", Marker, i),
		last:    fmt.Sprintf("%slast%06d", Marker, i),
		phone:   fmt.Sprintf("+1555%07d", i),
		street:  fmt.Sprintf("%d %s Street %06d", i%900+1, Marker, i),
		company: fmt.Sprintf("%s company %06d, Ltd", Marker, i),
	}
	if i%5 == 0 {
		p.note = fmt.Sprintf("%s-note-%06d: leave it at the door,\nthen ring", Marker, i)
	}
	w.canary(p.email, p.first, p.last, p.first+" "+p.last, p.phone, p.street, p.company)
	if p.note != "" {
		w.canary(p.note)
	}
	return p
}

func (w *writer) canary(v ...string) {
	if !w.spec.CountOnly {
		w.sum.Canaries = append(w.sum.Canaries, v...)
	}
}

// item is one line of an order.
type item struct {
	name  string
	qty   int
	price string
}

var catalogue = []item{
	{"Café crème – 250 g", 2, "12.50"},
	{"Mug, large", 1, "10.00"},
	{"日本茶 (Sencha) 100 g", 3, "7.25"},
	{`12" Vinyl record`, 1, "19.90"},
	{"Filter papers", 4, "2.10"},
}

// items returns the lines of order i (one to three) and their total.
func items(i int) ([]item, string) {
	n := 1 + i%3
	var cents int
	out := make([]item, 0, n)
	for k := range n {
		it := catalogue[(i+k)%len(catalogue)]
		out = append(out, it)
		c, _ := strconv.Atoi(it.price[:len(it.price)-3] + it.price[len(it.price)-2:])
		cents += c * it.qty
	}
	return out, fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// state is the status of order i: most are paid, some refunded in part
// or in full, some cancelled or pending.
type state int

const (
	paid state = iota
	refunded
	partlyRefunded
	cancelled
	pending
)

func stateOf(i int) state {
	switch i % 10 {
	case 3:
		return refunded
	case 5:
		return partlyRefunded
	case 7:
		return cancelled
	case 9:
		return pending
	}
	return paid
}

func (w *writer) broken(i int) bool { return slices.Contains(w.spec.Broken, i) }

func at(i int) time.Time { return Start.Add(time.Duration(i) * time.Minute) }

func writeShopify(w *writer) error {
	if err := w.record(w.csvRows(true, shopifyHeader), "", false); err != nil {
		return err
	}
	for i := range w.spec.Records {
		id := strconv.FormatUint(FirstShopifyID+uint64(i), 10)
		p := w.person(i)
		its, total := items(i)
		financial, refundedAmount, cancelledAt, paidAt := "paid", "0.00", "", at(i).Add(time.Minute).Format(shopifyTime)
		switch stateOf(i) {
		case refunded:
			financial, refundedAmount = "refunded", total
		case partlyRefunded:
			financial, refundedAmount = "partially_refunded", its[0].price
		case cancelled:
			financial, cancelledAt, paidAt = "voided", at(i).Add(time.Hour).Format(shopifyTime), ""
		case pending:
			financial, paidAt = "pending", ""
		}
		if w.broken(i) {
			total = "12,50"
		}
		var rows [][]string
		for k, it := range its {
			r := make([]string, len(shopifyHeader))
			set := func(col, v string) { r[shopifyCol[col]] = v }
			set("Name", "#"+strconv.Itoa(1001+i))
			set("Email", p.email)
			set("Lineitem quantity", strconv.Itoa(it.qty))
			set("Lineitem name", it.name)
			set("Lineitem price", it.price)
			if k == 0 {
				set("Financial Status", financial)
				set("Paid at", paidAt)
				set("Currency", "USD")
				set("Subtotal", total)
				set("Total", total)
				set("Created at", at(i).Format(shopifyTime))
				set("Billing Name", p.first+" "+p.last)
				set("Billing Street", p.street)
				set("Billing Company", p.company)
				set("Billing Phone", p.phone)
				set("Notes", p.note)
				set("Cancelled at", cancelledAt)
				set("Refunded Amount", refundedAmount)
				set("Id", id)
				set("Source", "web")
				set("Phone", p.phone)
			}
			rows = append(rows, r)
		}
		if err := w.record(w.csvRows(true, rows...), id, w.broken(i)); err != nil {
			return err
		}
	}
	return nil
}

const shopifyTime = "2006-01-02 15:04:05 -0700"

var shopifyHeader = []string{
	"Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
	"Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
	"Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
	"Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
	"Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
	"Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
	"Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
	"Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
	"Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
	"Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
	"Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
	"Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
	"Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
}

var shopifyCol = index(shopifyHeader)

func index(h []string) map[string]int {
	m := make(map[string]int, len(h))
	for i, c := range h {
		m[c] = i
	}
	return m
}

func writeWooCommerce(w *writer) error {
	if err := w.record(w.csvRows(false, wooHeader), "", false); err != nil {
		return err
	}
	for i := range w.spec.Records {
		id := strconv.Itoa(5000 + i)
		p := w.person(i)
		its, total := items(i)
		status, refundedTotal, refunds := "completed", "0.00", ""
		refundedAt := at(i).Add(24 * time.Hour).Format(time.DateTime)
		switch stateOf(i) {
		case refunded:
			status, refundedTotal = "refunded", total
			refunds = fmt.Sprintf("id:%d|date:%s|amount:%s|reason:%s-reason-%06d", 90000+i, refundedAt, total, Marker, i)
		case partlyRefunded:
			refundedTotal = its[0].price
			refunds = fmt.Sprintf("id:%d|date:%s|amount:%s|reason:", 90000+i, refundedAt, refundedTotal)
		case cancelled:
			status = "cancelled"
		case pending:
			status = "on-hold"
		}
		if w.broken(i) {
			total = "12,50"
		}
		var lines []byte
		for k, it := range its {
			if k > 0 {
				lines = append(lines, ';')
			}
			lines = fmt.Appendf(lines, "id:%d|name:%s|product_id:%d|sku:SKU%d|quantity:%d|subtotal:%s|total:%s|meta:", k+1,
				wooEscape.Replace(it.name), 100+k, k, it.qty, it.price, it.price)
		}
		r := make([]string, len(wooHeader))
		set := func(col, v string) { r[wooCol[col]] = v }
		set("order_id", id)
		set("order_number_formatted", id)
		set("date", at(i).Format(time.DateTime))
		set("status", status)
		set("order_total", total)
		set("refunded_total", refundedTotal)
		set("order_currency", "EUR")
		set("customer_id", strconv.Itoa(i%4*(100+i)))
		set("billing_first_name", p.first)
		set("billing_last_name", p.last)
		set("billing_company", p.company)
		set("billing_email", p.email)
		set("billing_phone", p.phone)
		set("billing_address_1", p.street)
		set("customer_note", p.note)
		set("line_items", string(lines))
		set("refunds", refunds)
		if err := w.record(w.csvRows(false, r), id, w.broken(i)); err != nil {
			return err
		}
	}
	return nil
}

// wooEscape escapes item fields as the extension does.
var wooEscape = strings.NewReplacer(":", `\:`, "|", `\|`, ";", `\;`)

var wooHeader = []string{
	"order_id", "order_number", "order_number_formatted", "date", "status", "shipping_total",
	"shipping_tax_total", "fee_total", "fee_tax_total", "tax_total", "discount_total", "order_total",
	"refunded_total", "order_currency", "payment_method", "shipping_method", "customer_id",
	"billing_first_name", "billing_last_name", "billing_company", "vat_number", "billing_email",
	"billing_phone", "billing_address_1", "billing_address_2", "billing_postcode", "billing_city",
	"billing_state", "billing_country", "shipping_first_name", "shipping_last_name", "shipping_address_1",
	"shipping_address_2", "shipping_postcode", "shipping_city", "shipping_state", "shipping_country",
	"shipping_company", "customer_note", "line_items", "shipping_items", "fee_items", "tax_items",
	"coupon_items", "refunds", "order_notes", "download_permissions_granted",
}

var wooCol = index(wooHeader)

func writeXSeries(w *writer) error {
	header := []string{"Date", "Receipt Number", "Line Type", "Customer Code", "Customer Name", "Note", "Quantity",
		"Subtotal", "Sales Tax", "Discount", "Loyalty", "Total", "Paid", "Details", "Register", "User", "Status",
		"Sku", "AccountCodeSale", "AccountCodePurchase"}
	if err := w.record(w.csvRows(true, header), "", false); err != nil {
		return err
	}
	for i := range w.spec.Records {
		receipt := strconv.Itoa(100000 + i)
		p := w.person(i)
		staff := fmt.Sprintf("%s staff %06d", Marker, i)
		w.canary(staff)
		its, total := items(i)
		status, code, name := "CLOSED", fmt.Sprintf("C%06d", i), p.first+" "+p.last
		switch stateOf(i) {
		case cancelled:
			status = "VOIDED"
		case pending:
			status, code, name = "LAYBY", "WALKIN", ""
		}
		if w.broken(i) {
			total = "12,50"
		}
		rows := [][]string{{at(i).Format(time.DateTime), receipt, "Sale", code, name, p.note, "", "", "", "0", "0",
			total, total, "", "Main Register", staff, status, "", "", ""}}
		for _, it := range its {
			rows = append(rows, []string{"", receipt, "Sale Line", "", "", "", strconv.Itoa(it.qty), "", "", "", "",
				it.price, "", it.name, "", "", "", "SKU", "200", ""})
		}
		rows = append(rows, []string{"", receipt, "Payment", "", "", "", "", "", "", "", "", "", total, "Cash", "", "", "", "", "", ""})
		if err := w.record(w.csvRows(true, rows...), receipt, w.broken(i)); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONL writes Shopify order webhook bodies, one a line.
func writeJSONL(w *writer) error {
	type address struct {
		Name     string `json:"name"`
		Address1 string `json:"address1"`
		Phone    string `json:"phone"`
		Company  string `json:"company"`
	}
	type line struct {
		Name     string `json:"name"`
		Quantity int    `json:"quantity"`
		Price    string `json:"price"`
	}
	type customer struct {
		ID        uint64 `json:"id"`
		Email     string `json:"email"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Phone     string `json:"phone"`
	}
	type order struct {
		ID              uint64   `json:"id"`
		Name            string   `json:"name"`
		OrderNumber     int      `json:"order_number"`
		Email           string   `json:"email"`
		CreatedAt       string   `json:"created_at"`
		UpdatedAt       string   `json:"updated_at"`
		CancelledAt     *string  `json:"cancelled_at"`
		FinancialStatus string   `json:"financial_status"`
		Currency        string   `json:"currency"`
		TotalPrice      string   `json:"total_price"`
		SourceName      string   `json:"source_name"`
		Note            string   `json:"note"`
		LineItems       []line   `json:"line_items"`
		Customer        customer `json:"customer"`
		BillingAddress  address  `json:"billing_address"`
	}
	for i := range w.spec.Records {
		id := FirstShopifyID + uint64(i)
		p := w.person(i)
		its, total := items(i)
		o := order{
			ID: id, Name: "#" + strconv.Itoa(1001+i), OrderNumber: 1001 + i, Email: p.email,
			CreatedAt: at(i).Format(time.RFC3339), UpdatedAt: at(i).Add(2 * time.Minute).Format(time.RFC3339),
			FinancialStatus: "paid", Currency: "USD", TotalPrice: total, SourceName: "web", Note: p.note,
			Customer:       customer{ID: 7000 + uint64(i), Email: p.email, FirstName: p.first, LastName: p.last, Phone: p.phone},
			BillingAddress: address{Name: p.first + " " + p.last, Address1: p.street, Phone: p.phone, Company: p.company},
		}
		switch stateOf(i) {
		case refunded:
			o.FinancialStatus = "refunded"
		case partlyRefunded:
			o.FinancialStatus = "partially_refunded"
		case cancelled:
			s := at(i).Add(time.Hour).Format(time.RFC3339)
			o.FinancialStatus, o.CancelledAt = "voided", &s
		case pending:
			o.FinancialStatus = "pending"
		}
		if w.broken(i) {
			o.TotalPrice = "12,50"
		}
		for _, it := range its {
			o.LineItems = append(o.LineItems, line{Name: it.name, Quantity: it.qty, Price: it.price})
		}
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := w.record(append(b, '\n'), strconv.FormatUint(id, 10), w.broken(i)); err != nil {
			return err
		}
	}
	return nil
}
