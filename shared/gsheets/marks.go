package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"google.golang.org/api/sheets/v4"
)

// MarksTab is the title of the hidden tab where the sink remembers, for a
// while, the newest version of each key that the table's filter (or its
// update policy) kept out of the sheet: its mark. Webhooks arrive out of
// order, so a refund may come before the order it refunds; the filter
// keeps the refund out, and without a mark the older "paid" version
// would then enter and show for ever. With it, a version older than a
// mark is answered model.Stale and never written: the sheet never shows a
// version older than the newest delivered for its key.
//
// The marks live in the spreadsheet, beside the rows they guard, so that
// every instance and every restart sees them, and each is written in the
// same atomic request as the flush that decided it: a mark costs no
// request of its own unless its flush writes nothing else (a filtered
// event on a quiet minute). They are kept MarksTTL (48 hours by default,
// the longest retry window of the platforms) and at most MaxMarks of
// them; a mark is dropped early once its key's row holds a newer version.
const MarksTab = "_safeview_marks"

// MarksTagKey is the key of the developer metadata that marks the tab.
const MarksTagKey = "safeview.marks"

// Defaults of Options.MarksTTL and Options.MaxMarks.
const (
	DefaultMarksTTL = 48 * time.Hour
	DefaultMaxMarks = 100_000
)

// marksHeader is the first row of the marks tab, for whoever unhides it.
var marksHeader = []string{"table", "row", "version", "recorded (Unix seconds)"}

// markKey names a mark: a tab and an identity.
type markKey struct{ tab, id string }

// mark is a version kept out, and when it was recorded.
type mark struct {
	version int64
	at      int64 // Unix seconds
}

// marks is what the sink knows of the marks tab. Only the flusher
// touches it.
type marks struct {
	exists  bool
	loaded  bool
	sheetID int64
	rows    int // data rows the tab holds (below its header), as far as known
	live    map[markKey]mark
	ttl     time.Duration
	max     int
	now     func() time.Time
}

func newMarks(ttl time.Duration, max int) marks {
	return marks{live: map[markKey]mark{}, ttl: ttl, max: max, now: time.Now}
}

func isMarksTab(sh *sheets.Sheet) bool {
	for _, m := range sh.DeveloperMetadata {
		if m.MetadataKey == MarksTagKey {
			return true
		}
	}
	return sh.Properties.Title == MarksTab
}

// found records the marks tab as the spreadsheet lists it.
func (m *marks) found(sh *sheets.Sheet) {
	m.exists, m.sheetID = true, sh.Properties.SheetId
}

// grid is the range the marks are read from: the whole tab.
func (m *marks) grid() *sheets.GridRange {
	return &sheets.GridRange{SheetId: m.sheetID, StartColumnIndex: 0, EndColumnIndex: int64(len(marksHeader)),
		ForceSendFields: []string{"SheetId", "StartColumnIndex"}}
}

// load reads the marks from the tab's columns as read, header first;
// expired ones are left out.
func (m *marks) load(cols [][]any) {
	m.live, m.rows, m.loaded = map[markKey]mark{}, 0, true
	col := func(c, r int) string {
		if c < len(cols) {
			return cellString(cols[c], r)
		}
		return ""
	}
	n := 0
	for _, c := range cols {
		n = max(n, len(c))
	}
	oldest := m.now().Add(-m.ttl).Unix()
	for r := 1; r < n; r++ {
		m.rows = r
		k := markKey{col(0, r), col(1, r)}
		v, err1 := strconv.ParseInt(col(2, r), 10, 64)
		at, err2 := strconv.ParseInt(col(3, r), 10, 64)
		if k.tab == "" || k.id == "" || err1 != nil || err2 != nil || at < oldest {
			continue
		}
		if old, ok := m.live[k]; !ok || v > old.version {
			m.live[k] = mark{version: v, at: at}
		}
	}
}

// of returns the mark of g's key, 0 when none.
func (m *marks) of(g *keyOps) int64 {
	mk, ok := m.live[markKey{g.t.Tab, g.key}]
	if !ok || mk.at < m.now().Add(-m.ttl).Unix() {
		return 0
	}
	return mk.version
}

// requests returns what a flush adds to its write for the marks it
// raised: the tab, hidden and tagged, when it does not exist yet, and
// the new marks appended below the others; or, when dead rows (expired,
// superseded, or beyond MaxMarks) outnumber the live ones, the live marks
// rewritten in place of them all. new lists the marks raised; it returns
// nil when there is nothing to write.
func (m *marks) requests(news map[markKey]mark, compact bool) []*sheets.Request {
	if len(news) == 0 && !compact {
		return nil
	}
	var reqs []*sheets.Request
	if !m.exists {
		m.sheetID = rand.Int64N(1<<31-2) + 1
		reqs = append(reqs,
			&sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
				SheetId: m.sheetID, Title: MarksTab, Hidden: true,
				GridProperties: &sheets.GridProperties{RowCount: 1000, ColumnCount: int64(len(marksHeader))},
			}}},
			&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
				MetadataKey: MarksTagKey, MetadataValue: "versions a filter kept out, so that older ones never enter", Visibility: "DOCUMENT",
				Location: &sheets.DeveloperMetadataLocation{SheetId: m.sheetID, ForceSendFields: []string{"SheetId"}},
			}}},
			m.rowsAt(0, []markRow{{header: true}}),
		)
	}
	var rows []markRow
	if compact {
		// Every data row cleared, then the kept ones appended below the
		// header: the grid grows if it must, and never shrinks.
		if m.rows > 0 {
			reqs = append(reqs, clearCells(m.sheetID, 1, 1+m.rows, 0, len(marksHeader)))
		}
		rows = m.kept(news)
	} else {
		for _, k := range sortedKeys(news) {
			rows = append(rows, markRow{key: k, mark: news[k]})
		}
	}
	if len(rows) == 0 {
		return reqs
	}
	return append(reqs, &sheets.Request{AppendCells: &sheets.AppendCellsRequest{
		SheetId: m.sheetID, Rows: rowsData(rows), Fields: "userEnteredValue", ForceSendFields: []string{"SheetId"}}})
}

// markRow is one row of the marks tab.
type markRow struct {
	header bool
	key    markKey
	mark   mark
}

func (m *marks) rowsAt(at int, rows []markRow) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start: &sheets.GridCoordinate{SheetId: m.sheetID, RowIndex: int64(at), ColumnIndex: 0,
			ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		Rows:   rowsData(rows),
		Fields: "userEnteredValue",
	}}
}

func rowsData(rows []markRow) []*sheets.RowData {
	out := make([]*sheets.RowData, len(rows))
	for i, r := range rows {
		vals := marksHeader
		if !r.header {
			// The version as text: an X-Series version may need all 63
			// bits, more than a spreadsheet's number keeps.
			vals = []string{r.key.tab, r.key.id, strconv.FormatInt(r.mark.version, 10), strconv.FormatInt(r.mark.at, 10)}
		}
		cells := make([]*sheets.CellData, len(vals))
		for c, v := range vals {
			cells[c] = cellData(model.Cell{Text: v})
		}
		out[i] = &sheets.RowData{Values: cells}
	}
	return out
}

// compactDue reports whether the next write should rewrite the marks:
// the tab holds more dead rows than live ones (and enough to matter), or
// more live marks than allowed.
func (m *marks) compactDue(adding int) bool {
	live := len(m.live) + adding
	return m.rows+adding > 2*live+1000 || live > m.max
}

// kept returns the marks a compaction keeps, live and new together,
// oldest first: the unexpired ones, at most MaxMarks, the newest.
func (m *marks) kept(news map[markKey]mark) []markRow {
	all := map[markKey]mark{}
	oldest := m.now().Add(-m.ttl).Unix()
	for k, v := range m.live {
		if v.at >= oldest {
			all[k] = v
		}
	}
	for k, v := range news {
		if old, ok := all[k]; !ok || v.version > old.version {
			all[k] = v
		}
	}
	rows := make([]markRow, 0, len(all))
	for k, v := range all {
		rows = append(rows, markRow{key: k, mark: v})
	}
	slices.SortFunc(rows, func(a, b markRow) int {
		return cmp.Or(cmp.Compare(a.mark.at, b.mark.at), cmp.Compare(a.key.tab, b.key.tab), cmp.Compare(a.key.id, b.key.id))
	})
	if len(rows) > m.max {
		rows = rows[len(rows)-m.max:]
	}
	return rows
}

// commit records what a write that landed did to the marks: the new ones,
// or the compacted set; and drops the marks that the rows it wrote made
// moot.
func (m *marks) commit(news map[markKey]mark, compact bool, written map[markKey]int64) {
	if news != nil || compact {
		m.exists = true
	}
	if compact {
		kept := m.kept(news)
		m.live = make(map[markKey]mark, len(kept))
		for _, r := range kept {
			m.live[r.key] = r.mark
		}
		m.rows = len(kept)
	} else {
		for k, v := range news {
			m.live[k] = v
		}
		m.rows += len(news)
	}
	for k, v := range written {
		if mk, ok := m.live[k]; ok && mk.version <= v {
			delete(m.live, k) // the row holds a newer version: the mark is moot
		}
	}
}

func sortedKeys(news map[markKey]mark) []markKey {
	keys := make([]markKey, 0, len(news))
	for k := range news {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b markKey) int { return cmp.Or(cmp.Compare(a.tab, b.tab), cmp.Compare(a.id, b.id)) })
	return keys
}
