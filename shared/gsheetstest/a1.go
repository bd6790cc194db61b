package gsheetstest

import (
	"strconv"
	"strings"
	"unicode"
)

// maxColumns is the number of columns a sheet may have: A through ZZZ.
const maxColumns = 18278

// maxRowNumber bounds row numbers in A1 notation; larger numbers do not parse.
const maxRowNumber = 1 << 30

// a1Range is a parsed range in A1 or R1C1 notation, not yet resolved against a
// sheet. Indexes are zero-based and half-open; an end of -1 is unbounded.
type a1Range struct {
	sheet    string // sheet title; "" when hasSheet is false
	hasSheet bool
	r0, r1   int
	c0, c1   int
	// cell is true for a single cell such as "A1": writes treat it as an anchor
	// and may extend past it, as Google does.
	cell bool
}

// parseA1 parses a range as Google accepts it; ok is false for a malformed
// range. Forms:
//
//	Sheet1!A1:B2  'My Tab'!A:A  'It''s'!1:1  A5:C  Sheet1 (the whole sheet)
//	A1:B2 (on the first sheet)  Sheet1!R1C1:R2C3
func parseA1(s string) (a1Range, bool) {
	if s == "" {
		return a1Range{}, false
	}
	if s[0] == '\'' {
		name, rest, ok := unquoteSheet(s)
		if !ok {
			return a1Range{}, false
		}
		if rest == "" {
			return a1Range{sheet: name, hasSheet: true, r1: -1, c1: -1}, true
		}
		if rest[0] != '!' {
			return a1Range{}, false
		}
		r, ok := parseCells(rest[1:])
		r.sheet, r.hasSheet = name, true
		return r, ok
	}
	if i := strings.LastIndexByte(s, '!'); i >= 0 {
		name := s[:i]
		if name == "" || strings.ContainsRune(name, '\'') {
			return a1Range{}, false
		}
		r, ok := parseCells(s[i+1:])
		r.sheet, r.hasSheet = name, true
		return r, ok
	}
	if r, ok := parseCells(s); ok {
		return r, true
	}
	// A bare word that is not a range names a sheet.
	return a1Range{sheet: s, hasSheet: true, r1: -1, c1: -1}, true
}

// unquoteSheet reads a quoted sheet name, in which two quotes stand for one.
func unquoteSheet(s string) (name, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		if b.Len() == 0 {
			return "", "", false
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

// ref is one side of a range: a column, a row, or both.
type ref struct {
	col, row       int // zero-based; -1 when absent
	hasCol, hasRow bool
}

func parseCells(s string) (a1Range, bool) {
	if s == "" {
		return a1Range{}, false
	}
	if r, ok := parseR1C1(s); ok {
		return r, true
	}
	first, second, two := strings.Cut(s, ":")
	a, ok := parseRef(first)
	if !ok {
		return a1Range{}, false
	}
	if !two {
		if !a.hasCol || !a.hasRow {
			return a1Range{}, false
		}
		return a1Range{r0: a.row, r1: a.row + 1, c0: a.col, c1: a.col + 1, cell: true}, true
	}
	b, ok := parseRef(second)
	if !ok {
		return a1Range{}, false
	}
	r := a1Range{r1: -1, c1: -1}
	switch {
	case a.hasCol && a.hasRow && b.hasCol && b.hasRow: // A1:B2
		r.c0, r.c1 = min(a.col, b.col), max(a.col, b.col)+1
		r.r0, r.r1 = min(a.row, b.row), max(a.row, b.row)+1
		r.cell = r.r1-r.r0 == 1 && r.c1-r.c0 == 1
	case a.hasCol && !a.hasRow && b.hasCol && !b.hasRow: // A:B
		r.c0, r.c1 = min(a.col, b.col), max(a.col, b.col)+1
	case !a.hasCol && a.hasRow && !b.hasCol && b.hasRow: // 1:2
		r.r0, r.r1 = min(a.row, b.row), max(a.row, b.row)+1
	case a.hasCol && a.hasRow && b.hasCol && !b.hasRow: // A5:C — rows from 5 to the end
		r.c0, r.c1 = min(a.col, b.col), max(a.col, b.col)+1
		r.r0 = a.row
	case a.hasCol && !a.hasRow && b.hasCol && b.hasRow: // A:C5 — rows from 1 to 5
		r.c0, r.c1 = min(a.col, b.col), max(a.col, b.col)+1
		r.r1 = b.row + 1
	case a.hasCol && a.hasRow && !b.hasCol && b.hasRow: // A5:10 — columns from A to the end
		r.c0 = a.col
		r.r0, r.r1 = min(a.row, b.row), max(a.row, b.row)+1
	default:
		return a1Range{}, false
	}
	return r, true
}

// parseRef parses "A1", "A", "1", "$A$1", with case-insensitive letters.
func parseRef(s string) (ref, bool) {
	r := ref{col: -1, row: -1}
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	start := i
	col := 0
	for i < len(s) && isLetter(s[i]) {
		col = col*26 + int(upper(s[i])-'A'+1)
		i++
		if i-start > 3 {
			return ref{}, false
		}
	}
	if i > start {
		if col > maxColumns {
			return ref{}, false
		}
		r.col, r.hasCol = col-1, true
	}
	if i < len(s) && s[i] == '$' && r.hasCol {
		i++
	}
	if i < len(s) {
		n, err := strconv.Atoi(s[i:])
		if err != nil || n < 1 || n > maxRowNumber || s[i] == '+' || s[i] == '-' {
			return ref{}, false
		}
		r.row, r.hasRow = n-1, true
	}
	return r, r.hasCol || r.hasRow
}

// parseR1C1 parses "R1C1" and "R1C1:R2C2".
func parseR1C1(s string) (a1Range, bool) {
	one := func(t string) (row, col int, ok bool) {
		if len(t) < 4 || upper(t[0]) != 'R' {
			return 0, 0, false
		}
		i := strings.IndexAny(t[1:], "Cc")
		if i < 1 {
			return 0, 0, false
		}
		rn, err1 := strconv.Atoi(t[1 : i+1])
		cn, err2 := strconv.Atoi(t[i+2:])
		if err1 != nil || err2 != nil || rn < 1 || cn < 1 || rn > maxRowNumber || cn > maxColumns {
			return 0, 0, false
		}
		return rn - 1, cn - 1, true
	}
	first, second, two := strings.Cut(s, ":")
	r0, c0, ok := one(first)
	if !ok {
		return a1Range{}, false
	}
	r1, c1 := r0, c0
	if two {
		if r1, c1, ok = one(second); !ok {
			return a1Range{}, false
		}
	}
	r := a1Range{r0: min(r0, r1), r1: max(r0, r1) + 1, c0: min(c0, c1), c1: max(c0, c1) + 1}
	r.cell = r.r1-r.r0 == 1 && r.c1-r.c0 == 1
	return r, true
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func upper(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

// columnName turns a zero-based column index into letters: 0 is A, 26 is AA.
func columnName(c int) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append(b, byte('A'+(c-1)%26))
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// quoteSheet writes a sheet title the way Google writes it in ranges it
// returns: bare when it is a plain word, quoted otherwise, with ' doubled.
func quoteSheet(title string) string {
	if !needsQuotes(title) {
		return title
	}
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

func needsQuotes(title string) bool {
	if title == "" {
		return true
	}
	for i, r := range title {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return true
	}
	// A title that reads as a cell or an R1C1 reference must be quoted.
	if _, ok := parseCells(title); ok {
		return true
	}
	u := strings.ToUpper(title)
	return u == "TRUE" || u == "FALSE"
}

// rect is a bounded, zero-based, half-open block of cells on one sheet.
type rect struct{ r0, r1, c0, c1 int }

func (r rect) rows() int   { return r.r1 - r.r0 }
func (r rect) cols() int   { return r.c1 - r.c0 }
func (r rect) empty() bool { return r.r1 <= r.r0 || r.c1 <= r.c0 }
func (r rect) cells() int  { return r.rows() * r.cols() }
func (r rect) has(row, col int) bool {
	return r.r0 <= row && row < r.r1 && r.c0 <= col && col < r.c1
}

// a1 writes the block in A1 notation, "A1" for a single cell and "A1:B2" otherwise.
func (r rect) a1() string {
	start := columnName(r.c0) + strconv.Itoa(r.r0+1)
	if r.rows() == 1 && r.cols() == 1 {
		return start
	}
	return start + ":" + columnName(r.c1-1) + strconv.Itoa(r.r1)
}

// formatRange writes a block on a sheet as Google does in responses.
func formatRange(title string, r rect) string { return quoteSheet(title) + "!" + r.a1() }
