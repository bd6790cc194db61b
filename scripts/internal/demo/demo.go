// Package demo holds what the local stack and the send script share: the
// demo secrets of each platform (never used anywhere but on a developer's
// machine) and built-in sample deliveries.
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// Secret returns the demo signing secret of a platform. These values are
// public: they sign only deliveries to a local emulator.
func Secret(platformName string) string {
	return "demo-" + platformName + "-secret-not-for-production"
}

// PseudonymKey is the demo key of the pseudonym operator.
const PseudonymKey = "demo-pseudonym-key-not-for-production-0123456789"

//go:embed samples
var samples embed.FS

// Sample is one delivery to send.
type Sample struct {
	Body   []byte
	Header http.Header
}

// SampleOptions adjust a built-in sample.
type SampleOptions struct {
	Topic   string    // platform topic; default the platform's "order created"
	OrderID string    // default: derived from the time
	Status  string    // the platform's own status word, e.g. "paid", "refunded"
	Updated time.Time // default now
	Store   string    // the shop domain or site
}

// BuiltIn returns the built-in sample order of a platform.
func BuiltIn(platformName string, o SampleOptions) (Sample, error) {
	if o.Updated.IsZero() {
		o.Updated = time.Now()
	}
	if o.OrderID == "" {
		o.OrderID = strconv.FormatInt(o.Updated.UnixMilli(), 10)
	}
	switch platformName {
	case "shopify":
		return shopify(o)
	}
	return Sample{}, fmt.Errorf("no built-in sample for platform %q", platformName)
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
	body, err := json.Marshal(doc)
	if err != nil {
		return Sample{}, err
	}
	if o.Topic == "" {
		o.Topic = "orders/create"
	}
	if o.Store == "" {
		o.Store = "cafe-demo.myshopify.com"
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(platform.ShopifyTopicHeader, o.Topic)
	h.Set(platform.ShopifyShopDomainHeader, o.Store)
	h.Set(platform.ShopifyWebhookIDHeader, fmt.Sprintf("demo-%s-%d", o.OrderID, o.Updated.UnixNano()))
	return Sample{Body: body, Header: h}, nil
}

// Sign adds the platform's signature headers to a delivery.
func Sign(platformName, secret string, s *Sample) error {
	switch platformName {
	case "shopify":
		s.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(secret, s.Body))
		return nil
	}
	return fmt.Errorf("cannot sign for platform %q", platformName)
}

// created is when the sample order was placed: the time its default id
// was taken from, so that an update of the same order keeps its date.
func created(o SampleOptions) time.Time {
	if ms, err := strconv.ParseInt(o.OrderID, 10, 64); err == nil && ms > 1e12 && ms < 1e13 && ms <= o.Updated.UnixMilli() {
		return time.UnixMilli(ms)
	}
	return o.Updated
}
