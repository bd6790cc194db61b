package view_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// A backfill's dry run: the rows a past order would become, through the
// same filter and operators as its live deliveries, without a sheet.
func ExampleView_Run() {
	cfg, err := config.Parse("safeview.yaml", []byte(`
privacy: {pseudonym_key: pseudonym-key}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
`))
	if err != nil {
		log.Fatal(err)
	}
	keys := secrets.Map{"pseudonym-key": {strings.Repeat("k", 32)}}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: keys})
	if err != nil {
		log.Fatal(err)
	}
	for _, status := range []platform.Status{platform.StatusPaid, platform.StatusRefunded} {
		ev := &platform.Event{Kind: platform.KindOrder, Version: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC).UnixMicro(),
			Order:    &platform.Order{ID: "5550000000001", Status: status},
			Customer: platform.Customer{Email: "ada@example.invalid"}}
		rows, err := v.Run("shop", ev)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range rows {
			ref := r.Row.Cells[2].Text
			fmt.Printf("%s %s: %s, may enter %v, may update %v, pseudonym %v\n", r.Table, r.Row.Key, r.Row.Cells[1].Text,
				r.Row.Insert, r.Row.Update, strings.HasPrefix(ref, "c_") && !strings.Contains(ref, "ada"))
		}
	}
	// Output:
	// Orders 5550000000001: paid, may enter true, may update true, pseudonym true
	// Orders 5550000000001: refunded, may enter false, may update true, pseudonym true
}
