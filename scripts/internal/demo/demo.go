// Package demo holds what the local stack and the send script share: the
// demo secrets of each platform (never used anywhere but on a developer's
// machine), built-in sample deliveries for every platform, and signing
// for every scheme.
package demo

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// Secret returns the demo signing secret of a platform. These values are
// public: they sign only deliveries to a local emulator. Each has the
// form its platform's default scheme needs (Standard Webhooks: "whsec_"
// and base64; a token: long enough).
func Secret(platformName string) string {
	s := "demo-" + platformName + "-secret-not-for-production"
	if scheme, _ := platform.SchemeOf(platformName); scheme == webhook.SchemeStandardWebhooks {
		return "whsec_" + base64.StdEncoding.EncodeToString([]byte(s))
	}
	return s
}

// PairedToken returns the demo value of a token paired with a platform's
// signature (a source's token.secrets).
func PairedToken(platformName string) string {
	return "demo-" + platformName + "-token-not-for-production"
}

// PseudonymKey is the demo key of the pseudonym operator.
const PseudonymKey = "demo-pseudonym-key-not-for-production-0123456789"

// SourceDemo returns what the local stack needs to run a configured
// source with demo values: the demo value of every secret in
// src.Secrets, and for a source signed by Square's scheme the
// notification URL to sign and verify with, webhookBase + "/" + name
// (the stack must set the source's notification_url to it, since
// Square signs the URL deliveries are posted to). notificationURL is ""
// for other schemes. The values of a paired token's secrets
// (src.Token.Secrets) are PairedToken(src.Platform).
func SourceDemo(name string, src *config.Source, webhookBase string) (secret, notificationURL string) {
	secret = Secret(src.Platform)
	switch scheme, _ := src.SchemeOf(); scheme {
	case webhook.SchemeSquare:
		notificationURL = strings.TrimRight(webhookBase, "/") + "/" + name
	case webhook.SchemeStandardWebhooks:
		if !strings.HasPrefix(secret, "whsec_") {
			secret = Secret("standard-webhooks") // a whsec_ secret, whatever the platform
		}
	}
	return secret, notificationURL
}

//go:embed samples
var samples embed.FS

// Sample is one delivery to send.
type Sample struct {
	Body   []byte
	Header http.Header
	// Query holds query parameters to add to the URL (a shared token).
	Query url.Values
}

// SampleOptions adjust a built-in sample.
type SampleOptions struct {
	Topic   string    // platform topic or event type; default the platform's order (or booking) event
	OrderID string    // default: derived from the time
	Status  string    // the platform's own status word, e.g. "paid", "refunded"
	Updated time.Time // default now
	Store   string    // the shop domain, site, location or venue
}

// BuiltIn returns the built-in sample delivery of a platform: an order,
// or a booking for the generic platform (DG1-style) and for Square with a
// booking.* topic; for the erasure platform, an access request about the
// demo customer (erasure/customer erases instead).
func BuiltIn(platformName string, o SampleOptions) (Sample, error) {
	if o.Updated.IsZero() {
		o.Updated = time.Now()
	}
	if o.OrderID == "" {
		o.OrderID = strconv.FormatInt(o.Updated.UnixMilli(), 10)
	}
	build, ok := builders[platformName]
	if !ok {
		return Sample{}, fmt.Errorf("no built-in sample for platform %q", platformName)
	}
	s, err := build(o)
	if err != nil {
		return Sample{}, err
	}
	if s.Header.Get("Content-Type") == "" {
		s.Header.Set("Content-Type", "application/json")
	}
	return s, nil
}

var builders = map[string]func(SampleOptions) (Sample, error){
	"shopify":            shopify,
	"woocommerce":        woocommerce,
	"stripe":             stripe,
	"square":             square,
	"lightspeed-xseries": xseries,
	"lightspeed-ecom":    lsecom,
	"standard-webhooks":  standard,
	"generic":            dg1,
	"erasure":            erasureRequest,
}

func newSample(body any, kv ...string) (Sample, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Sample{}, err
	}
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return Sample{Body: b, Header: h, Query: url.Values{}}, nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func shopify(o SampleOptions) (Sample, error) {
	var doc map[string]any
	raw, err := samples.ReadFile("samples/shopify_order.json")
	if err != nil {
		return Sample{}, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Sample{}, err
	}
	doc["id"] = json.Number(o.OrderID)
	doc["admin_graphql_api_id"] = "gid://shopify/Order/" + o.OrderID
	doc["updated_at"] = o.Updated.Format(time.RFC3339)
	doc["created_at"] = created(o).Format(time.RFC3339)
	if o.Status != "" {
		doc["financial_status"] = o.Status
	}
	return newSample(doc,
		platform.ShopifyTopicHeader, or(o.Topic, "orders/create"),
		platform.ShopifyShopDomainHeader, or(o.Store, "cafe-demo.myshopify.com"),
		platform.ShopifyWebhookIDHeader, fmt.Sprintf("demo-%s-%d", o.OrderID, o.Updated.UnixNano()))
}

var demoItems = []map[string]any{{"name": "Grains de café 1kg", "quantity": 2}, {"name": "Tasse en céramique", "quantity": 1}}

func woocommerce(o SampleOptions) (Sample, error) {
	const gmt = "2006-01-02T15:04:05"
	doc := map[string]any{
		"id": json.Number(o.OrderID), "number": o.OrderID, "status": or(o.Status, "processing"), "currency": "EUR",
		"date_created_gmt": created(o).UTC().Format(gmt), "date_modified_gmt": o.Updated.UTC().Format(gmt),
		"total": "61.80", "customer_id": 0, "created_via": "checkout",
		"billing":    map[string]any{"first_name": "Harriet", "last_name": "Demo", "email": DemoEmail, "phone": "+33 6 00 00 00 00"},
		"line_items": demoItems, "refunds": []any{},
	}
	return newSample(doc,
		platform.WooCommerceTopicHeader, or(o.Topic, "order.created"),
		platform.WooCommerceSourceHeader, "https://"+or(o.Store, "cafe-demo.example")+"/",
		platform.WooCommerceDeliveryIDHeader, fmt.Sprintf("demo-%s-%d", o.OrderID, o.Updated.UnixNano()))
}

func stripe(o SampleOptions) (Sample, error) {
	topic := or(o.Topic, "checkout.session.completed")
	pi := "pi_demo_" + o.OrderID
	obj := map[string]any{"created": created(o).Unix(), "currency": "eur", "payment_intent": pi}
	switch topic {
	case "charge.refunded":
		obj["id"], obj["object"], obj["amount"], obj["amount_refunded"], obj["refunded"] = "ch_demo_"+o.OrderID, "charge", 6180, 6180, true
		obj["billing_details"] = map[string]any{"email": DemoEmail, "name": "Harriet Demo"}
	case "payment_intent.succeeded":
		obj["id"], obj["object"], obj["amount"], obj["amount_received"], obj["status"] = pi, "payment_intent", 6180, 6180, "succeeded"
	default:
		obj["id"], obj["object"], obj["amount_total"], obj["status"] = "cs_demo_"+o.OrderID, "checkout.session", 6180, "complete"
		obj["payment_status"], obj["client_reference_id"] = or(o.Status, "paid"), o.OrderID
		obj["customer_details"] = map[string]any{"email": DemoEmail, "name": "Harriet Demo"}
	}
	doc := map[string]any{
		"id": fmt.Sprintf("evt_demo_%s_%d", o.OrderID, o.Updated.UnixNano()), "object": "event", "type": topic,
		"created": o.Updated.Unix(), "livemode": false, "data": map[string]any{"object": obj},
	}
	return newSample(doc)
}

func square(o SampleOptions) (Sample, error) {
	topic := or(o.Topic, "payment.updated")
	event := map[string]any{
		"merchant_id": "DEMO_MERCHANT", "type": topic, "created_at": o.Updated.UTC().Format(time.RFC3339Nano),
		"event_id": fmt.Sprintf("demo-%s-%d", o.OrderID, o.Updated.UnixNano()),
	}
	location := or(o.Store, "DEMO_LOCATION")
	if strings.HasPrefix(topic, "booking.") {
		id := "demo_bk_" + o.OrderID
		event["data"] = map[string]any{"type": "booking", "id": id, "object": map[string]any{"booking": map[string]any{
			"id": id, "status": or(o.Status, "ACCEPTED"), "location_id": location, "customer_id": "DEMO_CUSTOMER",
			"start_at":   created(o).Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339),
			"created_at": created(o).UTC().Format(time.RFC3339), "updated_at": o.Updated.UTC().Format(time.RFC3339),
			// Square's counter grows with each change; for the demo, the
			// time in seconds grows the same way.
			"version":              o.Updated.Unix(),
			"appointment_segments": []any{map[string]any{"duration_minutes": 60, "service_variation_id": "DEMO_TASTING"}},
		}}}
		return newSample(event)
	}
	id := "demo_pay_" + o.OrderID
	event["data"] = map[string]any{"type": "payment", "id": id, "object": map[string]any{"payment": map[string]any{
		"id": id, "order_id": "demo_ord_" + o.OrderID, "status": or(o.Status, "COMPLETED"), "location_id": location,
		"created_at": created(o).UTC().Format(time.RFC3339Nano), "updated_at": o.Updated.UTC().Format(time.RFC3339Nano),
		"total_money": map[string]any{"amount": 6180, "currency": "EUR"}, "source_type": "CARD", "receipt_number": o.OrderID,
	}}}
	return newSample(event)
}

func xseries(o SampleOptions) (Sample, error) {
	sale := map[string]any{
		"id": "demo-sale-" + o.OrderID, "invoice_number": o.OrderID, "status": or(o.Status, "CLOSED"),
		"sale_date": created(o).UTC().Format(time.RFC3339), "updated_at": o.Updated.UTC().Format(time.RFC3339),
		"source": "USER", "version": o.Updated.UnixMicro(),
		"totals": map[string]any{"total_price": "51.50000", "total_tax": "10.30000"},
		"register_sale_products": []any{
			map[string]any{"product_id": "demo-product-coffee", "name": "Grains de café 1kg", "quantity": 2},
			map[string]any{"product_id": "demo-product-cup", "name": "Tasse en céramique", "quantity": 1},
		},
	}
	payload, err := json.Marshal(sale)
	if err != nil {
		return Sample{}, err
	}
	form := url.Values{"type": {or(o.Topic, "sale.update")}, "domain_prefix": {or(o.Store, "cafe-demo")}, "payload": {string(payload)}}
	s := Sample{Body: []byte(form.Encode()), Header: http.Header{}, Query: url.Values{}}
	s.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s, nil
}

func lsecom(o SampleOptions) (Sample, error) {
	doc := map[string]any{"order": map[string]any{
		"id": json.Number(o.OrderID), "number": "ORD" + o.OrderID, "status": "processing_awaiting_shipment",
		"paymentStatus": or(o.Status, "paid"), "channel": "main", "priceIncl": 61.8,
		"createdAt": created(o).Format(time.RFC3339), "updatedAt": o.Updated.Format(time.RFC3339),
		"email": DemoEmail, "firstname": "Harriet", "lastname": "Demo",
	}}
	return newSample(doc, platform.LightspeedEcomShopIDHeader, or(o.Store, "123456"), "X-Language", "fr")
}

func standard(o SampleOptions) (Sample, error) {
	doc := map[string]any{
		"type": or(o.Topic, "order.paid"), "timestamp": o.Updated.UTC().Format(time.RFC3339Nano),
		"data": map[string]any{
			"id": json.Number(o.OrderID), "number": "SW-" + o.OrderID, "status": or(o.Status, "paid"),
			"created_at": created(o).UTC().Format(time.RFC3339), "items": demoItems, "total": "61.80", "currency": "EUR",
			"store":    or(o.Store, "Boutique en ligne"),
			"customer": map[string]any{"email": DemoEmail, "name": "Harriet Demo"},
		},
	}
	return newSample(doc)
}

// DemoEmail is the email of the demo customer of the samples that carry
// one.
const DemoEmail = "harriet.demo@example.com"

// erasureRequest asks what the sheet holds about the demo customer, or
// (topic erasure/customer) to erase it.
func erasureRequest(o SampleOptions) (Sample, error) {
	scope := "access"
	if o.Topic == platform.ErasureTopics[platform.EraseCustomer] {
		scope = "customer"
	}
	return newSample(map[string]any{"scope": scope, "customer": map[string]any{"email": DemoEmail}, "request_id": "demo-" + o.OrderID})
}

// dg1 is a DG1-style event: a booking, or an order for an order.* topic.
func dg1(o SampleOptions) (Sample, error) {
	topic := or(o.Topic, "booking.confirmed")
	data := map[string]any{}
	times := map[string]any{"created_at": created(o).UTC().Format(time.RFC3339), "updated_at": o.Updated.UTC().Format(time.RFC3339)}
	customer := map[string]any{"id": "cus_demo", "email": DemoEmail, "name": "Harriet Demo", "phone": "+33 6 00 00 00 00"}
	if strings.HasPrefix(topic, "order.") {
		order := map[string]any{"id": "ord_" + o.OrderID, "number": o.OrderID, "status": or(o.Status, "paid"),
			"items": demoItems, "total": map[string]any{"amount": "61.80", "currency": "EUR"}, "venue": or(o.Store, "Lyon"), "customer": customer}
		for k, v := range times {
			order[k] = v
		}
		data["order"] = order
	} else {
		booking := map[string]any{"id": "bk_" + o.OrderID, "service": "Dîner - menu dégustation", "status": or(o.Status, "confirmed"),
			"start_time": created(o).Add(7 * 24 * time.Hour).Format(time.RFC3339), "party_size": 4,
			"total": map[string]any{"amount": "180.00", "currency": "EUR"}, "venue": or(o.Store, "Lyon"), "customer": customer}
		for k, v := range times {
			booking[k] = v
		}
		data["booking"] = booking
	}
	return newSample(map[string]any{
		"event": topic, "event_id": fmt.Sprintf("evt_demo_%s_%d", o.OrderID, o.Updated.UnixNano()),
		"occurred_at": o.Updated.UTC().Format(time.RFC3339), "data": data,
	})
}

// DefaultOptions returns the signing options of a platform's source in the
// example configuration (functions/webhook/safeview.yaml), for signing
// without a configuration at hand. Square's notification URL is not
// among them: it is where the delivery goes.
func DefaultOptions(platformName string) webhook.Options {
	switch platformName {
	case "generic":
		return webhook.Options{HMAC: webhook.HMACConfig{Header: "X-DG1-Signature", Prefix: "sha256=", TimestampHeader: "X-DG1-Timestamp"}}
	case "lightspeed-xseries":
		return webhook.Options{Token: webhook.TokenConfig{Query: true}}
	}
	return webhook.Options{}
}

// Sign signs a delivery as the platform would with secret, with the
// example configuration's options (DefaultOptions); notificationURL is
// the URL the delivery is posted to, which Square signs.
func Sign(platformName, secret, notificationURL string, s *Sample) error {
	scheme, err := platform.SchemeOf(platformName)
	if err != nil {
		return fmt.Errorf("cannot sign: %w", err)
	}
	o := DefaultOptions(platformName)
	o.NotificationURL = notificationURL
	return sign(scheme, secret, o, s)
}

// SignSource signs a delivery for a configured source, with its scheme
// and options; a paired token takes its demo value (PairedToken).
// notificationURL, when set, replaces the source's (see SourceDemo).
func SignSource(src *config.Source, secret, notificationURL string, s *Sample) error {
	scheme, err := src.SchemeOf()
	if err != nil {
		return fmt.Errorf("cannot sign: %w", err)
	}
	return sign(scheme, secret, Options(src, notificationURL), s)
}

// Options returns the scheme options of a source run with demo values: a
// paired token's value is PairedToken, and notificationURL, when set,
// replaces the source's (see SourceDemo).
func Options(src *config.Source, notificationURL string) webhook.Options {
	var tokens []string
	if src.Token != nil && len(src.Token.Secrets) > 0 {
		tokens = []string{PairedToken(src.Platform)}
	}
	o := src.WebhookOptions(tokens)
	if notificationURL != "" {
		o.NotificationURL = notificationURL
	}
	return o
}

func sign(scheme, secret string, o webhook.Options, s *Sample) error {
	signed, err := webhook.Sign(scheme, secret, s.Body, o)
	if err != nil {
		return err
	}
	if s.Header == nil {
		s.Header = http.Header{}
	}
	for k, v := range signed.Header {
		s.Header[k] = v
	}
	if s.Query == nil {
		s.Query = url.Values{}
	}
	for k, v := range signed.Query {
		s.Query[k] = v
	}
	return nil
}

// created is when the sample order was placed: the time its default id
// was taken from, so that an update of the same order keeps its date.
func created(o SampleOptions) time.Time {
	if ms, err := strconv.ParseInt(o.OrderID, 10, 64); err == nil && ms > 1e12 && ms < 1e13 && ms <= o.Updated.UnixMilli() {
		return time.UnixMilli(ms)
	}
	return o.Updated
}
