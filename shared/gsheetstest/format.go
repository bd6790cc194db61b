package gsheetstest

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/sheets/v4"
)

// defaultPatterns are the patterns Google uses for a number format that has a
// type but no pattern, in the en_US locale of a new spreadsheet.
var defaultPatterns = map[string]string{
	"NUMBER":     "#,##0.00",
	"PERCENT":    "0.00%",
	"CURRENCY":   `"$"#,##0.00`,
	"DATE":       "M/d/yyyy",
	"TIME":       "h:mm:ss am/pm",
	"DATE_TIME":  "M/d/yyyy H:mm:ss",
	"SCIENTIFIC": "0.00E+00",
}

// validNumberFormatTypes are the values of NumberFormat.type Google accepts.
var validNumberFormatTypes = map[string]bool{
	"NUMBER_FORMAT_TYPE_UNSPECIFIED": true, "TEXT": true, "NUMBER": true, "PERCENT": true,
	"CURRENCY": true, "DATE": true, "TIME": true, "DATE_TIME": true, "SCIENTIFIC": true,
}

func effectivePattern(nf *sheets.NumberFormat) string {
	if nf == nil {
		return ""
	}
	if nf.Pattern != "" {
		return nf.Pattern
	}
	return defaultPatterns[nf.Type]
}

// isDateFormat reports whether numbers in this format are dates, times or both.
func isDateFormat(nf *sheets.NumberFormat) bool {
	if nf == nil {
		return false
	}
	switch nf.Type {
	case "DATE", "TIME", "DATE_TIME":
		return true
	}
	p := compilePattern(effectivePattern(nf))
	return p != nil && len(p.sections) > 0 && p.sections[0].date
}

// formatNumber renders v as Google Sheets displays it in a cell with format nf.
// A pattern the emulator does not understand renders as the plain number.
func formatNumber(v float64, nf *sheets.NumberFormat) string {
	p := compilePattern(effectivePattern(nf))
	if p == nil {
		return formatGeneral(v)
	}
	return p.format(v)
}

// formatGeneral renders a number without a format, as Sheets' automatic
// format does: integers in full, fractions to at most 10 decimal places and
// 15 significant digits, very large or small magnitudes in scientific form.
func formatGeneral(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e15 || a < 1e-10 {
		s := strconv.FormatFloat(v, 'E', 5, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		sign, digits := exp[:1], strings.TrimLeft(exp[1:], "0")
		for len(digits) < 2 {
			digits = "0" + digits
		}
		return mant + "E" + sign + digits
	}
	intDigits := len(strconv.FormatFloat(math.Trunc(a), 'f', 0, 64))
	if math.Trunc(a) == 0 {
		intDigits = 0
	}
	decimals := min(10, max(0, 15-intDigits))
	ip, fp := roundDecimal(a, decimals)
	fp = strings.TrimRight(fp, "0")
	s := ip
	if fp != "" {
		s += "." + fp
	}
	if v < 0 && s != "0" {
		s = "-" + s
	}
	return s
}

// roundDecimal rounds a non-negative x half away from zero to d decimal
// places, working on its shortest decimal form so that 1.005 rounds as a
// person expects, and returns the integer and fraction digits.
func roundDecimal(x float64, d int) (string, string) {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) <= d {
		return ip, fp + strings.Repeat("0", d-len(fp))
	}
	up := fp[d] >= '5'
	digits := []byte(ip + fp[:d])
	if up {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	n := len(digits) - d
	return string(digits[:n]), string(digits[n:])
}

type tokKind uint8

const (
	tLit tokKind = iota
	tDigit
	tPoint
	tComma
	tPercent
	tExp
	tDate
	tAmPm
	tText
)

type fmtTok struct {
	kind tokKind
	text string
}

type fmtSection struct {
	toks []fmtTok
	date bool
}

type numPattern struct{ sections []fmtSection }

var patternCache sync.Map // string → *numPattern (nil for unsupported)

// compilePattern parses a Sheets number format pattern, or returns nil for an
// empty or unsupported one.
func compilePattern(pattern string) *numPattern {
	if pattern == "" {
		return nil
	}
	if p, ok := patternCache.Load(pattern); ok {
		return p.(*numPattern)
	}
	p := parsePattern(pattern)
	patternCache.Store(pattern, p)
	return p
}

func parsePattern(pattern string) *numPattern {
	var p numPattern
	for _, sec := range splitSections(pattern) {
		toks, ok := tokenize(sec)
		if !ok {
			return nil
		}
		s := fmtSection{toks: toks}
		for _, t := range toks {
			if t.kind == tDate || t.kind == tAmPm {
				s.date = true
			}
		}
		p.sections = append(p.sections, s)
	}
	return &p
}

// splitSections splits a pattern at the semicolons outside quotes.
func splitSections(p string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '"':
			quoted = !quoted
		case '\\':
			i++
		case ';':
			if !quoted {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

func tokenize(sec string) ([]fmtTok, bool) {
	var toks []fmtTok
	lit := func(s string) { toks = append(toks, fmtTok{tLit, s}) }
	for i := 0; i < len(sec); i++ {
		c := sec[i]
		switch {
		case c == '"':
			j := strings.IndexByte(sec[i+1:], '"')
			if j < 0 {
				return nil, false
			}
			lit(sec[i+1 : i+1+j])
			i += j + 1
		case c == '\\':
			if i+1 < len(sec) {
				lit(sec[i+1 : i+2])
				i++
			}
		case c == '[':
			j := strings.IndexByte(sec[i:], ']')
			if j < 0 {
				return nil, false
			}
			inner := sec[i+1 : i+j]
			i += j
			switch {
			case strings.HasPrefix(inner, "$"):
				sym, _, _ := strings.Cut(inner[1:], "-")
				lit(sym)
			case isColor(inner):
			default:
				return nil, false // conditions and elapsed time are not modelled
			}
		case c == '_':
			lit(" ")
			i++
		case c == '*':
			i++
		case c == '@':
			toks = append(toks, fmtTok{tText, "@"})
		case c == '0' || c == '#' || c == '?':
			toks = append(toks, fmtTok{tDigit, string(c)})
		case c == '.':
			toks = append(toks, fmtTok{tPoint, "."})
		case c == ',':
			toks = append(toks, fmtTok{tComma, ","})
		case c == '%':
			toks = append(toks, fmtTok{tPercent, "%"})
		case (c == 'E' || c == 'e') && i+1 < len(sec) && (sec[i+1] == '+' || sec[i+1] == '-'):
			toks = append(toks, fmtTok{tExp, sec[i : i+2]})
			i++
		case strings.HasPrefix(strings.ToLower(sec[i:]), "am/pm"):
			toks = append(toks, fmtTok{tAmPm, "am/pm"})
			i += 4
		case strings.HasPrefix(strings.ToLower(sec[i:]), "a/p"):
			toks = append(toks, fmtTok{tAmPm, sec[i : i+3]})
			i += 2
		case strings.IndexByte("yYmMdDhHsS", c) >= 0:
			j := i + 1
			for j < len(sec) && lower(sec[j]) == lower(c) {
				j++
			}
			toks = append(toks, fmtTok{tDate, strings.ToLower(sec[i:j])})
			i = j - 1
		default:
			lit(sec[i : i+1])
		}
	}
	return toks, true
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func isColor(s string) bool {
	switch strings.ToLower(s) {
	case "black", "white", "red", "green", "blue", "yellow", "magenta", "cyan":
		return true
	}
	return strings.HasPrefix(strings.ToLower(s), "color")
}

func (p *numPattern) format(v float64) string {
	secs := p.sections
	switch {
	case len(secs) >= 3 && v == 0:
		return secs[2].render(0, false)
	case len(secs) >= 2 && v < 0:
		return secs[1].render(-v, false)
	default:
		return secs[0].render(v, true)
	}
}

func (s *fmtSection) render(v float64, signed bool) string {
	if s.date {
		return s.renderDate(v)
	}
	hasDigits := false
	for _, t := range s.toks {
		if t.kind == tDigit {
			hasDigits = true
		}
	}
	if !hasDigits {
		hasText := false
		var b strings.Builder
		for _, t := range s.toks {
			if t.kind == tText {
				hasText = true
			}
			if t.kind == tLit || t.kind == tPercent {
				b.WriteString(t.text)
			}
		}
		if hasText || b.Len() == 0 {
			return formatGeneral(v) // "@" and empty sections show the number itself
		}
		return b.String()
	}
	out := s.renderNumber(math.Abs(v))
	if signed && v < 0 && strings.ContainsAny(out, "123456789") {
		out = "-" + out
	}
	return out
}

// renderNumber lays out a non-negative number. Literals between the first and
// the last digit placeholder are dropped: gsheetstest supports prefixes and
// suffixes, not patterns such as 000-000.
func (s *fmtSection) renderNumber(v float64) string {
	first, last := -1, -1
	for i, t := range s.toks {
		if t.kind == tDigit || t.kind == tPoint || t.kind == tExp {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	// Commas right after the last integer placeholder scale by 1000.
	for last+1 < len(s.toks) && s.toks[last+1].kind == tComma {
		last++
	}
	var (
		intZeros, decMin, decMax, expDigits, scale, percent int
		group, point, sci                                   bool
		expSign                                             string
		seenDigit                                           bool
	)
	for i, t := range s.toks {
		if t.kind == tPercent {
			percent++
		}
		if i < first || i > last {
			continue
		}
		switch t.kind {
		case tDigit:
			seenDigit = true
			switch {
			case sci:
				expDigits++
			case point:
				decMax++
				if t.text == "0" {
					decMin = decMax
				}
			case t.text == "0":
				intZeros++
			}
		case tPoint:
			point = true
		case tComma:
			if point || sci {
				continue
			}
			if nextIsDigit(s.toks[i+1:last+1]) && seenDigit {
				group = true
			} else if !nextIsDigit(s.toks[i+1 : last+1]) {
				scale++
			}
		case tExp:
			sci, expSign = true, t.text[1:]
		}
	}
	v = v * math.Pow(100, float64(percent)) / math.Pow(1000, float64(scale))
	exp := 0
	if sci && v != 0 {
		exp = int(math.Floor(math.Log10(v)))
		v /= math.Pow(10, float64(exp))
		if ip, _ := roundDecimal(v, decMax); ip == "10" {
			v /= 10
			exp++
		}
	}
	ip, fp := roundDecimal(v, decMax)
	for len(fp) > decMin && strings.HasSuffix(fp, "0") {
		fp = fp[:len(fp)-1]
	}
	if ip == "0" && intZeros == 0 {
		ip = ""
	}
	for len(ip) < intZeros {
		ip = "0" + ip
	}
	if group {
		ip = groupThousands(ip)
	}
	var b strings.Builder
	for _, t := range s.toks[:first] {
		if t.kind != tText && t.kind != tComma {
			b.WriteString(t.text)
		}
	}
	b.WriteString(ip)
	if point {
		b.WriteString("." + fp)
	}
	if sci {
		sign := "+"
		if exp < 0 {
			sign = "-"
		} else if expSign == "-" {
			sign = ""
		}
		e := strconv.Itoa(abs(exp))
		for len(e) < expDigits {
			e = "0" + e
		}
		b.WriteString("E" + sign + e)
	}
	for _, t := range s.toks[last+1:] {
		if t.kind != tText && t.kind != tComma && t.kind != tDigit {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

func nextIsDigit(toks []fmtTok) bool {
	for _, t := range toks {
		switch t.kind {
		case tDigit:
			return true
		case tPoint, tExp:
			return false
		}
	}
	return false
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	b.WriteString(s[:pre])
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// serialEpoch is day zero of spreadsheet serial numbers.
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func serialToTime(v float64, unit time.Duration) time.Time {
	d := time.Duration(math.Round(v * float64(24*time.Hour) / float64(unit)))
	return serialEpoch.Add(d * unit)
}

func timeToSerial(t time.Time) float64 {
	return float64(t.Sub(serialEpoch)) / float64(24*time.Hour)
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// renderDate renders a serial number with the date and time tokens of s. An
// "m" is a minute when it follows an hour or precedes a second, else a month.
func (s *fmtSection) renderDate(v float64) string {
	twelve, fraction := false, 0
	for i, t := range s.toks {
		if t.kind == tAmPm {
			twelve = true
		}
		if t.kind == tPoint && i > 0 && s.toks[i-1].kind == tDate && s.toks[i-1].text[0] == 's' {
			for _, u := range s.toks[i+1:] {
				if u.kind != tDigit {
					break
				}
				fraction++
			}
		}
	}
	unit := time.Second
	if fraction > 0 {
		unit = time.Millisecond
	}
	t := serialToTime(v, unit)
	var b strings.Builder
	for i := 0; i < len(s.toks); i++ {
		tk := s.toks[i]
		switch tk.kind {
		case tDate:
			n := len(tk.text)
			switch tk.text[0] {
			case 'y':
				if n <= 2 {
					b.WriteString(pad2(t.Year() % 100))
				} else {
					b.WriteString(strconv.Itoa(t.Year()))
				}
			case 'm':
				if s.isMinute(i) {
					b.WriteString(padN(t.Minute(), n))
					continue
				}
				switch {
				case n <= 2:
					b.WriteString(padN(int(t.Month()), n))
				case n == 3:
					b.WriteString(monthNames[t.Month()-1][:3])
				case n == 4:
					b.WriteString(monthNames[t.Month()-1])
				default:
					b.WriteString(monthNames[t.Month()-1][:1])
				}
			case 'd':
				switch {
				case n <= 2:
					b.WriteString(padN(t.Day(), n))
				case n == 3:
					b.WriteString(t.Weekday().String()[:3])
				default:
					b.WriteString(t.Weekday().String())
				}
			case 'h':
				h := t.Hour()
				if twelve {
					h %= 12
					if h == 0 {
						h = 12
					}
				}
				b.WriteString(padN(h, n))
			case 's':
				b.WriteString(padN(t.Second(), n))
			}
		case tAmPm:
			pm := t.Hour() >= 12
			switch {
			case tk.text == "am/pm" && pm:
				b.WriteString("PM")
			case tk.text == "am/pm":
				b.WriteString("AM")
			default: // a/p keeps the case it was written in
				c := tk.text[0]
				if pm {
					c = tk.text[2]
				}
				b.WriteByte(c)
			}
		case tPoint:
			if fraction > 0 && i > 0 && s.toks[i-1].kind == tDate && s.toks[i-1].text[0] == 's' {
				ms := padN(t.Nanosecond()/int(time.Millisecond), 3)
				b.WriteString("." + ms[:min(fraction, 3)])
				i += fraction
				continue
			}
			b.WriteString(".")
		case tText, tExp:
		default:
			b.WriteString(tk.text)
		}
	}
	return b.String()
}

func (s *fmtSection) isMinute(i int) bool {
	for j := i - 1; j >= 0; j-- {
		if s.toks[j].kind == tDate {
			if s.toks[j].text[0] == 'h' {
				return true
			}
			break
		}
	}
	for j := i + 1; j < len(s.toks); j++ {
		if s.toks[j].kind == tDate {
			return s.toks[j].text[0] == 's'
		}
	}
	return false
}

func pad2(n int) string { return padN(n, 2) }

func padN(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
