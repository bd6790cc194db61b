// Package model is Safeview's row model: what the pipeline makes of an
// event (rows of cells, keyed by source and key, versioned) and what a
// destination answers (written, unchanged, stale, filtered, or
// unavailable), with the requests a destination serves for a data
// subject or a shop (select rows, then count, read, clear or delete
// them).
//
// It knows no Google, Microsoft or network package: the pure pipeline,
// the configuration and every destination (a Google spreadsheet, an
// Excel workbook, a queue) share it, and none of them reaches into
// another. docs/architecture.md draws the map.
package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Cell is one value on its way to a destination: a text, or an exact
// number with an optional number format.
type Cell struct {
	// Text is written as a string, never parsed, never a formula.
	Text string
	// Number, when set, is a decimal literal ("359.97", "45657.5")
	// written as a number, so that the team can sum and sort it.
	Number string
	// FormatType and FormatPattern are the cell's number format, in
	// Google Sheets' terms (NumberFormat type and pattern), e.g.
	// CURRENCY and `#,##0.00 "EUR"`, or DATE_TIME and "yyyy-mm-dd hh:mm";
	// other destinations translate them.
	FormatType    string
	FormatPattern string
}

// Empty reports whether the cell holds nothing.
func (c Cell) Empty() bool { return c.Text == "" && c.Number == "" }

// Row is one row to create or update, identified by its source and the
// value of the table's key column: order 4242 of one WooCommerce shop and
// order 4242 of another source are two rows.
type Row struct {
	// Source names the configured source the row comes from. Empty is a
	// row written before Safeview recorded sources: the key alone
	// identifies it (see Table.Match for how such rows are taken over).
	Source string
	// Key is the value of the key column, as the platform shows it.
	Key string
	// Version orders states of the row: a row is only ever replaced by a
	// higher version.
	Version int64
	// Cells hold one value per owned column, in the table's column order.
	Cells []Cell
	// Insert says the row may be created when the key is not yet there
	// (the table's filter passed).
	Insert bool
	// Update says the row may replace an existing row of the same key.
	Update bool
	// Leave says the row no longer belongs in the destination (a
	// partner's where no longer matches it: its store changed). If the
	// destination holds the identity at this version or an older one,
	// and Update allows changing it, that row is deleted (Removed) and
	// the version remembered as kept out, so that an older version does
	// not bring the row back; without Update (the table's update policy
	// keeps rows as they are) the row stays and the version is
	// remembered. A destination that does not hold the identity records
	// nothing: it never names a row it was not given (a partner's
	// spreadsheet must not list other stores' orders, even hidden).
	Leave bool
}

// Check says what makes r unfit for a table of columns cells, in a
// destination that stores a row's source before sep: a wrong number of
// cells, no key, a source holding / or sep. Every destination refuses
// such a row before it can join a write.
func (r Row) Check(columns int, sep string) error {
	switch {
	case len(r.Cells) != columns:
		return fmt.Errorf("row has %d cells for %d columns", len(r.Cells), columns)
	case r.Key == "":
		return errors.New("row has no key")
	case strings.ContainsAny(r.Source, "/"+sep):
		return fmt.Errorf("a source name holds no / or %s", sep)
	}
	return nil
}

// ID is the row's identity (see ID).
func (r Row) ID() string { return ID(r.Source, r.Key) }

// ID is a row's identity in its table: its source and its key. Source
// names hold no "/", so the identity is unambiguous; a row without a
// source has the identity "/" + key.
func ID(source, key string) string { return source + "/" + key }

// MaxCellChars is the most characters a text cell holds: Google Sheets'
// limit, the largest of the destinations'. The pipeline cuts text cells
// to fit it; a destination that holds less (Excel: 32,767) cuts further.
const MaxCellChars = 50_000

// CellLen is the length of s as counted against MaxCellChars: UTF-16
// code units, as Google's and Microsoft's JSON strings are, so a
// character beyond the Basic Multilingual Plane (an emoji) counts two.
// It is never less than the number of characters.
func CellLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// FitsCell reports whether s fits in a cell of max characters. A text of
// at most max bytes always does (a UTF-8 byte never stands for more than
// one UTF-16 unit), without counting.
func FitsCell(s string, max int) bool {
	return len(s) <= max || CellLen(s) <= max
}

// Table describes one table a destination keeps: a tab of a spreadsheet,
// a named table of a workbook.
type Table struct {
	// Tab is the table's name in the configuration (a tab's title).
	Tab string
	// Headers are the owned headers, in the order of Row.Cells.
	Headers []string
	// Key is the header of the key column, one of Headers.
	Key string
	// Personal lists the headers of the columns derived from a customer
	// (a pseudonym, a masked email): an erasure (Clear) empties them, and
	// they stay empty in the rows it cleared. Never the key.
	Personal []string
	// Match lists the headers (the store column, say) whose cells must
	// agree before a row written without a source is taken over by a row
	// of the same key that names its source. Without them, the key alone
	// decides.
	Match []string
}

// Result says what an upsert did.
type Result string

// Results of an upsert.
const (
	Written   Result = "written"   // the row was created or updated
	Unchanged Result = "unchanged" // the row already holds this version
	Stale     Result = "stale"     // the row holds a newer version, or a newer one was kept out
	Filtered  Result = "filtered"  // the row may not be created (or updated) by this event
	Removed   Result = "removed"   // the row left the destination (Row.Leave)
	// Queued: the row was handed to a durable queue (Pub/Sub acknowledged
	// it), which a writer drains into the destination: queued mode.
	Queued Result = "queued"
)

// Combine returns the most significant of several results, as a
// delivery's answer reports it: written, removed, queued, then unchanged,
// stale, filtered; "" for none.
func Combine(results []Result) Result {
	for _, r := range []Result{Written, Removed, Queued, Unchanged, Stale, Filtered} {
		for _, got := range results {
			if got == r {
				return r
			}
		}
	}
	return ""
}

// ErrUnavailable means a destination could not be read or written in
// time: the platform should retry later. Nothing was half-written, and a
// write that may have landed is found on the retry.
var ErrUnavailable = errors.New("destination unavailable")

// Stats count what a destination did, for logs, benchmarks and tests.
type Stats struct {
	// Flushes counts write requests that carried rows.
	Flushes int
	// Rows counts rows written by those requests.
	Rows int
	// Retries counts writes put back after a quota answer, a server error
	// or a lost answer.
	Retries int
	// Reindexes counts reads of a table's keys after the first one (the
	// team sorted, inserted or deleted rows).
	Reindexes int
	// Heals counts writes that repaired a row a team edit had moved under
	// a write.
	Heals int
	// DuplicatesRemoved counts duplicate rows of one key merged.
	DuplicatesRemoved int
	// RowsCleared and RowsDeleted count rows erased by requests.
	RowsCleared, RowsDeleted int
	// Refused counts new rows refused for lack of room.
	Refused int
	// Marks counts versions recorded as kept out by a filter.
	Marks int
}

// Add adds the counts of o to s.
func (s *Stats) Add(o Stats) {
	s.Flushes += o.Flushes
	s.Rows += o.Rows
	s.Retries += o.Retries
	s.Reindexes += o.Reindexes
	s.Heals += o.Heals
	s.DuplicatesRemoved += o.DuplicatesRemoved
	s.RowsCleared += o.RowsCleared
	s.RowsDeleted += o.RowsDeleted
	s.Refused += o.Refused
	s.Marks += o.Marks
}
