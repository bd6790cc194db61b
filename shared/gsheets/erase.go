package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// clearRows empties the personal cells of the rows to change and marks
// their version, in one write that also answers with each row's state.
// Sheets has no conditional write, and no undo copy is taken: it would
// keep in a hidden tab the very cells the erasure removes. The read the
// rows were found with is the copy instead: should the answer show that
// a team edit moved rows or columns in the round trip since, the cells
// that landed on other rows get back the values read (what was not read,
// a column of the team's moved under the write, is reported for the
// version history), and the request is tried again after a fresh index.
func (s *Sink) clearRows(ctx context.Context, fs *flushState, r *request, ps []*picked) error {
	var reqs []*sheets.Request
	var check []string
	writing := changing(ps)
	for _, p := range writing {
		check = append(check, p.t.a1Row(0))
		for _, row := range p.change {
			reqs = append(reqs, p.t.clearRequests(p.read, row)...)
			check = append(check, p.t.a1Row(row))
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	reqs = append(reqs, s.clearUndo()...)
	post, err := s.writeRequest(ctx, fs, "clear rows", writing[0].t, reqs, check)
	if err != nil {
		if ambiguous(err) {
			r.sendAll(writing)
		}
		if changedSheet(err) {
			for _, p := range writing {
				p.t.loaded = false
			}
		}
		return err
	}
	bad := map[*tab]bool{}
	for _, p := range writing {
		t := p.t
		bad[t] = !t.headerMatches(post[gridKey{t.sheetID, 0}]) || slices.ContainsFunc(p.change, func(row int) bool {
			return t.idAt(post[gridKey{t.sheetID, row}]) != p.keyAt(row)
		})
	}
	if slices.ContainsFunc(writing, func(p *picked) bool { return bad[p.t] }) {
		return s.healClear(fs, r, writing, post, bad)
	}
	n := 0
	for _, p := range writing {
		for _, row := range p.change {
			p.t.markErased(p.keyAt(row), row)
		}
		n += len(p.change)
	}
	s.count(func(st *model.Stats) { st.RowsCleared += n })
	return nil
}

// clearUndo empties the undo tab. It holds the cells the last flush of
// updates overwrote, which may be the very cells an erasure removes; it
// is only of use within that flush, so an erasure, a turn of its own,
// empties it in its own write.
func (s *Sink) clearUndo() []*sheets.Request {
	if !s.undo.exists || s.undo.rows == 0 || s.undo.cols == 0 {
		return nil
	}
	return []*sheets.Request{clearCells(s.undo.sheetID, 0, int(s.undo.rows), 0, int(s.undo.cols))}
}

// clearRequests empty the personal cells of one row and mark its
// version, values only: formats and notes stay.
func (t *tab) clearRequests(g snapshot, row int) []*sheets.Request {
	var reqs []*sheets.Request
	for _, run := range t.runsOf(append(slices.Clone(t.personal), t.version)) {
		vals := make([]*sheets.CellData, len(run))
		for k, i := range run {
			vals[k] = &sheets.CellData{}
			if i == t.version {
				cell := []any{g.value(row, t.cols[i])}
				vals[k] = cellData(model.Cell{Text: versionText(sourceOf(cell, 0), versionOf(cell, 0), true)})
			}
		}
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{SheetId: t.sheetID, RowIndex: int64(row), ColumnIndex: int64(t.cols[run[0]]),
				ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:   []*sheets.RowData{{Values: vals}},
			Fields: "userEnteredValue",
		}})
	}
	return reqs
}

// markErased records in the index that the row of key was erased, so
// that a flush trusting a fresh index keeps it erased too.
func (t *tab) markErased(key string, row int) {
	if e, ok := t.index[key]; ok && e.row == row {
		e.erased = true
		t.index[key] = e
	}
}

// healClear puts back what a clear wrote to rows or columns a team edit
// moved there in the round trip since the read, from the values read,
// and leaves the request to be tried again after a fresh index. The rows
// that were cleared as intended count as changed on the next attempt.
func (s *Sink) healClear(fs *flushState, r *request, ps []*picked, post postState, bad map[*tab]bool) error {
	var reqs []*sheets.Request
	var moved, lost []int // sheet row numbers, for the log
	for _, p := range ps {
		t := p.t
		if !bad[t] {
			for _, row := range p.change {
				r.markSent(t, p.keyAt(row))
				t.markErased(p.keyAt(row), row)
			}
			continue
		}
		t.loaded = false
		header := post[gridKey{t.sheetID, 0}]
		postCols := t.locate(header)
		same := t.headerMatches(header)
		rowOf := map[string]int{}
		for row := p.read.len() - 1; row >= 1; row-- {
			if k := p.keyAt(row); k != "" {
				rowOf[k] = row
			}
		}
		var written []int // the sheet columns the clear wrote
		for _, i := range append(slices.Clone(t.personal), t.version) {
			written = append(written, t.cols[i])
		}
		for _, row := range p.change {
			key, owner := p.keyAt(row), t.idIn(post[gridKey{t.sheetID, row}], postCols)
			if same && owner == key {
				r.markSent(t, key)
				continue
			}
			moved = append(moved, row+1)
			src, known := rowOf[owner]
			for _, c := range written {
				i := slices.Index(t.headers, cellString(header, c))
				switch {
				case i < 0 || !p.read.has(t.cols[i]):
					// A column the read did not cover moved there.
					lost = append(lost, row+1)
				case owner == "":
					// A row without a key: blank rows the team inserted.
					reqs = append(reqs, setCell(t.sheetID, row, c, nil))
				case known:
					reqs = append(reqs, setCell(t.sheetID, row, c, p.read.value(src, t.cols[i])))
				default:
					lost = append(lost, row+1)
				}
			}
		}
	}
	s.count(func(st *model.Stats) { st.Heals++ })
	// model.Row numbers only: a key need not be an order id.
	fs.log.Warn("a team edit landed between an erasure's read and its write; restoring the cells it overwrote", "rows", moved)
	if lost = slices.Compact(lost); len(lost) > 0 {
		fs.log.Error("an erasure's write landed on cells of columns a team edit had just moved there, which it cannot restore: see File > Version history",
			"rows", lost)
	}
	if len(reqs) > 0 {
		if err := s.writeHeal(fs, reqs); err != nil {
			fs.log.Error("could not restore the cells a misplaced erasure overwrote: see File > Version history", "rows", moved, "error", err.Error())
		}
	}
	return errMoved
}

// setCell writes one value, as read (FORMULA rendering), values only.
func setCell(sheet int64, row, col int, v any) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start: &sheets.GridCoordinate{SheetId: sheet, RowIndex: int64(row), ColumnIndex: int64(col),
			ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: extValue(v)}}}},
		Fields: "userEnteredValue",
	}}
}

// extValue is a value as read (FORMULA rendering) in the API's shape: a
// formula as a formula, text as text; nil for an empty cell.
func extValue(v any) *sheets.ExtendedValue {
	switch v := v.(type) {
	case string:
		switch {
		case v == "":
			return nil
		case strings.HasPrefix(v, "="):
			return &sheets.ExtendedValue{FormulaValue: &v}
		}
		return &sheets.ExtendedValue{StringValue: &v}
	case float64:
		return &sheets.ExtendedValue{NumberValue: &v}
	case bool:
		return &sheets.ExtendedValue{BoolValue: &v}
	}
	return nil
}

// deleteRows deletes the rows to change, bottom up, in one write whose
// answer holds each tab as it is after it. The read was of whole tabs:
// should a team edit have moved rows in the round trip since, the keyed
// rows deleted by mistake are added back from it (values only) at the end
// of their tab, and the request is tried again after a fresh index.
func (s *Sink) deleteRows(ctx context.Context, fs *flushState, r *request, ps []*picked) error {
	var reqs []*sheets.Request
	var check []string
	writing := changing(ps)
	for _, p := range writing {
		blocks := rowBlocks(p.change)
		for i := len(blocks) - 1; i >= 0; i-- {
			reqs = append(reqs, &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
				Range: &sheets.DimensionRange{SheetId: p.t.sheetID, Dimension: "ROWS", StartIndex: int64(blocks[i][0]), EndIndex: int64(blocks[i][1]),
					ForceSendFields: []string{"SheetId"}}}})
		}
		check = append(check, QuoteTab(p.t.title))
	}
	if len(reqs) == 0 {
		return nil
	}
	reqs = append(reqs, s.clearUndo()...)
	post, err := s.writeRequest(ctx, fs, "delete rows", writing[0].t, reqs, check)
	if err != nil && !ambiguous(err) && !changedSheet(err) {
		return err // refused: nothing was applied, the index holds
	}
	for _, p := range writing {
		p.t.loaded = false // rows moved up: index again
	}
	if err != nil {
		if ambiguous(err) {
			r.sendAll(writing)
		}
		return err
	}
	var restore []*sheets.Request
	var misplaced int
	for _, p := range writing {
		t := p.t
		want := p.remaining()
		got := postKeys(post, t)
		for _, row := range p.change {
			if !slices.Contains(got, p.keyAt(row)) {
				r.markSent(t, p.keyAt(row))
			}
		}
		if got == nil || slices.Equal(want, got) {
			continue
		}
		// Keyed rows that should have stayed and are gone.
		short := map[string]int{}
		for _, k := range want {
			short[k]++
		}
		for _, k := range got {
			short[k]--
		}
		var rows []*sheets.RowData
		for row := 1; row < p.read.len(); row++ {
			k := p.keyAt(row)
			if k == "" || short[k] <= 0 || slices.Contains(p.change, row) {
				continue
			}
			short[k]--
			rows = append(rows, rowData(p.read.rows[row]))
		}
		misplaced++
		if len(rows) > 0 {
			restore = append(restore, &sheets.Request{AppendCells: &sheets.AppendCellsRequest{
				SheetId: t.sheetID, Rows: rows, Fields: "userEnteredValue", ForceSendFields: []string{"SheetId"}}})
		}
		fs.log.Warn("a team edit landed between a deletion's read and its write; adding back the rows deleted by mistake, at the end of the tab (values only)",
			"table", t.Tab, "rows_restored", len(rows))
	}
	if misplaced == 0 {
		n := 0
		for _, p := range writing {
			n += len(p.change)
		}
		s.count(func(st *model.Stats) { st.RowsDeleted += n })
		return nil
	}
	s.count(func(st *model.Stats) { st.Heals++ })
	if len(restore) > 0 {
		if err := s.writeHeal(fs, restore); err != nil {
			fs.log.Error("could not add back rows a misplaced deletion removed: see File > Version history", "error", err.Error())
		}
	}
	return errMoved
}

// remaining lists the keys of the rows read that the deletion keeps, in
// order, blank keys included and trailing blanks left out.
func (p *picked) remaining() []string {
	var out []string
	for row := 1; row < p.read.len(); row++ {
		if _, del := slices.BinarySearch(p.change, row); !del {
			out = append(out, p.keyAt(row))
		}
	}
	return trimBlank(out)
}

// postKeys lists the identities of a tab as a write's answer shows it, below
// the header, trailing blanks left out.
func postKeys(post postState, t *tab) []string {
	cols := t.locate(post[gridKey{t.sheetID, 0}])
	if cols[t.key] < 0 {
		return nil // the key header is gone: nothing to check against
	}
	last := 0
	for k := range post {
		if k.sheet == t.sheetID {
			last = max(last, k.start)
		}
	}
	out := make([]string, 0, last)
	for row := 1; row <= last; row++ {
		out = append(out, t.idIn(post[gridKey{t.sheetID, row}], cols))
	}
	return trimBlank(out)
}

func trimBlank(keys []string) []string {
	for len(keys) > 0 && keys[len(keys)-1] == "" {
		keys = keys[:len(keys)-1]
	}
	return keys
}

// rowBlocks groups sorted row indexes into blocks [start, end) of
// consecutive rows.
func rowBlocks(rows []int) [][2]int {
	var out [][2]int
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1][1] == r {
			out[n-1][1]++
			continue
		}
		out = append(out, [2]int{r, r + 1})
	}
	return out
}

// rowData is a row as read, in the API's shape.
func rowData(row []any) *sheets.RowData {
	vals := make([]*sheets.CellData, len(row))
	for i, v := range row {
		vals[i] = &sheets.CellData{UserEnteredValue: extValue(v)}
	}
	return &sheets.RowData{Values: vals}
}
