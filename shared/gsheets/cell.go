package gsheets

import (
	"errors"
	"unicode/utf16"
)

// MaxCellChars is Google Sheets' limit on the characters of one cell.
// Google refuses a write request that holds a longer cell whole, and with
// it every row of the flush: Upsert refuses such a row alone
// (ErrCellTooLong), and package pipeline cuts text cells to fit.
const MaxCellChars = 50_000

// ErrCellTooLong means a row holds a text cell longer than MaxCellChars.
var ErrCellTooLong = errors.New("cell longer than Google Sheets allows")

// CellLen is the length of s as counted against MaxCellChars: UTF-16 code
// units, as the API's JSON strings are, so a character beyond the Basic
// Multilingual Plane (an emoji) counts two. It is never less than the
// number of characters, so a text that fits by CellLen fits whichever way
// Google counts.
func CellLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// FitsCell reports whether s fits in a cell. A text of at most
// MaxCellChars bytes always does (a UTF-8 byte never stands for more than
// one UTF-16 unit), without counting.
func FitsCell(s string) bool {
	return len(s) <= MaxCellChars || CellLen(s) <= MaxCellChars
}

// Cell is one value on its way to the sheet: a text, or an exact number
// with an optional number format.
type Cell struct {
	// Text is written as a string, RAW: never parsed, never a formula.
	Text string
	// Number, when set, is a decimal literal ("359.97", "45657.5")
	// written as a number, so that the team can sum and sort it.
	Number string
	// FormatType and FormatPattern are the cell's number format
	// (Google's NumberFormat type and pattern), e.g. CURRENCY and
	// `#,##0.00 "EUR"`, or DATE_TIME and "yyyy-mm-dd hh:mm".
	FormatType    string
	FormatPattern string
}

// Empty reports whether the cell holds nothing.
func (c Cell) Empty() bool { return c.Text == "" && c.Number == "" }

// Row is one row to create or update, identified by its source and the
// value of the table's key column: order 4242 of one WooCommerce shop and
// order 4242 of another source are two rows.
type Row struct {
	// Source names the configured source the row comes from. It is kept
	// in the row's hidden version cell (VersionHeader). Empty is the row
	// of a sheet written before Safeview recorded sources: the key alone
	// identifies it (see Table.Match for how such rows are taken over).
	Source string
	// Key is the value of the key column, as the platform shows it.
	Key string
	// Version orders states of the row: a row is only ever replaced by a
	// higher version.
	Version int64
	// Cells hold one value per owned column, in the table's column order.
	Cells []Cell
	// Insert says the row may be created when the key is not yet in the
	// sheet (the table's filter passed).
	Insert bool
	// Update says the row may replace an existing row of the same key.
	Update bool
}

// ID is a row's identity in its tab: its source and its key. Source names
// hold no "/", so the identity is unambiguous; a row without a source has
// the identity "/" + key.
func ID(source, key string) string { return source + "/" + key }

// id is the identity of r.
func (r Row) id() string { return ID(r.Source, r.Key) }
