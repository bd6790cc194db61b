package meetingtabs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
)

func example(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "..", "functions", "webhook", "safeview.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSpecFor(t *testing.T) {
	t.Parallel()
	cfg := example(t)
	lyon, ok := SpecFor(cfg, cfg.Destinations["lyon"])
	if !ok || lyon.Tab != "Orders" || lyon.Date != "order_date" || lyon.Revenue != "total" || lyon.Store != "store" || lyon.Key != "order_id" ||
		strings.Join(lyon.Headers, ",") != "order_id,store,order_date,status,items,total,channel" {
		t.Errorf("SpecFor(lyon) = %+v, %v", lyon, ok)
	}
	online, ok := SpecFor(cfg, cfg.Destinations["online"])
	if !ok || online.Store != "" || online.Date != "order_date" || online.TimeZone == "" {
		t.Errorf("SpecFor(online) = %+v, %v: want no store (online keeps none), a date and a zone", online, ok)
	}
}

// Prepare makes Today and Summary once: run again it sends no write; a
// tab the team edited is kept and reported; a tab deleted is made again.
func TestPrepare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := gsheetstest.NewServer(t)
	svc, err := emu.Service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := example(t)
	spec, _ := SpecFor(cfg, cfg.Destinations["lyon"])
	id := emu.CreateSpreadsheet("lyon", "Orders")
	if err := emu.SetValues(id, "Orders!A1:H1", [][]any{{"order_id", "store", "order_date", "status", "items", "total", "channel", "_safeview_version"}}); err != nil {
		t.Fatal(err)
	}
	did, err := Prepare(ctx, svc, id, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(did) != 2 || !strings.Contains(did[0], `"Today": created`) || !strings.Contains(did[1], "revenue (total) and order count by store and day") {
		t.Errorf("Prepare() = %q", did)
	}
	a1, _ := emu.Cell(id, TodayTab, "A1")
	a2, _ := emu.Cell(id, TodayTab, "A2")
	if a1.Formula != "={'Orders'!A1:G1}" ||
		a2.Formula != `=IFERROR(SORT(FILTER('Orders'!A2:G, INT('Orders'!C2:C)=TODAY()), 3, FALSE), "No order yet today")` {
		t.Errorf("Today = %q / %q", a1.Formula, a2.Formula)
	}
	ss, err := svc.Spreadsheets.Get(id).Ranges("Summary!A1").IncludeGridData(true).Fields("properties(timeZone),sheets(data(rowData(values(pivotTable))))").Do()
	if err != nil {
		t.Fatal(err)
	}
	if ss.Properties.TimeZone != spec.TimeZone {
		t.Errorf("time zone = %q, want the stores' %q", ss.Properties.TimeZone, spec.TimeZone)
	}
	p := ss.Sheets[0].Data[0].RowData[0].Values[0].PivotTable
	if p == nil || len(p.Rows) != 2 || p.Rows[0].SourceColumnOffset != 1 || p.Rows[1].SourceColumnOffset != 2 || p.Rows[1].GroupRule.DateTimeRule.Type != "YEAR_MONTH_DAY" ||
		len(p.Values) != 2 || p.Values[0].SummarizeFunction != "SUM" || p.Values[0].SourceColumnOffset != 5 || p.Values[1].SummarizeFunction != "COUNTA" || p.Source.EndColumnIndex != 7 {
		t.Errorf("Summary pivot = %+v", p)
	}

	emu.ResetStats()
	did, err = Prepare(ctx, svc, id, spec)
	if err != nil || strings.Join(did, "; ") != `tab "Today": already set up; tab "Summary": already set up` || emu.Stats().Writes != 0 {
		t.Errorf("Prepare() again = %q, %v, %d writes; want already set up and no write", did, err, emu.Stats().Writes)
	}

	// The team edits Today and deletes Summary.
	if err := emu.SetValues(id, "Today!A2", [][]any{{`=FILTER('Orders'!A2:G, 'Orders'!B2:B="Lyon")`}}); err != nil {
		t.Fatal(err)
	}
	ss, _ = svc.Spreadsheets.Get(id).Fields("sheets(properties(sheetId,title))").Do()
	for _, sh := range ss.Sheets {
		if sh.Properties.Title == SummaryTab {
			if err := emu.Update(id, &sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: sh.Properties.SheetId}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	did, err = Prepare(ctx, svc, id, spec)
	if err != nil || len(did) != 2 || !strings.Contains(did[0], `"Summary": created`) || !strings.Contains(did[1], `"Today": edited by the team, left as it is`) {
		t.Errorf("Prepare() after the team's edits = %q, %v", did, err)
	}
	if a2, _ := emu.Cell(id, TodayTab, "A2"); !strings.Contains(a2.Formula, `="Lyon"`) {
		t.Errorf("Today!A2 = %q, want the team's formula kept", a2.Formula)
	}
}
