package webhookfn

import (
	"slices"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// graphFor starts the Microsoft side of cfg's Excel destinations (the
// example's "compta") and returns how the handler reaches it: the real
// HTTP client, azidentity and metadata client, against emulators.
func graphFor(t *testing.T, cfg *config.Config, res secrets.Resolver) (*view.GraphOptions, *exceltest.Stack) {
	t.Helper()
	ms := exceltest.NewStack(t, cfg)
	o, err := ms.Options(res)
	if err != nil {
		t.Fatal(err)
	}
	return &o, ms
}

// withoutExcel removes the Excel destinations of a configuration.
func withoutExcel(cfg *config.Config) {
	cfg.DestinationNames = slices.DeleteFunc(cfg.DestinationNames, func(n string) bool {
		if cfg.Destinations[n].Kind == config.KindExcel {
			delete(cfg.Destinations, n)
			return true
		}
		return false
	})
}

// A paid order of the example reaches the accountant's Excel workbook,
// in the columns it keeps, through the federated credential.
func TestExampleWritesExcel(t *testing.T) {
	t.Parallel()
	st := buildStack(t, nil, emulatorService(t), true)
	r := st.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{id: "4001"}), secret: testSecret})
	if r.status != 200 || r.answer.Result != "written" {
		t.Fatalf("send(paid order) = %d %s, want 200 written", r.status, r.body)
	}
	d := st.excel.Destinations["compta"]
	rows, err := st.excel.Graph.Table(d.DriveID, d.ItemID, "Ventes")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[1:] {
		// order_id, store, order_date, status, total, channel: no
		// customer_ref, which compta does not keep.
		found = found || r[0] == "4001" && r[3] == "paid" && len(r) == 7
	}
	if !found {
		t.Errorf("Ventes = %v, want order 4001", rows)
	}
	if st.excel.Metadata.Issued() == 0 {
		t.Error("no Google ID token was asked for")
	}
}
