package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
)

// -excel creates the example's named table in an empty workbook, with
// the columns the destination keeps, then finds it in place.
func TestExcelCreatesThenChecksTheNamedTable(t *testing.T) {
	t.Parallel()
	emu := graphtest.NewServer(t, graphtest.WithoutAuth())
	// The example's workbook ids (functions/webhook/safeview.yaml).
	emu.CreateWorkbook("b!demo-drive", "01DEMOWORKBOOK", "Compta.xlsx")
	args := []string{"-config", exampleConfig, "-excel", "compta", "-graph-endpoint", emu.GraphEndpoint()}
	for i, want := range []string{`named table "Ventes" (Orders): created on worksheet Ventes`, `named table "Ventes" (Orders): checked`} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard, clients{}); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "drive_id b!demo-drive, item_id 01DEMOWORKBOOK") {
			t.Errorf("run %d printed:\n%s\nwant %q and the workbook's ids", i+1, out.String(), want)
		}
	}
	rows, err := emu.Table("b!demo-drive", "01DEMOWORKBOOK", "Ventes")
	if err != nil {
		t.Fatal(err)
	}
	want := "order_id,store,order_date,status,total,channel," + excel.VersionHeader
	if got := strings.Join(rows[0], ","); got != want {
		t.Errorf("Ventes header = %s, want %s", got, want)
	}
}

func TestExcelNamesAnExcelDestination(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"-config", exampleConfig, "-excel", "nope", "-dry-run"}, io.Discard, io.Discard, clients{})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("-excel nope: error = %v, want it to name nope", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-config", exampleConfig, "-excel", "compta", "-dry-run"}, &out, io.Discard, clients{}); err != nil || !strings.Contains(out.String(), `named table "Ventes" (Orders): header order_id | store`) {
		t.Errorf("-excel compta -dry-run = %v, printed:\n%s", err, out.String())
	}
}
