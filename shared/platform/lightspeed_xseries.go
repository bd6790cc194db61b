package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/safeview/safeview/shared/webhook"
)

func init() {
	register("lightspeed-xseries", webhook.SchemeToken, func(o Options) (Preset, error) { return &xseries{opts: o}, nil })
}

// xseries decodes Lightspeed Retail X-Series (formerly Vend) sale.update
// webhooks: a form whose payload field is the sale as JSON (API 1.0
// shape). X-Series signs nothing documented, so its default scheme is a
// shared token in the webhook URL. The payload names no currency (it is a
// retailer setting): it comes from the source's configuration, or stays
// empty.
type xseries struct{ opts Options }

func (*xseries) Name() string                  { return "lightspeed-xseries" }
func (*xseries) Scheme() string                { return webhook.SchemeToken }
func (*xseries) DeliveryID(http.Header) string { return "" }

// PIIPaths are paths in the decoded payload field: a sale's, and a
// customer's (customer.update, which the preset ignores, but a source may
// be sent, so a raw column must not read it either).
func (*xseries) PIIPaths() []string {
	return []string{
		"customer", "customer_id", "user", "user_id", "note", "register_sale_products[].note",
		"first_name", "last_name", "company_name", "email", "phone", "mobile", "fax", "sex", "date_of_birth",
		"contact", "contact_first_name", "contact_last_name",
		"custom_field_1", "custom_field_2", "custom_field_3", "custom_field_4",
	}
}

type xseriesSale struct {
	ID            string      `json:"id"`
	InvoiceNumber string      `json:"invoice_number"`
	Status        string      `json:"status"`
	SaleDate      string      `json:"sale_date"`
	CreatedAt     string      `json:"created_at"`
	UpdatedAt     string      `json:"updated_at"`
	Source        string      `json:"source"`
	Version       json.Number `json:"version"`
	Totals        struct {
		TotalPrice json.Number `json:"total_price"`
		TotalTax   json.Number `json:"total_tax"`
	} `json:"totals"`
	Products []struct {
		Name      string      `json:"name"`
		ProductID string      `json:"product_id"`
		Quantity  json.Number `json:"quantity"`
	} `json:"register_sale_products"`
	CustomerID string `json:"customer_id"`
	Customer   *struct {
		ID           string `json:"id"`
		CustomerCode string `json:"customer_code"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		Email        string `json:"email"`
		Phone        string `json:"phone"`
		Mobile       string `json:"mobile"`
	} `json:"customer"`
}

func (x *xseries) Decode(r Request) (Event, error) {
	if err := checkForm(r.Header); err != nil {
		return Event{}, err
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil || len(form["payload"]) != 1 {
		return Event{}, fmt.Errorf("%w: want a form with one payload field", ErrMalformed)
	}
	payload := []byte(form.Get("payload"))
	ev := Event{Topic: form.Get("type"), Body: payload}
	var sale xseriesSale
	if err := unmarshal(payload, &sale); err != nil {
		return Event{}, err
	}
	// A sale has its lines; a customer, a product or a register has
	// none. The form names its type when X-Series sends one, and the
	// payload must then agree with it: a customer is never written as a
	// sale. Without a type, the shape says what it is (each webhook has
	// its own URL and type).
	isSale := sale.Products != nil
	if ev.Topic == "" && isSale {
		ev.Topic = "sale.update"
	}
	if ev.Topic != "sale.update" {
		return ignored(firstNonEmpty(ev.Topic, "unknown"), ev)
	}
	if !isSale {
		return Event{}, mismatch(ev.Topic, "a sale")
	}
	if sale.ID == "" {
		return Event{}, fmt.Errorf("%w: no sale id", ErrMalformed)
	}
	created, err := parseUTC("sale_date", firstNonEmpty(sale.SaleDate, sale.CreatedAt))
	if err != nil {
		return Event{}, err
	}
	updated, err := parseUTC("updated_at", sale.UpdatedAt)
	if err != nil {
		return Event{}, err
	}
	total, err := moneyOf("totals.total_price", sale.Totals.TotalPrice, x.opts.Currency)
	if err != nil {
		return Event{}, err
	}
	if total.Amount != "" && sale.Totals.TotalTax != "" {
		// total_price is before tax: the total the customer paid adds it.
		if total.Amount, err = addDecimals(sale.Totals.TotalPrice, sale.Totals.TotalTax); err != nil {
			return Event{}, err
		}
	}
	order := &Order{
		ID:        sale.ID,
		Number:    sale.InvoiceNumber,
		Created:   created,
		Updated:   firstTime(updated, created),
		StatusRaw: sale.Status,
		Status:    xseriesStatus(sale.Status),
		Total:     total,
		Store:     firstNonEmpty(x.opts.Store, form.Get("domain_prefix")),
		Channel:   sale.Source,
	}
	for _, p := range sale.Products {
		q, returned, err := returnable("register_sale_products.quantity", p.Quantity)
		if err != nil {
			return Event{}, err
		}
		// The webhook names products by id only, unless the sale line
		// carries a name.
		it := Item{Name: p.Name, Quantity: q, Returned: returned}
		if it.Name == "" {
			// Package items can read the name, when the source allows it.
			it.Name, it.ProductID = p.ProductID, p.ProductID
		}
		order.Items = append(order.Items, it)
	}
	// X-Series' version grows with every change of the retailer's data:
	// it orders a sale's states exactly.
	if v, ok := positiveInt(sale.Version); ok {
		ev.Version = v
	} else if ev.Version, err = version(order.Updated); err != nil {
		return Event{}, err
	}
	ev.Kind, ev.Order = KindOrder, order
	ev.Customer.ID = sale.CustomerID
	if c := sale.Customer; c != nil && c.CustomerCode != "WALKIN" {
		ev.Customer = Customer{
			ID:    firstNonEmpty(c.ID, sale.CustomerID),
			Email: c.Email,
			Name:  fullName(c.FirstName, c.LastName),
			Phone: firstNonEmpty(c.Mobile, c.Phone),
		}
	} else if c != nil {
		ev.Customer.ID = "" // the anonymous walk-in customer
	}
	return ev, nil
}

// xseriesStatus normalizes a sale's status.
func xseriesStatus(s string) Status {
	switch strings.ToUpper(s) {
	case "CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED":
		return StatusPaid
	case "SAVED", "OPEN", "ONACCOUNT", "LAYBY", "PARKED":
		return StatusPending
	case "VOIDED":
		return StatusCancelled
	}
	return StatusUnknown
}
