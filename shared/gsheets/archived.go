package gsheets

import (
	"math"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// ArchivedTab is the title of the hidden tab that lists the rows moved to
// an archive spreadsheet (scripts/archive): one row per table and
// identity. The sink reads it each time it indexes its tabs (moving rows
// deletes them from a tab, which has every instance index it again), and
// never creates again a row it lists: a delivery of an archived order,
// whatever its version, is answered model.Stale and logged, and the
// archive keeps the version it was moved with. A row still in its tab is
// updated as usual, listed or not (an archive run that found it updated
// since it copied it left it there).
const ArchivedTab = "_safeview_archived"

// ArchivedTagKey is the key of the developer metadata that marks the tab;
// its value is the id of the archive spreadsheet.
const ArchivedTagKey = "safeview.archived"

// ArchivedHeader is the first row of the archived tab: two cells a row,
// since every cell counts against the spreadsheet's limit (the archive
// holds the version and the rest).
var ArchivedHeader = []string{"table", "row"}

func isArchivedTab(sh *sheets.Sheet) bool {
	for _, m := range sh.DeveloperMetadata {
		if m.MetadataKey == ArchivedTagKey {
			return true
		}
	}
	return sh.Properties != nil && sh.Properties.Title == ArchivedTab
}

// archivedGrid is the range the list is read from: its table and row
// columns.
func (s *Sink) archivedGrid() *sheets.GridRange {
	return &sheets.GridRange{SheetId: s.archivedSheet, StartColumnIndex: 0, EndColumnIndex: 2,
		ForceSendFields: []string{"SheetId", "StartColumnIndex"}}
}

// loadArchived reads the list from its columns as read, header first.
func (s *Sink) loadArchived(cols [][]any) {
	s.archived = map[markKey]bool{}
	if len(cols) < 2 {
		return
	}
	for r := 1; r < len(cols[0]) && r < len(cols[1]); r++ {
		tab, id := cellString(cols[0], r), cellString(cols[1], r)
		if tab != "" && id != "" {
			s.archived[markKey{tab, id}] = true
		}
	}
}

// markOf is the mark of g's key (see marks), or, when the key has no row
// and was archived, a mark above every version: none may create the row
// again. A row written before rows named their source is listed under
// the identity without one.
func (s *Sink) markOf(fs *flushState, g *keyOps) int64 {
	if !g.exists && len(s.archived) > 0 {
		_, key, _ := strings.Cut(g.key, "/")
		if s.archived[markKey{g.t.Tab, g.key}] || s.archived[markKey{g.t.Tab, "/" + key}] {
			fs.log.Info("order archived: its delivery is answered stale, and the archive keeps the version it was moved with", "table", g.t.Tab, "rows", len(g.ops))
			return math.MaxInt64
		}
	}
	return s.marks.of(g)
}
