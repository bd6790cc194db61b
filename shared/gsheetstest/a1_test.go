package gsheetstest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseA1(t *testing.T) {
	tests := []struct {
		in   string
		want a1Range
		ok   bool
	}{
		{"Sheet1!A1:B2", a1Range{sheet: "Sheet1", hasSheet: true, r0: 0, r1: 2, c0: 0, c1: 2}, true},
		{"'My Tab'!A:A", a1Range{sheet: "My Tab", hasSheet: true, r0: 0, r1: -1, c0: 0, c1: 1}, true},
		{"'It''s'!1:1", a1Range{sheet: "It's", hasSheet: true, r0: 0, r1: 1, c0: 0, c1: -1}, true},
		{"A5:C", a1Range{r0: 4, r1: -1, c0: 0, c1: 3}, true},
		{"A:C5", a1Range{r0: 0, r1: 5, c0: 0, c1: 3}, true},
		{"B2:5", a1Range{r0: 1, r1: 5, c0: 1, c1: -1}, true},
		{"Sheet1", a1Range{sheet: "Sheet1", hasSheet: true, r1: -1, c1: -1}, true},
		{"'Sheet 1'", a1Range{sheet: "Sheet 1", hasSheet: true, r1: -1, c1: -1}, true},
		{"A1", a1Range{r0: 0, r1: 1, c0: 0, c1: 1, cell: true}, true},
		{"a1:b2", a1Range{r0: 0, r1: 2, c0: 0, c1: 2}, true},
		{"B2:A1", a1Range{r0: 0, r1: 2, c0: 0, c1: 2}, true},
		{"$A$1:$B$2", a1Range{r0: 0, r1: 2, c0: 0, c1: 2}, true},
		{"ZZZ1", a1Range{r0: 0, r1: 1, c0: maxColumns - 1, c1: maxColumns, cell: true}, true},
		{"Sheet1!R1C1:R2C3", a1Range{sheet: "Sheet1", hasSheet: true, r0: 0, r1: 2, c0: 0, c1: 3}, true},
		{"R3C2", a1Range{r0: 2, r1: 3, c0: 1, c1: 2, cell: true}, true},
		{"a/b!A1", a1Range{sheet: "a/b", hasSheet: true, r0: 0, r1: 1, c0: 0, c1: 1, cell: true}, true},
		{"Data", a1Range{sheet: "Data", hasSheet: true, r1: -1, c1: -1}, true},
		{"", a1Range{}, false},
		{"Sheet1!", a1Range{}, false},
		{"Sheet1!A0", a1Range{}, false},
		{"Sheet1!AAAA1", a1Range{}, false},
		{"Sheet1!A1:", a1Range{}, false},
		{"Sheet1!1:A", a1Range{}, false},
		{"'unterminated!A1", a1Range{}, false},
		{"''!A1", a1Range{}, false},
		{"'x'y!A1", a1Range{}, false},
		{"Sheet1!A1:B2:C3", a1Range{}, false},
		{"Sheet1!A-1", a1Range{}, false},
		{"Sheet1!A", a1Range{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseA1(tt.in)
			if ok != tt.ok {
				t.Fatalf("parseA1(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(a1Range{})); diff != "" {
				t.Errorf("parseA1(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestColumnName(t *testing.T) {
	for in, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", maxColumns - 1: "ZZZ"} {
		if got := columnName(in); got != want {
			t.Errorf("columnName(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestQuoteSheet(t *testing.T) {
	tests := map[string]string{
		"Sheet1": "Sheet1", "Orders_2024": "Orders_2024", "My Tab": "'My Tab'", "It's": "'It''s'",
		"2024": "'2024'", "A1": "'A1'", "R1C1": "'R1C1'", "Données": "Données", "a-b": "'a-b'", "TRUE": "'TRUE'",
	}
	for in, want := range tests {
		if got := quoteSheet(in); got != want {
			t.Errorf("quoteSheet(%q) = %q, want %q", in, got, want)
		}
		a, ok := parseA1(quoteSheet(in) + "!A1")
		if !ok || a.sheet != in {
			t.Errorf("parseA1(quoteSheet(%q)+\"!A1\") = %+v, %v; want sheet %q", in, a, ok, in)
		}
	}
}

// TestRangesThroughClient checks how the real client's ranges resolve: the
// range Google returns, clipped to the grid, and Google's errors.
func TestRangesThroughClient(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Update(e.id, addSheetReq("It's", 10, 5), addSheetReq("My Tab", 20, 3)); err != nil {
		t.Fatalf("Update(addSheet) error = %v", err)
	}
	tests := []struct {
		rng, want string
		code      int
		msg       string
	}{
		{rng: "Sheet1!A1:B2", want: "Sheet1!A1:B2"},
		{rng: "sheet1!a1:b2", want: "Sheet1!A1:B2"},
		{rng: "A1:B2", want: "Sheet1!A1:B2"},
		{rng: "Sheet1", want: "Sheet1!A1:Z1000"},
		{rng: "'My Tab'!A:A", want: "'My Tab'!A1:A20"},
		{rng: "'My Tab'!B:ZZ", want: "'My Tab'!B1:C20"},
		{rng: "'It''s'!1:1", want: "'It''s'!A1:E1"},
		{rng: "'It''s'!A5:C", want: "'It''s'!A5:C10"},
		{rng: "My Tab", want: "'My Tab'!A1:C20"},
		{rng: "Sheet1!A999:B2000", want: "Sheet1!A999:B1000"},
		{rng: "Nope!A1", code: 400, msg: "Unable to parse range: Nope!A1"},
		{rng: "Sheet1!A0", code: 400, msg: "Unable to parse range: Sheet1!A0"},
		{rng: "Sheet1!A1001", code: 400, msg: "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{rng: "'My Tab'!D1:E2", code: 400, msg: "Range ('My Tab'!D1:E2) exceeds grid limits. Max rows: 20, max columns: 3"},
	}
	for _, tt := range tests {
		t.Run(tt.rng, func(t *testing.T) {
			got, err := e.svc.Spreadsheets.Values.Get(e.id, tt.rng).Do()
			if tt.code != 0 {
				code, msg := apiErr(t, err)
				if code != tt.code || msg != tt.msg {
					t.Errorf("Values.Get(%q) error = %d %q, want %d %q", tt.rng, code, msg, tt.code, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Values.Get(%q) error = %v", tt.rng, err)
			}
			if got.Range != tt.want {
				t.Errorf("Values.Get(%q).Range = %q, want %q", tt.rng, got.Range, tt.want)
			}
		})
	}
}

func FuzzParseA1(f *testing.F) {
	for _, s := range []string{"Sheet1!A1:B2", "'It''s'!1:1", "A5:C", "R1C1:R2C2", "a/b!$A$1", "ZZZ9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseA1(s)
		if !ok {
			return
		}
		if a.r0 < 0 || a.c0 < 0 || (a.r1 >= 0 && a.r1 <= a.r0) || (a.c1 >= 0 && a.c1 <= a.c0) {
			t.Errorf("parseA1(%q) = %+v, want non-empty bounds", s, a)
		}
		if a.hasSheet && a.sheet == "" {
			t.Errorf("parseA1(%q) = %+v, want a sheet name", s, a)
		}
	})
}
