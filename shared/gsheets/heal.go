package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"math/rand/v2"
	"slices"
	"time"

	"google.golang.org/api/sheets/v4"
)

// UndoTab is the title of the hidden tab where each flush copies, inside
// its own atomic write, the cells it is about to overwrite. Should the
// write's answer show that a team edit moved the rows or the columns in
// the round trip between the flush's verification read and its write, the
// copy is pasted back: the cells the write should not have touched get
// back exactly what they held, formats included.
const UndoTab = "_safeview_undo"

// UndoTagKey is the key of the developer metadata that marks the undo tab.
const UndoTagKey = "safeview.undo"

// undoTab is what the sink knows of the undo tab.
type undoTab struct {
	exists     bool
	sheetID    int64
	rows, cols int64
}

func isUndoTab(sh *sheets.Sheet) bool {
	for _, m := range sh.DeveloperMetadata {
		if m.MetadataKey == UndoTagKey {
			return true
		}
	}
	return sh.Properties.Title == UndoTab
}

func undoOf(p *sheets.SheetProperties) undoTab {
	u := undoTab{exists: true, sheetID: p.SheetId}
	if g := p.GridProperties; g != nil {
		u.rows, u.cols = g.RowCount, g.ColumnCount
	}
	return u
}

// undoRequests make sure the undo tab can hold rows×cols, creating it
// hidden and tagged in the same write when it does not exist yet, and
// return the state it will have once the write lands.
func (s *Sink) undoRequests(rows, cols int64) ([]*sheets.Request, undoTab) {
	u := s.undo
	if !u.exists {
		u = undoTab{exists: true, sheetID: rand.Int64N(1<<31-2) + 1, rows: rows, cols: cols}
		return []*sheets.Request{
			{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
				SheetId: u.sheetID, Title: UndoTab, Hidden: true,
				GridProperties: &sheets.GridProperties{RowCount: rows, ColumnCount: cols},
			}}},
			{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
				MetadataKey: UndoTagKey, MetadataValue: "cells a flush overwrote, for undoing a misplaced write", Visibility: "DOCUMENT",
				Location: &sheets.DeveloperMetadataLocation{SheetId: u.sheetID, ForceSendFields: []string{"SheetId"}},
			}}},
		}, u
	}
	var reqs []*sheets.Request
	if rows > u.rows {
		reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
			SheetId: u.sheetID, Dimension: "ROWS", Length: rows - u.rows, ForceSendFields: []string{"SheetId"}}})
		u.rows = rows
	}
	if cols > u.cols {
		reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
			SheetId: u.sheetID, Dimension: "COLUMNS", Length: cols - u.cols, ForceSendFields: []string{"SheetId"}}})
		u.cols = cols
	}
	return reqs, u
}

// copyRun copies the cells of one run of columns of a row to another row,
// possibly of another tab, at the same columns.
func copyRun(fromSheet int64, fromRow int, toSheet int64, toRow, c0, c1 int) *sheets.Request {
	g := func(sheet int64, row int) *sheets.GridRange {
		return &sheets.GridRange{SheetId: sheet, StartRowIndex: int64(row), EndRowIndex: int64(row) + 1,
			StartColumnIndex: int64(c0), EndColumnIndex: int64(c1),
			ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
	}
	return &sheets.Request{CopyPaste: &sheets.CopyPasteRequest{
		Source: g(fromSheet, fromRow), Destination: g(toSheet, toRow), PasteType: "PASTE_NORMAL"}}
}

// span is the sheet columns [c0, c1) of a run.
func (t *tab) span(run []int) (int, int) {
	return t.cols[run[0]], t.cols[run[len(run)-1]] + 1
}

// heal repairs a write whose answer shows that the team changed the sheet
// in the round trip between the flush's verification read and its write.
// Every overwritten cell of a row that no longer held the intended key,
// or of a column that moved, gets its content back from the undo copy;
// rows that did hold their key get their owned cells rewritten where the
// columns now are. The keys whose update landed elsewhere stay pending:
// the tab is indexed again and the next try writes them to their rows.
func (s *Sink) heal(fs *flushState, p *writePlan, resp *sheets.BatchUpdateSpreadsheetResponse, bad map[*tab]bool) error {
	post := postOf(resp)
	var reqs []*sheets.Request
	var done []*keyOps
	var moved []int // rows, as the write found them, whose update goes again
	clearUndo := false
	for slot, g := range p.updates {
		t := g.t
		if !bad[t] {
			done = append(done, g)
			continue
		}
		header := post[gridKey{t.sheetID, 0}]
		postCols := t.locate(header)
		sameHeader := t.headerMatches(header)
		owner := t.idIn(post[gridKey{t.sheetID, g.row}], postCols)
		if sameHeader && owner == g.key {
			done = append(done, g)
			continue
		}
		// Undo what this row's write overwrote.
		for _, run := range t.runs(t.key) {
			c0, c1 := t.span(run)
			reqs = append(reqs, copyRun(p.undo.sheetID, slot, t.sheetID, g.row, c0, c1))
		}
		clearUndo = clearUndo || !sameHeader
		if owner == g.key && !slices.Contains(postCols, -1) {
			// The right row, but the columns moved: write it where they are.
			reqs = append(reqs, t.cellsAt(g.row, postCols, t.key, g.win.row, g.erased)...)
			done = append(done, g)
			continue
		}
		moved = append(moved, g.row+1)
	}
	for t, news := range p.inserts {
		header := post[gridKey{t.sheetID, 0}]
		if !bad[t] || t.headerMatches(header) {
			done = append(done, news...)
			continue
		}
		// New rows, written to columns that moved: clear them and write
		// them again where the columns now are.
		postCols := t.locate(header)
		at := p.at[t]
		for _, run := range t.runs(-1) {
			c0, c1 := t.span(run)
			reqs = append(reqs, clearCells(t.sheetID, at, at+len(news), c0, c1))
		}
		if postCols[t.key] < 0 {
			for i := range news {
				moved = append(moved, at+i+1)
			}
			continue
		}
		for i, g := range news {
			reqs = append(reqs, t.cellsAt(at+i, postCols, -1, g.win.row, false)...)
			done = append(done, g)
		}
	}
	if clearUndo {
		// The undo copy may hold the team's cells: do not keep them.
		reqs = append(reqs, clearCells(p.undo.sheetID, 0, len(p.updates), 0, int(p.undo.cols)))
	}
	s.undo = p.undo
	p.commit(bad) // the other tabs' new rows landed where intended
	s.commitMarks(p)
	for t := range bad {
		t.loaded = false
	}
	s.count(func(st *model.Stats) { st.Heals++ })
	// model.Row numbers and counts only: a key need not be an order id.
	fs.log.Warn("a team edit landed between a flush's read and its write; undoing the misplaced cells",
		"tables", len(bad), "rows_written_again", len(moved), "rows", moved)
	if err := s.writeHeal(fs, reqs); err != nil {
		fs.log.Error("could not undo a misplaced write: these rows may show other rows' values until their next delivery",
			"rows", moved, "error", err.Error())
		return errMoved
	}
	settle(done)
	return errMoved
}

// writeHeal sends the repair, retrying a transient failure a few times:
// the undo copy is only good until the next flush.
func (s *Sink) writeHeal(fs *flushState, reqs []*sheets.Request) error {
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	var err error
	for try, wait := 0, backoffMin; try < 3; try, wait = try+1, 2*wait {
		if err = s.writeToken(ctx, fs); err != nil {
			return err
		}
		_, err = s.svc.Spreadsheets.BatchUpdate(s.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		if err == nil {
			return nil
		}
		if err = newCallError("undo a misplaced write", nil, err); !retryable(err) {
			return err
		}
		time.Sleep(wait)
	}
	return err
}

// locate finds each owned header in a header row: its column, or -1.
func (t *tab) locate(header []any) []int {
	out := make([]int, len(t.headers))
	for i, h := range t.headers {
		out[i] = slices.IndexFunc(header, func(v any) bool { return cellString([]any{v}, 0) == h })
	}
	return out
}

// cellsAt writes the owned cells of r (but skip) at the given columns.
func (t *tab) cellsAt(row int, cols []int, skip int, r model.Row, erased bool) []*sheets.Request {
	var reqs []*sheets.Request
	for i, col := range cols {
		if i == skip || col < 0 {
			continue
		}
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{SheetId: t.sheetID, RowIndex: int64(row), ColumnIndex: int64(col),
				ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{cellData(t.cellOf(r, erased, i))}}},
			Fields: cellFields,
		}})
	}
	return reqs
}

// clearCells empties a block: values, formats and notes.
func clearCells(sheet int64, r0, r1, c0, c1 int) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Range: &sheets.GridRange{SheetId: sheet, StartRowIndex: int64(r0), EndRowIndex: int64(r1),
			StartColumnIndex: int64(c0), EndColumnIndex: int64(c1),
			ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}},
		Fields: "userEnteredValue,userEnteredFormat,note",
	}}
}
