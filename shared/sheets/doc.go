// Package sheets is the sink: it keeps one row per key in a tab of a
// Google Sheet, through the Sheets v4 API.
//
// Safeview owns its columns, found by their header in row 1, wherever the
// team moves them; it never writes a cell of a column it does not own, and
// adds a missing owned column at the end of the header, never by moving
// the team's. Each row carries its version in a hidden owned column, so
// that an older delivery never overwrites a newer one, across restarts.
//
// Rows are found through an index of the key column that each instance
// reads once, then verifies cheaply before every update (the header row
// and the row itself, in one read): a sort, an inserted or deleted row or
// a moved column is detected and the index rebuilt, so the update still
// lands on the right row. Values are written RAW (a product called
// =HYPERLINK(...) stays text), numbers as numbers with their format.
package sheets
