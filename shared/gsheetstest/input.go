package gsheetstest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// inputOption is how values written through the values API are interpreted.
type inputOption int

const (
	inputRaw inputOption = iota
	inputUserEntered
)

// toCell turns one JSON value of a values write into the cell's new value and,
// for USER_ENTERED input that Sheets recognises as a currency, percentage,
// date or time, the number format Sheets would apply. skip reports a JSON null:
// the cell is left as it is.
func toCell(x any, opt inputOption, old *sheets.NumberFormat) (v value, nf *sheets.NumberFormat, skip bool, err error) {
	switch x := x.(type) {
	case nil:
		return value{}, nil, true, nil
	case bool:
		return value{kind: kindBool, b: x}, nil, false, nil
	case float64:
		return value{kind: kindNumber, num: x}, nil, false, nil
	case string:
		if len([]rune(x)) > maxCharsPerCell {
			return value{}, nil, false, invalidArgument("Your input contains more than the maximum of %d characters in a single cell.", maxCharsPerCell)
		}
		if opt == inputRaw {
			if x == "" {
				return value{}, nil, false, nil
			}
			return value{kind: kindString, str: x}, nil, false, nil
		}
		v, nf := parseUserEntered(x, old)
		return v, nf, false, nil
	case []any:
		return value{}, nil, false, fmt.Errorf("list_value")
	case map[string]any:
		return value{}, nil, false, fmt.Errorf("struct_value")
	}
	return value{}, nil, false, fmt.Errorf("unsupported value")
}

var (
	numberRE   = regexp.MustCompile(`^([+-]?)(\$?)([+-]?)(\d+(?:,\d{3})*|\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(%?)$`)
	isoDateRE  = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	usDateRE   = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)
	timeOnlyRE = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::(\d{2}))?$`)
)

// parseUserEntered interprets text as if a person typed it into a cell of an
// en_US spreadsheet: a leading ' forces text, = starts a formula, TRUE and
// FALSE are booleans, and numbers, currencies, percentages, ISO and US dates
// and times become numbers. A cell formatted as TEXT keeps the text as is.
func parseUserEntered(s string, old *sheets.NumberFormat) (value, *sheets.NumberFormat) {
	switch {
	case s == "":
		return value{}, nil
	case old != nil && old.Type == "TEXT":
		return value{kind: kindString, str: s}, nil
	case s[0] == '\'':
		if s == "'" {
			return value{}, nil
		}
		return value{kind: kindString, str: s[1:]}, nil
	case s[0] == '=' && len(s) > 1:
		return value{kind: kindFormula, str: s}, nil
	}
	t := strings.TrimSpace(s)
	switch strings.ToUpper(t) {
	case "TRUE":
		return value{kind: kindBool, b: true}, nil
	case "FALSE":
		return value{kind: kindBool, b: false}, nil
	}
	if v, nf, ok := parseNumberText(t); ok {
		return value{kind: kindNumber, num: v}, keepCompatible(old, nf)
	}
	if v, nf, ok := parseDateText(t); ok {
		return value{kind: kindNumber, num: v}, keepCompatible(old, nf)
	}
	return value{kind: kindString, str: s}, nil
}

// keepCompatible returns the format to store: nil keeps the cell's format,
// which happens when nothing was detected or the cell already has a format of
// the detected kind.
func keepCompatible(old, detected *sheets.NumberFormat) *sheets.NumberFormat {
	if detected == nil || (old != nil && old.Type == detected.Type) {
		return nil
	}
	return detected
}

func parseNumberText(t string) (float64, *sheets.NumberFormat, bool) {
	m := numberRE.FindStringSubmatch(t)
	if m == nil || (m[1] != "" && m[3] != "") || (m[4] == "" && m[5] == "") {
		return 0, nil, false
	}
	sign, currency, digits, frac, exp, percent := m[1]+m[3], m[2] != "", m[4], m[5], m[6], m[7] != ""
	if digits == "" {
		digits = "0"
	}
	text := strings.ReplaceAll(digits, ",", "") + "." + frac + "0"
	if exp != "" {
		text += "e" + exp
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, nil, false
	}
	if sign == "-" {
		v = -v
	}
	switch {
	case percent:
		if currency || exp != "" {
			return 0, nil, false
		}
		p := "0%"
		if frac != "" {
			p = "0.00%"
		}
		return v / 100, &sheets.NumberFormat{Type: "PERCENT", Pattern: p}, true
	case currency:
		return v, &sheets.NumberFormat{Type: "CURRENCY", Pattern: `"$"#,##0.00`}, true
	case exp != "":
		return v, &sheets.NumberFormat{Type: "SCIENTIFIC", Pattern: "0.00E+00"}, true
	case strings.Contains(digits, ","):
		p := "#,##0"
		if frac != "" {
			p += "." + strings.Repeat("0", len(frac))
		}
		return v, &sheets.NumberFormat{Type: "NUMBER", Pattern: p}, true
	}
	return v, nil, true
}

// parseDateText recognises ISO dates with an optional time, US dates and
// times of day, and picks a pattern that shows them as they were typed.
func parseDateText(t string) (float64, *sheets.NumberFormat, bool) {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	hourPattern := func(h string) string {
		if len(h) == 2 {
			return "hh"
		}
		return "h"
	}
	if m := isoDateRE.FindStringSubmatch(t); m != nil {
		y, mo, d := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if !validDate(y, mo, d) {
			return 0, nil, false
		}
		if m[4] == "" {
			return timeToSerial(time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)), &sheets.NumberFormat{Type: "DATE", Pattern: "yyyy-mm-dd"}, true
		}
		h, mi, sec := atoi(m[4]), atoi(m[5]), atoi(m[6])
		if h > 23 || mi > 59 || sec > 59 {
			return 0, nil, false
		}
		p := "yyyy-mm-dd " + hourPattern(m[4]) + ":mm"
		if m[6] != "" {
			p += ":ss"
		}
		return timeToSerial(time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)), &sheets.NumberFormat{Type: "DATE_TIME", Pattern: p}, true
	}
	if m := usDateRE.FindStringSubmatch(t); m != nil {
		mo, d, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if !validDate(y, mo, d) {
			return 0, nil, false
		}
		return timeToSerial(time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)), &sheets.NumberFormat{Type: "DATE", Pattern: "M/d/yyyy"}, true
	}
	if m := timeOnlyRE.FindStringSubmatch(t); m != nil {
		h, mi, sec := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if h > 23 || mi > 59 || sec > 59 {
			return 0, nil, false
		}
		p := hourPattern(m[1]) + ":mm"
		if m[3] != "" {
			p += ":ss"
		}
		return float64(h*3600+mi*60+sec) / 86400, &sheets.NumberFormat{Type: "TIME", Pattern: p}, true
	}
	return 0, nil, false
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
