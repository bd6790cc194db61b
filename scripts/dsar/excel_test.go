package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// An erasure reaches the Excel destination too: the person's pseudonym
// is cleared from the workbook's table, and dsar says so.
func TestEraseReachesExcel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	yaml := strings.ReplaceAll(cfgYAML, "LYON_ID", e.lyon) + `  compta:
    kind: excel
    excel:
      workbook: {drive_id: d, item_id: i}
    tables:
      Orders: {table: Ventes, columns: [order_id, status, customer_ref]}
`
	if err := os.WriteFile(e.config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(e.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Spreadsheet.ID = e.id
	ms := exceltest.NewStack(t, cfg)
	res := secrets.Map{"safeview-pseudonym-key": {key}}
	graph, err := ms.Options(res)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := e.emu.Service(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	v, err := view.New(t.Context(), view.Deps{Config: cfg, Secrets: res, Sheets: svc, Graph: view.Graph(graph)})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, ev := range []*platform.Event{order("2001", platform.Customer{Email: email}, at), order("2002", platform.Customer{Email: other}, at)} {
		if _, err := v.Write(context.Background(), "shopify", ev); err != nil {
			t.Fatal(err)
		}
	}
	ventes := func() map[string]string {
		rows, err := ms.Graph.Table("d", "i", "Ventes")
		if err != nil {
			t.Fatal(err)
		}
		refs := map[string]string{}
		for _, r := range rows[1:] {
			refs[r[0]] = r[2]
		}
		return refs
	}
	if before := ventes(); before["2001"] == "" || before["2002"] == "" {
		t.Fatalf("Ventes before = %v, want both orders with a customer_ref", before)
	}
	out, _, err := e.run(t, email, "erase", "-email", "-", "-graph-endpoint", ms.Graph.GraphEndpoint())
	if err != nil || !strings.Contains(out, "destination compta: cleared 1 rows (Orders 1)") {
		t.Errorf("dsar erase = %q, %v, want compta's row cleared", out, err)
	}
	if after := ventes(); after["2001"] != "" || after["2002"] == "" {
		t.Errorf("Ventes after = %v, want 2001's customer_ref cleared, 2002's kept", after)
	}
}
