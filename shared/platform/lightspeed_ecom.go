package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/safeview/safeview/shared/webhook"
)

// Lightspeed eCom's webhook headers.
const (
	LightspeedEcomShopIDHeader = "X-Shop-Id"
)

func init() {
	register("lightspeed-ecom", webhook.SchemeLightspeedEcom, func(o Options) (Preset, error) { return &lsecom{opts: o}, nil })
}

// lsecom decodes Lightspeed eCom (C-Series, formerly SEOshop) webhooks of
// the orders group (created, updated, paid, shipped): the body is the
// order resource, {"order": {…}}. Other groups (customers, products,
// shipments…) are ignored.
//
// The order resource names no currency (it is the shop's) and links its
// products instead of embedding them: the currency comes from the source's
// configuration, and the items cells stay empty unless the delivery embeds
// the products.
type lsecom struct{ opts Options }

func (*lsecom) Name() string                  { return "lightspeed-ecom" }
func (*lsecom) Scheme() string                { return webhook.SchemeLightspeedEcom }
func (*lsecom) DeliveryID(http.Header) string { return "" }

func (*lsecom) PIIPaths() []string {
	return []string{
		"order.remoteIp", "order.userAgent", "order.gender", "order.birthDate", "order.nationalId",
		"order.email", "order.firstname", "order.middlename", "order.lastname", "order.phone", "order.mobile",
		"order.companyName", "order.companyCoCNumber", "order.companyVatNumber",
		"order.addressBillingName", "order.addressBillingStreet", "order.addressBillingStreet2",
		"order.addressBillingNumber", "order.addressBillingExtension", "order.addressBillingZipcode",
		"order.addressBillingCity", "order.addressBillingRegion", "order.addressBillingCountry",
		"order.addressShippingCompany", "order.addressShippingName", "order.addressShippingStreet",
		"order.addressShippingStreet2", "order.addressShippingNumber", "order.addressShippingExtension",
		"order.addressShippingZipcode", "order.addressShippingCity", "order.addressShippingRegion",
		"order.addressShippingCountry", "order.comment", "order.memo", "order.paymentData",
		"order.shipmentData", "order.customer",
	}
}

type lsecomOrder struct {
	ID            json.RawMessage `json:"id"`
	Number        string          `json:"number"`
	Status        string          `json:"status"`
	PaymentStatus string          `json:"paymentStatus"`
	CreatedAt     string          `json:"createdAt"`
	UpdatedAt     string          `json:"updatedAt"`
	Channel       string          `json:"channel"`
	PriceIncl     json.Number     `json:"priceIncl"`
	Email         string          `json:"email"`
	Firstname     string          `json:"firstname"`
	Middlename    string          `json:"middlename"`
	Lastname      string          `json:"lastname"`
	Phone         string          `json:"phone"`
	Mobile        string          `json:"mobile"`
	Customer      *struct {
		Resource *struct {
			ID json.RawMessage `json:"id"`
		} `json:"resource"`
	} `json:"customer"`
	Products json.RawMessage `json:"products"`
}

type lsecomProduct struct {
	ProductTitle    string      `json:"productTitle"`
	VariantTitle    string      `json:"variantTitle"`
	QuantityOrdered json.Number `json:"quantityOrdered"`
}

func (l *lsecom) Decode(r Request) (Event, error) {
	if err := checkJSON(r.Header); err != nil {
		return Event{}, err
	}
	var root map[string]json.RawMessage
	if err := unmarshal(r.Body, &root); err != nil {
		return Event{}, err
	}
	if len(root) != 1 {
		return Event{}, fmt.Errorf("%w: want one resource", ErrMalformed)
	}
	ev := Event{Body: r.Body}
	raw, ok := root["order"]
	if !ok {
		for k := range root {
			return ignored(k, ev) // a customer, product, shipment…
		}
	}
	ev.Topic = "orders"
	var o lsecomOrder
	if err := unmarshal(raw, &o); err != nil {
		return Event{}, err
	}
	orderID, err := orderID("order.id", o.ID)
	if err != nil {
		return Event{}, err
	}
	created, updated, v, err := stamps(parseTime, "order.createdAt", o.CreatedAt, "order.updatedAt", o.UpdatedAt)
	if err != nil {
		return Event{}, err
	}
	ev.Version = v
	total, err := moneyOf("order.priceIncl", o.PriceIncl, l.opts.Currency)
	if err != nil {
		return Event{}, err
	}
	order := &Order{
		ID:        orderID,
		Number:    o.Number,
		Created:   created,
		Updated:   updated,
		Status:    lsecomStatus(o.Status, o.PaymentStatus),
		StatusRaw: strings.TrimSpace(o.Status + " (payment " + o.PaymentStatus + ")"),
		Total:     total,
		Store:     firstNonEmpty(l.opts.Store, r.Header.Get(LightspeedEcomShopIDHeader)),
		Channel:   o.Channel,
	}
	// Embedded products, when present; a link to the resource otherwise.
	var products []lsecomProduct
	if json.Unmarshal(o.Products, &products) == nil {
		for _, p := range products {
			q, err := quantity("order.products.quantityOrdered", p.QuantityOrdered)
			if err != nil {
				return Event{}, err
			}
			order.Items = append(order.Items, Item{Name: fullName(p.ProductTitle, p.VariantTitle), Quantity: q})
		}
	}
	ev.Kind, ev.Order = KindOrder, order
	ev.Customer = Customer{
		Email: o.Email,
		Name:  fullName(o.Firstname, o.Middlename, o.Lastname),
		Phone: firstNonEmpty(o.Mobile, o.Phone),
	}
	if c := o.Customer; c != nil && c.Resource != nil {
		ev.Customer.ID, _ = id("order.customer.resource.id", c.Resource.ID)
	}
	return ev, nil
}

// lsecomStatus normalizes an order's status and payment status: a
// cancelled order is cancelled whatever was paid; otherwise the payment
// status says whether it is paid.
func lsecomStatus(status, payment string) Status {
	switch {
	case status == "cancelled" || payment == "cancelled":
		return StatusCancelled
	case payment == "paid":
		return StatusPaid
	case payment == "not_paid", payment == "partially_paid", status == "new", strings.HasPrefix(status, "processing"):
		return StatusPending
	}
	return StatusUnknown
}
