package view_test

import (
	"context"
	"testing"

	"cloud.google.com/go/compute/metadata"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/metadatatest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

const excelYAML = `
spreadsheet: {id: main, time_zone: Europe/Paris}
privacy: {pseudonym_key: pseudonym-key}
sheet: {write_requests_per_minute: 3000, read_requests_per_minute: 3000}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: store, field: order.store}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
destinations:
  compta:
    kind: excel
    where: order.store == "Paris"
    excel:
      workbook: {site: "contoso.sharepoint.com:/sites/Finance", path: Orders.xlsx}
    tables:
      Orders: {table: Ventes, columns: [order_id, status, customer_ref]}
  secret:
    kind: excel
    excel:
      client_secret: excel-secret
      workbook: {drive_id: d, item_id: i2}
`

// The view writes an Excel destination the rows its where chooses, signs
// in with the federated credential or the secret, and erasures reach it.
func TestExcelDestinationThroughTheView(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("safeview.yaml", []byte(excelYAML))
	if err != nil {
		t.Fatal(err)
	}
	emu := graphtest.NewServer(t)
	md := metadatatest.NewServer(t, "fn@p.iam.gserviceaccount.com", "1234")
	emu.RegisterApp("tn", "cl", "s3cret")
	emu.AddFederatedCredential("tn", "cl", graphtest.Federated{Issuer: metadatatest.Issuer, Subject: "1234", Audience: excel.ExchangeAudience, Key: md.PublicKey()})
	emu.CreateWorkbook("d", "i", "Orders.xlsx")
	emu.CreateWorkbook("d", "i2", "All.xlsx")
	emu.AddSite("contoso.sharepoint.com", "/sites/Finance", "Orders.xlsx", "d", "i")
	for _, tb := range [][3]string{{"i", "Ventes"}, {"i2", "SafeviewOrders"}} {
		if err := emu.AddTable("d", tb[0], "Orders", tb[1], "order_id", "status", "customer_ref"); err != nil {
			t.Fatal(err)
		}
	}
	sheets := gsheetstest.NewServer(t)
	cfg.Spreadsheet.ID = sheets.CreateSpreadsheet("main", "Orders")
	svc, err := sheets.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := secrets.Map{"pseudonym-key": keys["pseudonym-key"], "excel-secret": {"s3cret"}}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: res, Sheets: svc,
		Graph: view.Graph(view.GraphOptions{Endpoint: emu.GraphEndpoint(), AuthorityHost: emu.URL() + "/", Transport: emu.Client(),
			TenantID: "tn", ClientID: "cl", Assertion: excel.GoogleIDToken(metadata.NewClient(md.Client())), Secrets: res})})
	if err != nil {
		t.Fatal(err)
	}
	for i, store := range []string{"Paris", "Lyon"} {
		ev := storeOrder(string(rune('1'+i)), store, "paid", 1)
		outs, err := v.Write(context.Background(), "shop", ev)
		if err != nil {
			t.Fatalf("Write(%s) error = %v", store, err)
		}
		if got := outs[0].Destinations["compta"]; got != model.Written && store == "Paris" {
			t.Errorf("compta's result for Paris = %q, want written", got)
		}
	}
	ventes, _ := emu.Table("d", "i", "Ventes")
	all, _ := emu.Table("d", "i2", "SafeviewOrders")
	if n := keyed(ventes); n != 1 {
		t.Errorf("Ventes holds %d orders, want Paris's only: %v", n, ventes)
	}
	if n := keyed(all); n != 2 {
		t.Errorf("the second workbook holds %d orders, want 2: %v", n, all)
	}
	if md.Issued() == 0 {
		t.Error("no Google ID token was asked for: the federated credential was not used")
	}
	ref := ventes[2][2]
	done, err := v.Erase(context.Background(), erasure.Request{Scope: platform.EraseCustomer, Sources: []string{"shop"}, OrderIDs: []string{"1"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if done.Destinations["compta"].Changed() != 1 {
		t.Errorf("erasure changed %d rows of compta, want 1", done.Destinations["compta"].Changed())
	}
	ventes, _ = emu.Table("d", "i", "Ventes")
	if ref == "" || ventes[2][2] != "" {
		t.Errorf("customer_ref %q after erasure: %v, want emptied", ref, ventes)
	}
}

func keyed(rows [][]string) int {
	n := 0
	for _, r := range rows[1:] {
		if r[0] != "" {
			n++
		}
	}
	return n
}
