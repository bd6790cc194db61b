package platform

import (
	"errors"
	"strings"
	"testing"
)

// A Shopify source that declares its shops (or whose store: is a shop's
// domain) takes compliance requests and orders of those shops only. The
// shop of a compliance request is the body's, whatever
// X-Shopify-Shop-Domain says; an order's is the header's, the only place
// Shopify names it.
func TestShopifyServedShops(t *testing.T) {
	t.Parallel()
	declared := Options{Shops: []string{"Cafe-Demo.myshopify.com", "lyon.myshopify.com"}}
	storeDomain := Options{Store: "cafe-demo.myshopify.com"}
	label := Options{Store: "Lyon"}
	order := fixture(t, "shopify_orders_create_devdocs_sample.json")
	tests := []struct {
		name        string
		opts        Options
		topic       string
		headerShop  string
		body        []byte
		wantErr     bool
		wantErasure string // the erasure's shop
	}{
		{"declared shop/redact", declared, "shop/redact", "cafe-demo.myshopify.com", compliance(t, "shopify_shop_redact.json", "cafe-demo.myshopify.com"), false, "cafe-demo.myshopify.com"},
		{"declared, in capitals", declared, "shop/redact", "", compliance(t, "shopify_shop_redact.json", "LYON.myshopify.com"), false, "lyon.myshopify.com"},
		{"undeclared shop/redact", declared, "shop/redact", "cafe-demo.myshopify.com", compliance(t, "shopify_shop_redact.json", "other.myshopify.com"), true, ""},
		{"undeclared customers/redact", declared, "customers/redact", "cafe-demo.myshopify.com", compliance(t, "shopify_customers_redact.json", "other.myshopify.com"), true, ""},
		{"undeclared data_request", declared, "customers/data_request", "cafe-demo.myshopify.com", compliance(t, "shopify_customers_data_request.json", "other.myshopify.com"), true, ""},
		{"the header does not name the shop", declared, "shop/redact", "other.myshopify.com", compliance(t, "shopify_shop_redact.json", "lyon.myshopify.com"), false, "lyon.myshopify.com"},
		{"store domain, its shop", storeDomain, "shop/redact", "", compliance(t, "shopify_shop_redact.json", "cafe-demo.myshopify.com"), false, "cafe-demo.myshopify.com"},
		{"store domain, another shop", storeDomain, "shop/redact", "cafe-demo.myshopify.com", compliance(t, "shopify_shop_redact.json", "other.myshopify.com"), true, ""},
		{"none declared, the body's shop", label, "shop/redact", "other.myshopify.com", compliance(t, "shopify_shop_redact.json", "cafe-demo.myshopify.com"), false, "cafe-demo.myshopify.com"},
		{"declared, order", declared, "orders/create", "lyon.myshopify.com", order, false, ""},
		{"declared, order of another shop", declared, "orders/create", "other.myshopify.com", order, true, ""},
		{"declared, order naming no shop (a backfill)", declared, "orders/create", "", order, false, ""},
		{"store domain, order of another shop", storeDomain, "orders/create", "other.myshopify.com", order, true, ""},
		{"none declared, order", label, "orders/create", "other.myshopify.com", order, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := headers(ShopifyTopicHeader, tt.topic)
			if tt.headerShop != "" {
				h.Set(ShopifyShopDomainHeader, tt.headerShop)
			}
			ev, err := mustNew(t, "shopify", tt.opts).Decode(Request{Header: h, Body: tt.body})
			if tt.wantErr {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Decode() = %q, %v, want ErrMalformed", ev.Kind, err)
				}
				if strings.Contains(err.Error(), "myshopify") {
					t.Errorf("Decode() error %q names a shop", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if tt.wantErasure != "" && (ev.Erasure == nil || ev.Erasure.Shop != tt.wantErasure) {
				t.Errorf("Decode() erasure = %+v, want shop %q", ev.Erasure, tt.wantErasure)
			}
		})
	}
	if _, err := New("shopify", Options{Shops: []string{"not a domain"}}); err == nil {
		t.Error(`New(shopify, Shops: ["not a domain"]) succeeded, want error`)
	}
}

func TestShopDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"cafe-demo.myshopify.com", "cafe-demo.myshopify.com", true},
		{" Cafe-Demo.MyShopify.com ", "cafe-demo.myshopify.com", true},
		{"shop.example.co.uk", "shop.example.co.uk", true},
		{"lyon", "", false},
		{"Boutique en ligne", "", false},
		{"{shop}.myshopify.com", "", false},
		{"-cafe.myshopify.com", "", false},
		{"cafe..myshopify.com", "", false},
		{"https://cafe.myshopify.com", "", false},
		{"", "", false},
		{strings.Repeat("a", 64) + ".myshopify.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ShopDomain(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ShopDomain(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
