package gsheets

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/model"
)

// repairDuplicates merges the rows that hold the same key, which only
// two writers at once can produce (two instances during a rollover, a
// backfill running beside the function, a write that landed after its
// answer was lost and was sent again). For each key it keeps the row the
// team annotated (the most cells outside the owned columns, else the
// first), writes the newest owned cells into it, and deletes the other
// rows, in one atomic request right after reading them, which is refused
// if another writer merged since (see MergeTokenKey). A duplicate the
// team annotated too is left in place, with a warning: deleting it would
// lose their notes, and merging them is for a person to do.
func (s *Sink) repairDuplicates(ctx context.Context, fs *flushState, dups map[*tab]map[string][]int) error {
	var ranges []*sheets.GridRange
	var tabs []*tab
	for t, keys := range dups {
		tabs = append(tabs, t)
		for _, rows := range keys {
			for _, r := range rows {
				ranges = append(ranges, t.rowGrid(r))
			}
		}
	}
	got, err := s.readGrid(ctx, fs, tabs[0], "read duplicate rows", "ROWS", ranges)
	if err != nil {
		return err
	}
	// These rows are read a round trip after the key column. Another
	// writer that indexed the tab at the same time finds the same
	// duplicates and may have merged them since: its deletions moved other
	// orders up into the rows read, and deleting those would lose them.
	for _, t := range tabs {
		for key, rows := range dups[t] {
			for _, r := range rows {
				if t.idAt(first(got[gridKey{t.sheetID, r}])) != key {
					return s.moved(fs, t, "duplicate rows")
				}
			}
		}
	}
	var reqs []*sheets.Request
	doomed := map[*tab][]int{}
	annotated := map[*tab][]int{} // rows left, as sheet row numbers
	var merged []*tab             // the tabs this write changes
	for _, t := range tabs {
		merges, d, a := t.mergeDuplicates(dups[t], got)
		if len(merges) > 0 || len(d) > 0 {
			merged = append(merged, t)
			reqs = append(reqs, t.mergeTokenRequests()...)
		}
		reqs = append(reqs, merges...)
		doomed[t], annotated[t] = d, a
	}
	// model.Delete from the bottom up, so that each index still means what it
	// meant when read; the merges come first, before any row moves.
	for _, t := range tabs {
		d := doomed[t]
		for i := len(d) - 1; i >= 0; i-- {
			reqs = append(reqs, &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
				Range: &sheets.DimensionRange{SheetId: t.sheetID, Dimension: "ROWS", StartIndex: int64(d[i]), EndIndex: int64(d[i]) + 1,
					ForceSendFields: []string{"SheetId"}}}})
		}
	}
	if len(reqs) == 0 {
		for _, t := range tabs {
			fs.log.Warn("key column holds duplicate rows the team annotated; merge them by hand", "table", t.Tab, "rows", annotated[t])
		}
		return nil
	}
	if err := s.writeToken(ctx, fs); err != nil {
		return newCallError("merge duplicate rows (waiting for write quota)", tabs[0], err)
	}
	if _, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do(); err != nil {
		return newCallError("merge duplicate rows", tabs[0], err)
	}
	for _, t := range merged {
		t.mergeToken = nextMergeToken(t.sheetID, t.mergeToken)
	}
	for _, t := range tabs {
		t.removed(doomed[t])
		s.count(func(st *model.Stats) { st.DuplicatesRemoved += len(doomed[t]) })
		fs.log.Warn("merged duplicate rows of the same key", "table", t.Tab, "rows_deleted", len(doomed[t]), "annotated_rows_left", annotated[t])
	}
	return nil
}

// MergeTokenKey is the key of the developer metadata of a tab that a
// merge of its duplicate rows replaces, in the same atomic write, by one
// whose id derives from the one it replaces. Two writers that indexed the
// tab at the same time find the same duplicates; the second to write its
// merge would delete by index rows that the first one's deletions moved
// up: other orders. Its write is refused whole instead, since the id it
// creates exists already (a metadata id is unique in its spreadsheet),
// and it indexes the tab again.
const MergeTokenKey = "safeview.merge"

// mergeTokenOf returns the id of a tab's merge token as listed, 0 if none.
func mergeTokenOf(sh *sheets.Sheet) int64 {
	for _, m := range sh.DeveloperMetadata {
		if m.MetadataKey == MergeTokenKey {
			return m.MetadataId
		}
	}
	return 0
}

// nextMergeToken is the id of the token that replaces token: the same for
// every writer that saw token, positive and below 2^31.
func nextMergeToken(sheetID, token int64) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d/%d", MergeTokenKey, sheetID, token)
	return int64(h.Sum64()%(1<<31-1)) + 1
}

// mergeTokenRequests replace the tab's merge token, as last listed, by
// the next one: a write that holds them is refused if another writer
// merged since.
func (t *tab) mergeTokenRequests() []*sheets.Request {
	var reqs []*sheets.Request
	if t.mergeToken != 0 {
		reqs = append(reqs, &sheets.Request{DeleteDeveloperMetadata: &sheets.DeleteDeveloperMetadataRequest{
			DataFilter: &sheets.DataFilter{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataId: t.mergeToken}}}})
	}
	return append(reqs, &sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
		MetadataId: nextMergeToken(t.sheetID, t.mergeToken), MetadataKey: MergeTokenKey,
		MetadataValue: "changes at every merge of duplicate rows, so that two writers never merge the same ones", Visibility: "DOCUMENT",
		Location: &sheets.DeveloperMetadataLocation{SheetId: t.sheetID, ForceSendFields: []string{"SheetId"}},
	}}})
}

// mergeDuplicates decides, for each key of one tab found on several rows,
// which row stays. It returns the requests that copy the newest owned
// cells into it, the rows to delete (sorted) and the rows the team
// annotated that are left for a person.
func (t *tab) mergeDuplicates(dups map[string][]int, got map[gridKey][][]any) (merges []*sheets.Request, doomed, annotated []int) {
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
	slices.Sort(doomed)
	return merges, doomed, annotated
}

// removed shifts the index after the given rows (sorted) were deleted:
// rows below a deleted one moved up.
func (t *tab) removed(rows []int) {
	if len(rows) == 0 {
		return
	}
	for k, e := range t.index {
		n, _ := slices.BinarySearch(rows, e.row)
		e.row -= n
		t.index[k] = e
	}
	t.lastRow -= len(rows)
	t.rowCount -= int64(len(rows))
}

// copyOwned copies the owned cells of one row onto another, formats
// included, and nothing else.
func (t *tab) copyOwned(from, to int) []*sheets.Request {
	var reqs []*sheets.Request
	for _, run := range t.runs(-1) {
		c0, c1 := t.span(run)
		reqs = append(reqs, copyRun(t.sheetID, from, t.sheetID, to, c0, c1))
	}
	return reqs
}
