package gsheetstest

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

// A pivot table is checked as Google's reference describes it: a source
// on the spreadsheet's grid, groups and values reading columns of that
// source, summarize functions, sort orders, layouts and date-time rules
// of their enums, CUSTOM only with a formula. Nothing of a refused pivot
// is written.
func TestPivotTablesAreChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Orders: columns A to H of the grid's 26; the pivot goes on Sheet1.
	if _, err := e.batch(&sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Orders"}}}); err != nil {
		t.Fatal(err)
	}
	orders := e.tabID(t, "Orders")
	pivot := func(edit func(p *sheets.PivotTable)) *sheets.PivotTable {
		p := &sheets.PivotTable{
			Source: &sheets.GridRange{SheetId: orders, StartColumnIndex: 0, EndColumnIndex: 8, ForceSendFields: []string{"SheetId"}},
			Rows: []*sheets.PivotGroup{
				{SourceColumnOffset: 1, SortOrder: "ASCENDING", ShowTotals: true},
				{SourceColumnOffset: 2, SortOrder: "DESCENDING", GroupRule: &sheets.PivotGroupRule{DateTimeRule: &sheets.DateTimeRule{Type: "YEAR_MONTH_DAY"}}},
			},
			Values: []*sheets.PivotValue{
				{SourceColumnOffset: 5, SummarizeFunction: "SUM", Name: "revenue"},
				{SourceColumnOffset: 0, SummarizeFunction: "COUNTA", Name: "orders", ForceSendFields: []string{"SourceColumnOffset"}},
				{Formula: "='total' * 2", SummarizeFunction: "CUSTOM", Name: "double"},
			},
			ValueLayout: "HORIZONTAL",
		}
		if edit != nil {
			edit(p)
		}
		return p
	}
	write := func(p *sheets.PivotTable) error {
		_, err := e.batch(&sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: e.sheetID, ForceSendFields: []string{"SheetId"}},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{PivotTable: p}}}},
			Fields: "pivotTable",
		}})
		return err
	}
	for _, c := range []struct {
		name string
		edit func(p *sheets.PivotTable)
		want string // "" for accepted
	}{
		{"as meetingtabs writes it", nil, ""},
		{"source on no sheet", func(p *sheets.PivotTable) { p.Source.SheetId = 4242 }, "No grid with id: 4242"},
		{"source past the grid", func(p *sheets.PivotTable) { p.Source.EndColumnIndex = 27 }, "exceeds grid limits"},
		{"group past the source", func(p *sheets.PivotTable) { p.Rows[1].SourceColumnOffset = 8 }, "rows[1].sourceColumnOffset 8 is outside"},
		{"value past the source", func(p *sheets.PivotTable) { p.Values[0].SourceColumnOffset = 9 }, "values[0].sourceColumnOffset 9 is outside"},
		{"unknown summarize function", func(p *sheets.PivotTable) { p.Values[0].SummarizeFunction = "TOTAL" }, "PivotValueSummarizeFunction), \"TOTAL\""},
		{"CUSTOM without a formula", func(p *sheets.PivotTable) { p.Values[1].SummarizeFunction = "CUSTOM" }, "CUSTOM needs a formula"},
		{"a formula counted", func(p *sheets.PivotTable) { p.Values[2].SummarizeFunction = "COUNTA" }, "must be SUM or CUSTOM"},
		{"a formula and a column", func(p *sheets.PivotTable) { p.Values[2].SourceColumnOffset = 3 }, "oneof field 'value'"},
		{"unknown sort order", func(p *sheets.PivotTable) { p.Rows[0].SortOrder = "UP" }, "SortOrder), \"UP\""},
		{"unknown date-time rule", func(p *sheets.PivotTable) { p.Rows[1].GroupRule.DateTimeRule.Type = "WEEK" }, "DateTimeRuleType), \"WEEK\""},
		{"unknown layout", func(p *sheets.PivotTable) { p.ValueLayout = "DIAGONAL" }, "PivotValueLayout), \"DIAGONAL\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := write(pivot(c.edit))
			var gerr *googleapi.Error
			switch {
			case c.want == "" && err != nil:
				t.Errorf("write = %v, want it accepted", err)
			case c.want != "" && (!errors.As(err, &gerr) || gerr.Code != 400 || !strings.Contains(gerr.Message, c.want) ||
				!strings.HasPrefix(gerr.Message, "Invalid requests[0].updateCells: ")):
				t.Errorf("write = %v, want 400 %q", err, c.want)
			}
		})
	}
}
