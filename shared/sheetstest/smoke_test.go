package sheetstest

import (
	"context"
	"testing"

	"google.golang.org/api/sheets/v4"
)

func TestSmoke(t *testing.T) {
	s := NewServer(t)
	ctx := context.Background()
	svc, err := s.Service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := svc.Spreadsheets.Create(&sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: "x"}, Sheets: []*sheets.Sheet{{Properties: &sheets.SheetProperties{Title: "My Tab"}}}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v %+v", ss.SpreadsheetId, ss.Sheets[0].Properties)
	u, err := svc.Spreadsheets.Values.Update(ss.SpreadsheetId, "'My Tab'!A1", &sheets.ValueRange{Values: [][]any{{"a", 1, true}, {"=1+1", "0012"}}}).ValueInputOption("USER_ENTERED").Do()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", u)
	g, err := svc.Spreadsheets.Values.Get(ss.SpreadsheetId, "'My Tab'!A:C").ValueRenderOption("UNFORMATTED_VALUE").Do()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", g)
	_, err = svc.Spreadsheets.Values.Get(ss.SpreadsheetId, "Nope!A:C").Do()
	t.Logf("%v", err)
	a, err := svc.Spreadsheets.Values.Append(ss.SpreadsheetId, "My Tab", &sheets.ValueRange{Values: [][]any{{"x", "y"}}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v %+v", a, a.Updates)
	full, err := svc.Spreadsheets.Get(ss.SpreadsheetId).IncludeGridData(true).Ranges("'My Tab'!A1:B3").Fields("sheets(properties(title),data(rowData))").Do()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := full.MarshalJSON()
	t.Logf("%s", b)
	snap, err := s.Snapshot(ss.SpreadsheetId, "My Tab")
	t.Logf("%q %v", snap, err)
}
