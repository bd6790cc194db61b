package gsheetstest

import (
	"testing"

	"google.golang.org/api/sheets/v4"
)

func TestFormatNumber(t *testing.T) {
	pat := func(p string) *sheets.NumberFormat { return &sheets.NumberFormat{Type: "NUMBER", Pattern: p} }
	typ := func(t string) *sheets.NumberFormat { return &sheets.NumberFormat{Type: t} }
	// 45931.5625 is 2025-10-01 13:30:00.
	const when = 45931.5625
	tests := []struct {
		v    float64
		nf   *sheets.NumberFormat
		want string
	}{
		{1234.5, pat("#,##0.00"), "1,234.50"},
		{-1234.5, pat("#,##0.00"), "-1,234.50"},
		{1234567.891, pat("#,##0.00"), "1,234,567.89"},
		{0.125, pat("0.00"), "0.13"},
		{1.005, pat("0.00"), "1.01"},
		{2.5, pat("0"), "3"},
		{-0.001, pat("0.00"), "0.00"},
		{42, pat("0.00"), "42.00"},
		{999.999, pat("#,##0.00"), "1,000.00"},
		{1234.5, pat(`#,##0.00 "EUR"`), "1,234.50 EUR"},
		{1234.5, pat("[$€]#,##0.00"), "€1,234.50"},
		{-1234.5, pat("[$€-407]#,##0.00"), "-€1,234.50"},
		{1234.5, pat(`"$"#,##0.00`), "$1,234.50"},
		{5, pat("0.0#"), "5.0"},
		{5.25, pat("0.0#"), "5.25"},
		{0.5, pat("#.00"), ".50"},
		{0.1234, pat("0.00%"), "12.34%"},
		{1234567, pat("#,##0,"), "1,235"},
		{-5, pat("0.00;(0.00)"), "(5.00)"},
		{0, pat(`0.00;(0.00);"zero"`), "zero"},
		{12345, pat("0.00E+00"), "1.23E+04"},
		{0.00012, pat("0.00E+00"), "1.20E-04"},
		{7, pat("000"), "007"},
		{7, pat(`\#0`), "#7"},
		{1234.5, typ("NUMBER"), "1,234.50"},
		{0.25, typ("PERCENT"), "25.00%"},
		{1234.5, typ("CURRENCY"), "$1,234.50"},
		{-3, typ("CURRENCY"), "-$3.00"},
		{when, typ("DATE"), "10/1/2025"},
		{when, typ("TIME"), "1:30:00 PM"},
		{when, typ("DATE_TIME"), "10/1/2025 13:30:00"},
		{12345, typ("SCIENTIFIC"), "1.23E+04"},
		{12.5, typ("TEXT"), "12.5"},
		{when, pat("yyyy-mm-dd hh:mm"), "2025-10-01 13:30"},
		{when, pat("yyyy-mm-dd"), "2025-10-01"},
		{when, pat("hh:mm:ss"), "13:30:00"},
		{when, pat("h:mm am/pm"), "1:30 PM"},
		{when, pat("h:mm a/p"), "1:30 p"},
		{when, pat("dd mmm yy"), "01 Oct 25"},
		{when, pat("dddd, mmmm d"), "Wednesday, October 1"},
		{when, pat("mm/dd/yyyy"), "10/01/2025"},
		{45931.000011574, pat("hh:mm:ss"), "00:00:01"},
		{45931.99999999, pat("yyyy-mm-dd hh:mm:ss"), "2025-10-02 00:00:00"},
		{45931.5000058, pat("hh:mm:ss.000"), "12:00:00.501"},
		{1234.5, pat("[>100]0"), "1234.5"},
		{1234.5, pat("[h]:mm"), "1234.5"},
		{1234.5, nil, "1234.5"},
		{1.0 / 3, nil, "0.3333333333"},
		{0.1 + 0.2, nil, "0.3"},
		{-42, nil, "-42"},
		{1e20, nil, "1E+20"},
		{123456789012345, nil, "123456789012345"},
		{1.5e-12, nil, "1.5E-12"},
	}
	for _, tt := range tests {
		name := "general"
		if tt.nf != nil {
			name = tt.nf.Type + " " + tt.nf.Pattern
		}
		t.Run(name, func(t *testing.T) {
			if got := formatNumber(tt.v, tt.nf); got != tt.want {
				t.Errorf("formatNumber(%v, %q) = %q, want %q", tt.v, name, got, tt.want)
			}
		})
	}
}

func TestParseUserEntered(t *testing.T) {
	tests := []struct {
		in      string
		old     *sheets.NumberFormat
		want    value
		wantFmt string // "type pattern" of the detected format, "" for none
	}{
		{"hello", nil, value{kind: kindString, str: "hello"}, ""},
		{"0012", nil, value{kind: kindNumber, num: 12}, ""},
		{"-1.5", nil, value{kind: kindNumber, num: -1.5}, ""},
		{" 42 ", nil, value{kind: kindNumber, num: 42}, ""},
		{"1,234.50", nil, value{kind: kindNumber, num: 1234.5}, "NUMBER #,##0.00"},
		{"12,34", nil, value{kind: kindString, str: "12,34"}, ""},
		{"$1,234.5", nil, value{kind: kindNumber, num: 1234.5}, `CURRENCY "$"#,##0.00`},
		{"-$3", nil, value{kind: kindNumber, num: -3}, `CURRENCY "$"#,##0.00`},
		{"12%", nil, value{kind: kindNumber, num: 0.12}, "PERCENT 0%"},
		{"1e3", nil, value{kind: kindNumber, num: 1000}, "SCIENTIFIC 0.00E+00"},
		{"TRUE", nil, value{kind: kindBool, b: true}, ""},
		{"false", nil, value{kind: kindBool}, ""},
		{"=1+1", nil, value{kind: kindFormula, str: "=1+1"}, ""},
		{"=", nil, value{kind: kindString, str: "="}, ""},
		{"'=1+1", nil, value{kind: kindString, str: "=1+1"}, ""},
		{"'0012", nil, value{kind: kindString, str: "0012"}, ""},
		{"2025-10-01", nil, value{kind: kindNumber, num: 45931}, "DATE yyyy-mm-dd"},
		{"2025-10-01 13:30", nil, value{kind: kindNumber, num: 45931.5625}, "DATE_TIME yyyy-mm-dd hh:mm"},
		{"10/1/2025", nil, value{kind: kindNumber, num: 45931}, "DATE M/d/yyyy"},
		{"13:30", nil, value{kind: kindNumber, num: 0.5625}, "TIME hh:mm"},
		{"2025-02-30", nil, value{kind: kindString, str: "2025-02-30"}, ""},
		{"0012", &sheets.NumberFormat{Type: "TEXT"}, value{kind: kindString, str: "0012"}, ""},
		{"=1+1", &sheets.NumberFormat{Type: "TEXT"}, value{kind: kindString, str: "=1+1"}, ""},
		{"2025-10-01", &sheets.NumberFormat{Type: "DATE", Pattern: "d mmm"}, value{kind: kindNumber, num: 45931}, ""},
		{"", nil, value{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, nf := parseUserEntered(tt.in, tt.old)
			gotFmt := ""
			if nf != nil {
				gotFmt = nf.Type + " " + nf.Pattern
			}
			if got != tt.want || gotFmt != tt.wantFmt {
				t.Errorf("parseUserEntered(%q) = %+v, %q; want %+v, %q", tt.in, got, gotFmt, tt.want, tt.wantFmt)
			}
		})
	}
}

func FuzzFormatNumber(f *testing.F) {
	f.Add(1234.5, "#,##0.00")
	f.Add(45931.5, "yyyy-mm-dd hh:mm")
	f.Add(-1.0, `0.0;(0.0);"-"`)
	f.Fuzz(func(t *testing.T, v float64, pattern string) {
		_ = formatNumber(v, &sheets.NumberFormat{Type: "NUMBER", Pattern: pattern})
	})
}
