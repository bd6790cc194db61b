// Package meetingtabs adds to a destination's spreadsheet the two tabs
// people use in meetings, both live in the spreadsheet, so that Safeview
// never writes them:
//
//   - Today: today's rows of the destination's order table (in the
//     spreadsheet's time zone, set to the stores' when the tab is made),
//     newest first, as two formulas over the table: its header, then
//     SORT(FILTER(...)) of the rows whose date is TODAY().
//   - Summary: a pivot table of the same table, revenue and order count by
//     store (when the destination keeps the store column) and by day.
//
// Prepare makes what is missing and leaves alone what is there: a tab the
// team edited (another formula, another pivot) is kept as it is and
// reported, and deleting it has the next run make it again. Both
// scripts/bootstrap-sheet and the local stack use it.
package meetingtabs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
)

// The tabs' titles.
const (
	TodayTab   = "Today"
	SummaryTab = "Summary"
)

// Spec is what the tabs are made of: one table of the destination and the
// headers of its roles.
type Spec struct {
	Tab      string   // the table's tab
	Headers  []string // the destination's columns of it, in order
	Key      string   // counted for the number of orders
	Date     string   // the order's date and time: Today's filter and sort, Summary's day
	Revenue  string   // summed; "" for none
	Store    string   // Summary's first rows; "" when the destination keeps no store
	TimeZone string   // the stores' IANA zone, for TODAY()
}

// SpecFor returns the spec of a destination: its first order table (its
// first table when it holds no orders), or false when that table has no
// date column, without which there is no today.
func SpecFor(cfg *config.Config, d *config.Destination) (Spec, bool) {
	tables := cfg.DestinationTables(d)
	if len(tables) == 0 {
		return Spec{}, false
	}
	t := tables[0]
	if i := slices.IndexFunc(tables, func(t *config.Table) bool { return t.Kind == "order" }); i >= 0 {
		t = tables[i]
	}
	keep := cfg.ColumnsFor(d, t)
	s := Spec{Tab: t.Tab, Headers: keep, Key: t.Key, TimeZone: zoneOf(cfg, t)}
	for _, c := range t.Columns {
		if !slices.Contains(keep, c.Header) {
			continue
		}
		switch {
		case s.Date == "" && (c.Op == "datetime" || c.Op == "date"):
			s.Date = c.Header
		case s.Revenue == "" && (c.Op == "money" || c.Op == "amount"):
			s.Revenue = c.Header
		case s.Store == "" && strings.HasSuffix(c.Field, ".store"):
			s.Store = c.Header
		}
	}
	return s, s.Date != ""
}

// zoneOf is the zone of the sources that feed a table when they all have
// the same, else the spreadsheet's.
func zoneOf(cfg *config.Config, t *config.Table) string {
	zone := ""
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		if !cfg.Feeds(t, name) || src == nil {
			continue
		}
		z := src.TimeZone
		if z == "" {
			z = cfg.Spreadsheet.TimeZone
		}
		if zone != "" && z != zone {
			return cfg.Spreadsheet.TimeZone
		}
		zone = z
	}
	if zone == "" {
		return cfg.Spreadsheet.TimeZone
	}
	return zone
}

// Prepare makes the Today and Summary tabs of spreadsheet id that are
// missing, over spec's table, which must have its header already. It
// returns what it did or found, one line a tab.
func Prepare(ctx context.Context, svc *sheets.Service, id string, spec Spec) ([]string, error) {
	ss, err := svc.Spreadsheets.Get(id).Fields("properties(timeZone),sheets(properties(sheetId,title))").Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	var table *sheets.SheetProperties
	ids := map[int64]bool{}
	has := map[string]bool{}
	for _, sh := range ss.Sheets {
		ids[sh.Properties.SheetId] = true
		has[sh.Properties.Title] = true
		if sh.Properties.Title == spec.Tab {
			table = sh.Properties
		}
	}
	if table == nil {
		return nil, fmt.Errorf("no tab %q: prepare the table first", spec.Tab)
	}
	got, err := svc.Spreadsheets.Values.Get(id, gsheets.RowRange(spec.Tab, 0)).ValueRenderOption("UNFORMATTED_VALUE").Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	var header []string
	if len(got.Values) > 0 {
		for _, v := range got.Values[0] {
			header = append(header, strings.TrimSpace(fmt.Sprint(v)))
		}
	}
	l, err := layOut(spec, header)
	if err != nil {
		return nil, err
	}
	want := want{today: l.today(spec.Tab), summary: l.pivot(table.SheetId)}

	var reqs []*sheets.Request
	var did []string
	newID := func() int64 {
		n := int64(len(ids))
		for ids[n] {
			n++
		}
		ids[n] = true
		return n
	}
	if !has[TodayTab] {
		sid := newID()
		reqs = append(reqs, addSheet(sid, TodayTab), cells(sid, formulaRow(want.today[0]), formulaRow(want.today[1])))
		if ss.Properties.TimeZone != spec.TimeZone && spec.TimeZone != "" {
			// TODAY() is the spreadsheet's today: the stores'.
			reqs = append(reqs, &sheets.Request{UpdateSpreadsheetProperties: &sheets.UpdateSpreadsheetPropertiesRequest{
				Properties: &sheets.SpreadsheetProperties{TimeZone: spec.TimeZone}, Fields: "timeZone"}})
		}
		did = append(did, fmt.Sprintf("tab %q: created, today's rows of %s newest first (time zone %s)", TodayTab, spec.Tab, spec.TimeZone))
	}
	if !has[SummaryTab] {
		sid := newID()
		reqs = append(reqs, addSheet(sid, SummaryTab), pivotCell(sid, want.summary))
		did = append(did, fmt.Sprintf("tab %q: created, a pivot table of %s", SummaryTab, l.summaryText()))
	}
	if has[TodayTab] || has[SummaryTab] {
		lines, err := check(ctx, svc, id, has, want)
		if err != nil {
			return nil, err
		}
		did = append(did, lines...)
	}
	if len(reqs) > 0 {
		if _, err := svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do(); err != nil {
			return nil, err
		}
	}
	return did, nil
}

// want is what the tabs hold when Safeview made them.
type want struct {
	today   [2]string // A1 and A2 of Today
	summary *sheets.PivotTable
}

// check compares the tabs that exist with what Safeview would make.
func check(ctx context.Context, svc *sheets.Service, id string, has map[string]bool, w want) ([]string, error) {
	var ranges []string
	if has[TodayTab] {
		ranges = append(ranges, quote(TodayTab)+"!A1:A2")
	}
	if has[SummaryTab] {
		ranges = append(ranges, quote(SummaryTab)+"!A1")
	}
	ss, err := svc.Spreadsheets.Get(id).Ranges(ranges...).IncludeGridData(true).
		Fields("sheets(properties(title),data(rowData(values(userEnteredValue,pivotTable))))").Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sh := range ss.Sheets {
		var rows []*sheets.RowData
		if len(sh.Data) > 0 {
			rows = sh.Data[0].RowData
		}
		at := func(r int) *sheets.CellData {
			if r < len(rows) && len(rows[r].Values) > 0 {
				return rows[r].Values[0]
			}
			return &sheets.CellData{}
		}
		switch sh.Properties.Title {
		case TodayTab:
			same := formulaOf(at(0)) == w.today[0] && formulaOf(at(1)) == w.today[1]
			out = append(out, keptLine(TodayTab, same))
		case SummaryTab:
			out = append(out, keptLine(SummaryTab, samePivot(at(0).PivotTable, w.summary)))
		}
	}
	return out, nil
}

func keptLine(tab string, same bool) string {
	if same {
		return fmt.Sprintf("tab %q: already set up", tab)
	}
	return fmt.Sprintf("tab %q: edited by the team, left as it is (delete the tab to have it made again)", tab)
}

func formulaOf(c *sheets.CellData) string {
	if c.UserEnteredValue == nil || c.UserEnteredValue.FormulaValue == nil {
		return ""
	}
	return *c.UserEnteredValue.FormulaValue
}

// samePivot compares what Safeview sets of a pivot table: its source, its
// rows and its values (Google adds defaults to the rest).
func samePivot(a, b *sheets.PivotTable) bool {
	if a == nil || b == nil || a.Source == nil || b.Source == nil {
		return a == b
	}
	if a.Source.SheetId != b.Source.SheetId || a.Source.StartColumnIndex != b.Source.StartColumnIndex || a.Source.EndColumnIndex != b.Source.EndColumnIndex ||
		len(a.Rows) != len(b.Rows) || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Rows {
		if a.Rows[i].SourceColumnOffset != b.Rows[i].SourceColumnOffset || (a.Rows[i].GroupRule == nil) != (b.Rows[i].GroupRule == nil) {
			return false
		}
	}
	for i := range a.Values {
		if a.Values[i].SourceColumnOffset != b.Values[i].SourceColumnOffset || a.Values[i].SummarizeFunction != b.Values[i].SummarizeFunction {
			return false
		}
	}
	return true
}

// layout is where the spec's columns are in the table's header.
type layout struct {
	c0, c1                    int // the columns of the headers, first and last
	date, revenue, store, key int // offsets from c0; -1 for none
	dateH, revenueH, storeH   string
}

func layOut(spec Spec, header []string) (layout, error) {
	l := layout{c0: -1, c1: -1, revenue: -1, store: -1}
	for _, h := range spec.Headers {
		i := slices.Index(header, h)
		if i < 0 {
			return l, fmt.Errorf("tab %q has no header %q: prepare the table first", spec.Tab, h)
		}
		if l.c0 < 0 || i < l.c0 {
			l.c0 = i
		}
		l.c1 = max(l.c1, i)
	}
	off := func(h string) int {
		if h == "" {
			return -1
		}
		return slices.Index(header, h) - l.c0
	}
	l.date, l.revenue, l.store, l.key = off(spec.Date), off(spec.Revenue), off(spec.Store), off(spec.Key)
	l.dateH, l.revenueH, l.storeH = spec.Date, spec.Revenue, spec.Store
	if l.date < 0 || l.key < 0 {
		return l, fmt.Errorf("tab %q: the destination keeps no date or key column", spec.Tab)
	}
	return l, nil
}

// today is Today's A1 (the table's header) and A2 (today's rows, newest
// first). Sheets keeps the references right when the team moves or
// inserts columns of the table.
func (l layout) today(tab string) [2]string {
	first, last := columnName(l.c0), columnName(l.c1)
	date := columnName(l.c0 + l.date)
	t := quote(tab)
	return [2]string{
		fmt.Sprintf("={%s!%s1:%s1}", t, first, last),
		fmt.Sprintf(`=IFERROR(SORT(FILTER(%s!%s2:%s, INT(%s!%s2:%s)=TODAY()), %d, FALSE), "No order yet today")`,
			t, first, last, t, date, date, l.date+1),
	}
}

// pivot is Summary's pivot table: by store (when kept) and by day,
// newest day first, revenue summed and orders counted.
func (l layout) pivot(sheetID int64) *sheets.PivotTable {
	p := &sheets.PivotTable{
		Source: &sheets.GridRange{SheetId: sheetID, StartColumnIndex: int64(l.c0), EndColumnIndex: int64(l.c1 + 1),
			ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}},
		ValueLayout: "HORIZONTAL",
	}
	if l.store >= 0 {
		p.Rows = append(p.Rows, &sheets.PivotGroup{SourceColumnOffset: int64(l.store), SortOrder: "ASCENDING", ShowTotals: true,
			ForceSendFields: []string{"SourceColumnOffset"}})
	}
	p.Rows = append(p.Rows, &sheets.PivotGroup{SourceColumnOffset: int64(l.date), SortOrder: "DESCENDING", ShowTotals: true,
		GroupRule:       &sheets.PivotGroupRule{DateTimeRule: &sheets.DateTimeRule{Type: "YEAR_MONTH_DAY"}},
		ForceSendFields: []string{"SourceColumnOffset"}})
	if l.revenue >= 0 {
		p.Values = append(p.Values, &sheets.PivotValue{SourceColumnOffset: int64(l.revenue), SummarizeFunction: "SUM", Name: "revenue",
			ForceSendFields: []string{"SourceColumnOffset"}})
	}
	p.Values = append(p.Values, &sheets.PivotValue{SourceColumnOffset: int64(l.key), SummarizeFunction: "COUNTA", Name: "orders",
		ForceSendFields: []string{"SourceColumnOffset"}})
	return p
}

func (l layout) summaryText() string {
	by := "day"
	if l.store >= 0 {
		by = l.storeH + " and day"
	}
	what := "order count"
	if l.revenue >= 0 {
		what = "revenue (" + l.revenueH + ") and order count"
	}
	return what + " by " + by
}

func addSheet(id int64, title string) *sheets.Request {
	return &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{SheetId: id, Title: title,
		ForceSendFields: []string{"SheetId"}}}}
}

func formulaRow(f string) *sheets.RowData {
	return &sheets.RowData{Values: []*sheets.CellData{{UserEnteredValue: &sheets.ExtendedValue{FormulaValue: &f}}}}
}

func cells(sheetID int64, rows ...*sheets.RowData) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start:  &sheets.GridCoordinate{SheetId: sheetID, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		Rows:   rows,
		Fields: "userEnteredValue",
	}}
}

func pivotCell(sheetID int64, p *sheets.PivotTable) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start:  &sheets.GridCoordinate{SheetId: sheetID, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{PivotTable: p}}}},
		Fields: "pivotTable",
	}}
}

// quote is a tab's title as a formula or A1 range names it.
func quote(title string) string { return "'" + strings.ReplaceAll(title, "'", "''") + "'" }

// columnName is the A1 letters of a 0-based column.
func columnName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}
