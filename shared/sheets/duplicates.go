package sheets

import (
	"context"
	"slices"

	sheetsapi "google.golang.org/api/sheets/v4"
)

// repairDuplicates merges the rows that hold the same key, which only
// two writers at once can produce (two instances during a rollover, a
// backfill running beside the function, a write that landed after its
// answer was lost and was sent again). For each key it keeps the row the
// team annotated (the most cells outside the owned columns, else the
// first), writes the newest owned cells into it, and deletes the other
// rows, in one atomic request right after reading them. A duplicate the
// team annotated too is left in place, with a warning: deleting it would
// lose their notes, and merging them is for a person to do.
func (s *Sink) repairDuplicates(ctx context.Context, fs *flushState, t *tab, dups map[string][]int) error {
	var ranges []*sheetsapi.GridRange
	for _, rows := range dups {
		for _, r := range rows {
			ranges = append(ranges, t.rowGrid(r))
		}
	}
	got, err := s.readGrid(ctx, fs, t, "read duplicate rows", "ROWS", ranges)
	if err != nil {
		return err
	}
	owned := map[int]bool{}
	for _, c := range t.cols {
		owned[c] = true
	}
	teamCells := func(row []any) int {
		n := 0
		for c, v := range row {
			if !owned[c] && cellString(row, c) != "" && v != nil {
				n++
			}
		}
		return n
	}
	var merges []*sheetsapi.Request
	var doomed []int
	var annotated []int // rows left, as sheet row numbers
	for key, rows := range dups {
		keep, newest := rows[0], rows[0]
		values := func(r int) []any { return first(got[gridKey{t.sheetID, r}]) }
		for _, r := range rows[1:] {
			if teamCells(values(r)) > teamCells(values(keep)) {
				keep = r
			}
			if versionOf(values(r), t.cols[t.version]) > versionOf(values(newest), t.cols[t.version]) {
				newest = r
			}
		}
		if newest != keep && versionOf(values(newest), t.cols[t.version]) > versionOf(values(keep), t.cols[t.version]) {
			merges = append(merges, t.copyOwned(newest, keep)...)
		}
		for _, r := range rows {
			switch {
			case r == keep:
			case teamCells(values(r)) > 0:
				annotated = append(annotated, r+1)
			default:
				doomed = append(doomed, r)
			}
		}
		t.index[key] = entry{row: keep}
	}
	if len(doomed) == 0 && len(merges) == 0 {
		fs.log.Warn("key column holds duplicate rows the team annotated; merge them by hand", "table", t.Tab, "rows", annotated)
		return nil
	}
	// Delete from the bottom up, so that each index still means what it
	// meant when read; the merges come first, before any row moves.
	slices.Sort(doomed)
	reqs := merges
	for i := len(doomed) - 1; i >= 0; i-- {
		reqs = append(reqs, &sheetsapi.Request{DeleteDimension: &sheetsapi.DeleteDimensionRequest{
			Range: &sheetsapi.DimensionRange{SheetId: t.sheetID, Dimension: "ROWS", StartIndex: int64(doomed[i]), EndIndex: int64(doomed[i]) + 1,
				ForceSendFields: []string{"SheetId"}}}})
	}
	if err := s.writeToken(ctx, fs); err != nil {
		return newCallError("merge duplicate rows (waiting for write quota)", t, err)
	}
	if _, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do(); err != nil {
		return newCallError("merge duplicate rows", t, err)
	}
	// Rows below a deleted one moved up.
	for k, e := range t.index {
		n, _ := slices.BinarySearch(doomed, e.row)
		e.row -= n
		t.index[k] = e
	}
	t.lastRow -= len(doomed)
	t.rowCount -= int64(len(doomed))
	s.count(func(st *Stats) { st.DuplicatesRemoved += len(doomed) })
	fs.log.Warn("merged duplicate rows of the same key", "table", t.Tab, "rows_deleted", len(doomed), "annotated_rows_left", annotated)
	return nil
}

// copyOwned copies the owned cells of one row onto another, formats
// included, and nothing else.
func (t *tab) copyOwned(from, to int) []*sheetsapi.Request {
	var reqs []*sheetsapi.Request
	for _, run := range t.runs(-1) {
		c0, c1 := t.span(run)
		reqs = append(reqs, copyRun(t.sheetID, from, t.sheetID, to, c0, c1))
	}
	return reqs
}
