package graphtest

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// cell is one cell of a worksheet: a value (string, float64 or bool, nil
// when empty), the formula it came from, its number format, and whether
// it was typed with a leading apostrophe (Excel's quotePrefix).
type cell struct {
	value   any
	formula string
	format  string
	quoted  bool
}

func (c cell) empty() bool { return c.value == nil && c.formula == "" }

// typed is what Excel stores when a person types s in a cell, which is
// what Graph's workbook API does with every string it is given in values
// (range update, rows/add, columns/add):
//
//   - a leading apostrophe makes the rest text, the apostrophe itself not
//     stored (it becomes the cell's quotePrefix);
//   - a leading = starts a formula; so does a leading + or - that is not a
//     number, and a leading @ (older Excel's way in to a function);
//   - TRUE and FALSE, in any case, are booleans;
//   - numbers as an en-US user types them: "0012" is 12, "1,000" 1000,
//     "12%" 0.12, "$5" 5, "1e3" 1000, "(5)" -5;
//   - dates and times ("2024-01-02", "1/2/2024", "2024-01-02 10:30") are
//     date serials;
//   - anything else is text.
//
// The formula is evaluated as far as the emulator knows functions:
// HYPERLINK shows its label; any other one is #NAME?.
func typed(s string) cell {
	if s == "" {
		return cell{}
	}
	if s[0] == '\'' {
		return cell{value: s[1:], quoted: true}
	}
	if s[0] == '=' && len(s) > 1 {
		return formula(s)
	}
	if v, ok := number(s); ok {
		return cell{value: v}
	}
	if (s[0] == '+' || s[0] == '-' || s[0] == '@') && len(s) > 1 {
		return formula("=" + s[1:])
	}
	switch strings.ToUpper(s) {
	case "TRUE":
		return cell{value: true}
	case "FALSE":
		return cell{value: false}
	}
	if v, ok := date(s); ok {
		return cell{value: v}
	}
	return cell{value: s}
}

// formula evaluates the few functions the emulator knows.
func formula(f string) cell {
	c := cell{formula: f, value: "#NAME?"}
	up := strings.ToUpper(f)
	if strings.HasPrefix(up, "=HYPERLINK(") && strings.HasSuffix(f, ")") {
		args := strings.Split(f[len("=HYPERLINK("):len(f)-1], ",")
		label := strings.TrimSpace(args[len(args)-1])
		c.value = strings.Trim(label, `"`)
	}
	return c
}

// number parses s as Excel does a typed number, or reports false.
func number(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, t[1:len(t)-1]
	}
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	if strings.HasPrefix(t, "-") {
		neg, t = !neg, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	t = strings.TrimPrefix(t, "$")
	if t == "" || strings.ContainsAny(t, " \t") {
		return 0, false
	}
	if strings.Contains(t, ",") {
		// Grouping: digits in threes after the first comma.
		parts := strings.Split(strings.SplitN(t, ".", 2)[0], ",")
		for i, p := range parts[1:] {
			if len(p) != 3 || i == 0 && parts[0] == "" {
				return 0, false
			}
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") || strings.EqualFold(t, "infinity") || strings.EqualFold(t, "nan") {
		return 0, false
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	if pct {
		v /= 100
	}
	if neg {
		v = -v
	}
	return v, true
}

var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "1/2/2006", "1/2/2006 15:04", "15:04", "15:04:05", "2-Jan-2006", "2-Jan"}

// epoch is day 0 of Excel's 1900 date system, as it counts from March 1900.
var epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func date(s string) (float64, bool) {
	for _, l := range dateLayouts {
		t, err := time.Parse(l, strings.TrimSpace(s))
		if err != nil {
			continue
		}
		if l == "2-Jan" {
			t = t.AddDate(time.Now().Year(), 0, 0)
		}
		if l == "15:04" || l == "15:04:05" {
			return float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400, true
		}
		return Serial(t), true
	}
	return 0, false
}

// Serial is the Excel date serial of t's wall clock.
func Serial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return wall.Sub(epoch).Hours() / 24
}

// text is the cell as Excel shows it: its value through its number
// format (the formats Safeview writes, and General).
func (c cell) text() string {
	switch v := c.value.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case float64:
		return formatNumber(v, c.format)
	}
	return ""
}

// formatNumber applies the parts of Excel's number format codes that
// Safeview uses: grouping, decimals, a quoted literal, and dates.
func formatNumber(v float64, f string) string {
	if f == "" || strings.EqualFold(f, "General") || f == "@" {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if strings.ContainsAny(f, "yd") || strings.Contains(f, "hh") {
		t := epoch.Add(time.Duration(math.Round(v*86400)) * time.Second)
		r := strings.NewReplacer("yyyy", "2006", "mm", "01", "dd", "02", "hh", "15", "ss", "05")
		layout := r.Replace(f)
		if i := strings.Index(f, "hh"); i >= 0 {
			// mm after hh is minutes.
			j := strings.Index(layout[i:], ":01")
			if j >= 0 {
				layout = layout[:i+j] + ":04" + layout[i+j+3:]
			}
		}
		return t.Format(layout)
	}
	lit := ""
	if i := strings.Index(f, `"`); i >= 0 {
		lit, f = f[i:], f[:i]
		lit = strings.ReplaceAll(lit, `"`, "")
	}
	f = strings.TrimSpace(f)
	places := 0
	if i := strings.Index(f, "."); i >= 0 {
		places = len(f) - i - 1
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', places, 64)
	if strings.Contains(f, ",") {
		whole, frac, _ := strings.Cut(s, ".")
		var b strings.Builder
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		s = b.String()
		if frac != "" {
			s += "." + frac
		}
	}
	if v < 0 {
		s = "-" + s
	}
	if lit != "" {
		s += " " + strings.TrimSpace(lit)
	}
	return s
}
