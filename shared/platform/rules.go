package platform

import (
	"encoding/json"
	"errors"
)

// Rules of the presets (status words, quantities), exported so that the
// readers of the platforms' exports (package export) normalize a backfilled
// order exactly as the live webhook of the same order is normalized.

// ShopifyStatus normalizes a Shopify order's financial status, as the
// shopify preset does, and returns with it the raw words the preset keeps
// in Order.StatusRaw: the financial status, followed by " (cancelled)"
// when the order is cancelled.
func ShopifyStatus(financial string, cancelled bool) (status Status, raw string) {
	raw = financial
	if cancelled {
		raw += " (cancelled)"
	}
	return shopifyStatus(financial, cancelled), raw
}

// WooCommerceStatus normalizes a WooCommerce order status (without the
// "wc-" prefix), as the woocommerce preset does; refunded says the order
// has at least one refund.
func WooCommerceStatus(status string, refunded bool) Status { return wooStatus(status, refunded) }

// XSeriesStatus normalizes a Lightspeed X-Series sale status (CLOSED,
// VOIDED, LAYBY...), in any letter case, as the lightspeed-xseries preset
// does.
func XSeriesStatus(status string) Status { return xseriesStatus(status) }

// ParseQuantity reads a line item's quantity as the presets do: an integer,
// or a decimal (weighed goods) rounded to the nearest unit and never below
// one; "" is one unit. Zero and negative quantities are refused, as the
// presets refuse them. The error says only that s is not a quantity.
func ParseQuantity(s string) (int64, error) {
	q, err := quantity("quantity", json.Number(s))
	if err != nil {
		return 0, errNotQuantity
	}
	return q, nil
}

var errNotQuantity = errors.New("not a quantity")

// ParseReturnable is ParseQuantity for the platforms that record a return
// as a line of minus units (Lightspeed X-Series): "-2" is 2 units
// returned. Zero is still refused.
func ParseReturnable(s string) (q int64, returned bool, err error) {
	q, returned, err = returnable("quantity", json.Number(s))
	if err != nil {
		return 0, false, errNotQuantity
	}
	return q, returned, nil
}
