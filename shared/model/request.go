package model

import "slices"

// Action is what a destination does with the rows a selection picks: its
// side of a data subject's request (erasure, access) or of a shop's
// (removal of all its rows).
type Action string

// Actions.
const (
	// Count counts the rows, and the rows a Clear would change. It
	// writes nothing.
	Count Action = "count"
	// Read returns the rows whole, every column (the team's too), as the
	// destination shows them. It writes nothing.
	Read Action = "read"
	// Clear empties the personal cells (Table.Personal) of the rows and
	// marks them erased, so that later upserts of their keys keep those
	// cells empty. The rows' other cells stay.
	Clear Action = "clear"
	// Delete removes the rows.
	Delete Action = "delete"
)

// Cells names values of one owned column.
type Cells struct {
	Header string
	Values []string
}

// Select picks rows of one table. Only rows that hold a key are ever
// picked: a row the team typed without one is theirs. A row is picked
// when All is set, or when its key is one of Keys or its cell under the
// header of one of Any is one of that header's values, and, if Where is
// set, its cell under Where.Header is one of Where.Values (ids of one
// shop, say, which another shop may use too). When Sources is set, only
// rows of those sources (Row.Source) are picked, and rows written without
// a source when Legacy is set too. Cells are compared as the destination
// writes them: text exactly, numbers without exponent. Several
// selections of one table pick the rows any of them picks.
type Select struct {
	Tab     string
	Keys    []string
	Where   *Cells
	Any     []Cells
	All     bool
	Sources []string
	Legacy  bool
	// Before, when set, picks only rows whose version is older: a row
	// that leaves a destination is deleted only if no newer version of it
	// was written since.
	Before int64
}

// Admits reports whether the selection's sources admit a row of source
// src ("" for a row written without one).
func (s Select) Admits(src string) bool {
	if len(s.Sources) == 0 {
		return true
	}
	if src == "" {
		return s.Legacy
	}
	return slices.Contains(s.Sources, src)
}

// Report says what a request found, and did.
type Report struct {
	// Tabs are in the order the selections first name them.
	Tabs []TabReport
}

// TabReport is what a request found, and did, in one table.
type TabReport struct {
	Tab string
	// Selected counts the rows picked.
	Selected int
	// Changed counts the rows cleared (Clear) or deleted (Delete); for
	// Count, the rows a Clear would change. A row a Clear already
	// cleared is not changed again: a replayed erasure changes nothing.
	Changed int
	// Header and Rows are the table's header and the rows picked, whole
	// and formatted as the destination shows them; Read only.
	Header []string
	Rows   [][]string
}

// Selected counts the rows picked in every table.
func (r Report) Selected() int {
	n := 0
	for _, t := range r.Tabs {
		n += t.Selected
	}
	return n
}

// Changed counts the rows changed in every table.
func (r Report) Changed() int {
	n := 0
	for _, t := range r.Tabs {
		n += t.Changed
	}
	return n
}
