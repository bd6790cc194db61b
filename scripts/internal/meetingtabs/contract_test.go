package meetingtabs

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// reference is an A1 range on a quoted tab, as the formulas write them.
var reference = regexp.MustCompile(`'((?:[^']|'')+)'!([A-Z]+)(\d*):([A-Z]+)(\d*)`)

// The contract of the tabs with the table they read, checked through the
// API as Google would answer it (formulas are not computed here): every
// A1 reference of Today's formulas is a range Google parses, on the
// table's tab; the first spans exactly the destination's header, the
// date filter reads the date column, SORT sorts by it; the pivot table,
// which the emulator checks as Google's reference describes pivot
// tables, reads the table's tab, and its groups and values the store,
// date, revenue and key columns. With the team's own columns before the
// table too.
func TestTabsReadTheTable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	emu := gsheetstest.NewServer(t)
	svc, err := emu.Service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := example(t)
	for _, c := range []struct {
		dest string
		team []any // the team's columns before the table's
	}{
		{"lyon", nil},
		{"online", nil},
		{"lyon", []any{"notes", "checked"}},
	} {
		spec, ok := SpecFor(cfg, cfg.Destinations[c.dest])
		if !ok {
			t.Fatalf("SpecFor(%s) = false", c.dest)
		}
		name := c.dest + " after " + strconv.Itoa(len(c.team)) + " team columns"
		id := emu.CreateSpreadsheet(c.dest, spec.Tab)
		header := append(slices.Clone(c.team), anys(spec.Headers)...)
		if err := emu.SetValues(id, quote(spec.Tab)+"!A1", [][]any{append(header, "_safeview_version")}); err != nil {
			t.Fatal(err)
		}
		if _, err := Prepare(ctx, svc, id, spec); err != nil {
			t.Fatalf("%s: Prepare() error = %v", name, err)
		}
		a1, _ := emu.Cell(id, TodayTab, "A1")
		a2, _ := emu.Cell(id, TodayTab, "A2")
		refs := reference.FindAllStringSubmatch(a1.Formula+a2.Formula, -1)
		if len(refs) != 3 {
			t.Fatalf("%s: Today's formulas %q and %q hold %d references, want 3 (header, rows, dates)", name, a1.Formula, a2.Formula, len(refs))
		}
		for _, r := range refs {
			if strings.ReplaceAll(r[1], "''", "'") != spec.Tab {
				t.Errorf("%s: reference %s reads tab %q, want the table's %q", name, r[0], r[1], spec.Tab)
			}
			if _, err := svc.Spreadsheets.Values.Get(id, r[0]).Context(ctx).Do(); err != nil {
				t.Errorf("%s: reference %s: %v, want a range Google parses", name, r[0], err)
			}
		}
		// Row 1 of each reference: what it reads.
		row1 := func(r []string) []string {
			got, err := svc.Spreadsheets.Values.Get(id, quote(spec.Tab)+"!"+r[2]+"1:"+r[4]+"1").Context(ctx).Do()
			if err != nil || len(got.Values) == 0 {
				t.Fatalf("%s: header of %s: %v", name, r[0], err)
			}
			var out []string
			for _, v := range got.Values[0] {
				out = append(out, v.(string))
			}
			return out
		}
		if got := row1(refs[0]); !slices.Equal(got, spec.Headers) {
			t.Errorf("%s: Today's header %s reads %q, want %q", name, refs[0][0], got, spec.Headers)
		}
		if got := row1(refs[2]); !slices.Equal(got, []string{spec.Date}) {
			t.Errorf("%s: Today's filter %s reads %q, want the date column %q", name, refs[2][0], got, spec.Date)
		}
		by := regexp.MustCompile(`\), (\d+), FALSE\)`).FindStringSubmatch(a2.Formula)
		if n := sortColumn(by); n < 1 || n > len(spec.Headers) || spec.Headers[n-1] != spec.Date {
			t.Errorf("%s: Today sorts by column %v of %q, want %q's", name, by, spec.Headers, spec.Date)
		}

		ss, err := svc.Spreadsheets.Get(id).Ranges(quote(SummaryTab) + "!A1").IncludeGridData(true).
			Fields("sheets(properties(sheetId,title),data(rowData(values(pivotTable))))").Context(ctx).Do()
		if err != nil {
			t.Fatal(err)
		}
		p := ss.Sheets[0].Data[0].RowData[0].Values[0].PivotTable
		table, _ := svc.Spreadsheets.Get(id).Fields("sheets(properties(sheetId,title))").Context(ctx).Do()
		tableID := table.Sheets[slices.IndexFunc(table.Sheets, func(sh *sheets.Sheet) bool { return sh.Properties.Title == spec.Tab })].Properties.SheetId
		if p == nil || p.Source.SheetId != tableID {
			t.Fatalf("%s: Summary's pivot %+v, want one over the tab %q", name, p, spec.Tab)
		}
		col := func(off int64) string { return header[p.Source.StartColumnIndex+off].(string) }
		var groups, values []string
		for _, g := range p.Rows {
			groups = append(groups, col(g.SourceColumnOffset))
		}
		for _, v := range p.Values {
			values = append(values, v.SummarizeFunction+" "+col(v.SourceColumnOffset))
		}
		wantGroups := []string{spec.Date}
		if spec.Store != "" {
			wantGroups = []string{spec.Store, spec.Date}
		}
		if want := []string{"SUM " + spec.Revenue, "COUNTA " + spec.Key}; !slices.Equal(groups, wantGroups) || !slices.Equal(values, want) {
			t.Errorf("%s: Summary groups by %q and shows %q, want %q and %q", name, groups, values, wantGroups, want)
		}
	}
}

// sortColumn is the column SORT sorts by, 0 when the formula has none.
func sortColumn(m []string) int {
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func anys(s []string) []any {
	var out []any
	for _, v := range s {
		out = append(out, v)
	}
	return out
}
