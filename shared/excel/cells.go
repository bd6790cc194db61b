package excel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/safeview/safeview/shared/model"
)

// MaxCellChars is the most characters an Excel cell holds. The pipeline
// cuts text to model.MaxCellChars (Google's 50,000); the sink cuts further,
// with the same ellipsis, rather than have Graph refuse the whole batch.
const MaxCellChars = 32_767

// generalFormat is the number format of a text cell: with it, Excel reads
// the leading apostrophe as "text follows" (a cell formatted as text,
// "@", would keep the apostrophe as a character).
const generalFormat = "General"

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// encode is how a cell is sent to Graph: its value in a values array and
// its number format.
//
// Graph reads every string it is given as if a person typed it in the
// cell: "=HYPERLINK(…)" becomes a formula, "+cmd" a formula too, "0012"
// the number 12, "TRUE" a boolean, "1/2" a date. A leading apostrophe
// makes Excel take the rest as text, whatever it looks like, and store it
// without the apostrophe (the cell's quotePrefix). So every text is sent
// behind one apostrophe: "'=HYPERLINK(…)" is stored as the text
// =HYPERLINK(…), and a text that already starts with an apostrophe (the
// pipeline's neutralized "'=…", for whoever exports to CSV) keeps it. A
// number is sent as a JSON number, exactly as the pipeline wrote it, with
// its number format (a currency, a date), which is Excel's format code
// already: Sheets' patterns are Excel's.
func encode(c model.Cell) (json.RawMessage, string) {
	if c.Number != "" && jsonNumber.MatchString(c.Number) {
		f := c.FormatPattern
		if f == "" {
			f = generalFormat
		}
		return json.RawMessage(c.Number), f
	}
	t := c.Text
	if c.Number != "" {
		t = c.Number // not a plain decimal: kept as text rather than guessed
	}
	if t == "" {
		return json.RawMessage(`""`), generalFormat
	}
	b, _ := json.Marshal("'" + fit(t))
	return b, generalFormat
}

// fit cuts a text to what an Excel cell holds.
func fit(s string) string {
	if model.FitsCell(s, MaxCellChars) {
		return s
	}
	n, out := 0, strings.Builder{}
	for _, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > MaxCellChars-1 {
			break
		}
		n += w
		out.WriteRune(r)
	}
	return out.String() + "…"
}

// cellString renders a value Graph returned as text: strings as they
// are, numbers without exponent.
func cellString(row []any, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	switch v := row[i].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case nil:
		return ""
	}
	return fmt.Sprint(row[i])
}

// restore is how a value read back (values and formulas of one cell) is
// sent to put it back as it was.
func restore(value, formula any) json.RawMessage {
	if f, ok := formula.(string); ok && strings.HasPrefix(f, "=") {
		b, _ := json.Marshal(f)
		return b
	}
	switch v := value.(type) {
	case string:
		if v == "" {
			return json.RawMessage(`""`)
		}
		b, _ := json.Marshal("'" + v)
		return b
	case nil:
		return json.RawMessage(`""`)
	}
	b, _ := json.Marshal(value)
	return b
}

// VersionHeader is the header of the hidden column that holds each row's
// source and version ("shopify:1712345678000000"), as in the Google
// destination.
const VersionHeader = "_safeview_version"

const (
	sourceSep  = model.SourceSep
	erasedMark = model.ErasedMark
)

// versionCell and parseVersion are the version cell every destination
// keeps: see model.VersionCell.
var (
	versionCell  = model.VersionCell
	parseVersion = model.ParseVersionCell
)
