package gsheets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/model"
)

// ArchiveRow is one row of a tab, whole: every cell (the team's columns
// too) with its value as entered and its number format.
type ArchiveRow struct {
	// Row is its index in the grid, 0 for the header.
	Row     int
	Source  string
	Key     string
	Version int64
	Cells   []*sheets.CellData
}

// ID is the row's identity, as ArchivedTab lists it.
func (r ArchiveRow) ID() string { return model.ID(r.Source, r.Key) }

// Archiver moves rows of one table from a spreadsheet written by a Sink to
// an archive spreadsheet (scripts/archive). Every step can be repeated,
// so that a run stopped anywhere is resumed by running it again: a row is
// copied unless the archive holds its version or a newer one (an older
// copy is updated), listed in ArchivedTab unless it is already, and
// deleted from the live tab only if it still holds the version copied
// (a row updated since stays, and the next run moves it).
type Archiver struct {
	svc       *sheets.Service
	sink      *Sink // of the live spreadsheet: its deletion, its quota
	t         *tab
	archiveID string

	// What the archive and the list hold, read once: the archiver is
	// their only writer.
	archive *archiveTab
	list    *archiveTab
}

// archiveTab is a tab the archiver writes, as far as it knows it.
type archiveTab struct {
	sheetID int64
	cols    []string              // header
	held    map[string]ArchiveRow // by identity (archive) or "table\x00identity" (list)
	rows    int                   // rows, header included
}

// NewArchiver returns an archiver of table from sink's spreadsheet to the
// spreadsheet archiveID, through svc; its requests share sink's pacing.
func NewArchiver(svc *sheets.Service, sink *Sink, table, archiveID string) (*Archiver, error) {
	t, ok := sink.tabs[table]
	if !ok {
		return nil, fmt.Errorf("sheets: no tab %q configured", table)
	}
	if archiveID == "" || archiveID == sink.id {
		return nil, errors.New("sheets: the archive must be another spreadsheet")
	}
	return &Archiver{svc: svc, sink: sink, t: t, archiveID: archiveID}, nil
}

// ArchiveOf returns the archive spreadsheet the live spreadsheet's
// ArchivedTab names, "" when it has none yet.
func ArchiveOf(ctx context.Context, svc *sheets.Service, liveID string) (string, error) {
	ss, err := svc.Spreadsheets.Get(liveID).Fields("sheets(properties(sheetId,title),developerMetadata(metadataKey,metadataValue))").Context(ctx).Do()
	if err != nil {
		return "", fmt.Errorf("read spreadsheet: %w", err)
	}
	for _, sh := range ss.Sheets {
		for _, m := range sh.DeveloperMetadata {
			if m.MetadataKey == ArchivedTagKey {
				return m.MetadataValue, nil
			}
		}
	}
	return "", nil
}

// CreateArchive creates an empty archive spreadsheet and returns its id.
func CreateArchive(ctx context.Context, svc *sheets.Service, title string) (string, error) {
	ss, err := svc.Spreadsheets.Create(&sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: title}}).Context(ctx).Do()
	if err != nil {
		return "", fmt.Errorf("create archive spreadsheet: %w", err)
	}
	return ss.SpreadsheetId, nil
}

// readTab reads a tab of a spreadsheet whole: its sheet id, header and
// rows (values as entered, number formats). found is false when the
// spreadsheet has no tab of that title.
func (a *Archiver) readTab(ctx context.Context, id, title string) (sheetID int64, header []string, rows [][]*sheets.CellData, found bool, err error) {
	if err := a.sink.reads.wait(ctx); err != nil {
		return 0, nil, nil, false, err
	}
	ss, err := a.svc.Spreadsheets.Get(id).Fields("sheets(properties(sheetId,title))").Context(ctx).Do()
	if err != nil {
		return 0, nil, nil, false, fmt.Errorf("read spreadsheet: %w", err)
	}
	for _, sh := range ss.Sheets {
		if sh.Properties != nil && sh.Properties.Title == title {
			sheetID, found = sh.Properties.SheetId, true
		}
	}
	if !found {
		return 0, nil, nil, false, nil
	}
	if err := a.sink.reads.wait(ctx); err != nil {
		return 0, nil, nil, false, err
	}
	ss, err = a.svc.Spreadsheets.Get(id).Ranges(quoteTitle(title)).IncludeGridData(true).
		Fields("sheets(data(rowData(values(userEnteredValue,userEnteredFormat(numberFormat)))))").
		Context(ctx).Do()
	if err != nil {
		return 0, nil, nil, false, fmt.Errorf("read tab %q: %w", title, err)
	}
	for _, sh := range ss.Sheets {
		for _, d := range sh.Data {
			for _, r := range d.RowData {
				rows = append(rows, r.Values)
			}
		}
	}
	if len(rows) > 0 {
		for _, c := range rows[0] {
			header = append(header, cellText(c))
		}
	}
	return sheetID, header, rows, true, nil
}

// quoteTitle makes a tab's title an A1 range of the whole tab.
func quoteTitle(title string) string {
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

func cellText(c *sheets.CellData) string {
	if c == nil || c.UserEnteredValue == nil {
		return ""
	}
	v := c.UserEnteredValue
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.NumberValue != nil:
		return strconv.FormatFloat(*v.NumberValue, 'f', -1, 64)
	case v.FormulaValue != nil:
		return *v.FormulaValue
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue)
	}
	return ""
}

// identity reads the source, key and version of the rows of a tab read
// whole; rows without a key are left out.
func identity(header []string, rows [][]*sheets.CellData, key string) ([]ArchiveRow, error) {
	k, v := slices.Index(header, key), slices.Index(header, VersionHeader)
	if k < 0 || v < 0 {
		return nil, fmt.Errorf("sheets: header lacks %q or %q", key, VersionHeader)
	}
	var out []ArchiveRow
	for i := 1; i < len(rows); i++ {
		cells := rows[i]
		at := func(c int) string {
			if c < len(cells) {
				return cellText(cells[c])
			}
			return ""
		}
		if at(k) == "" {
			continue
		}
		vc := []any{at(v)}
		out = append(out, ArchiveRow{Row: i, Source: sourceOf(vc, 0), Key: at(k), Version: versionOf(vc, 0), Cells: cells})
	}
	return out, nil
}

// Read reads the live tab whole: its header and its rows.
func (a *Archiver) Read(ctx context.Context) (header []string, rows []ArchiveRow, err error) {
	_, header, grid, found, err := a.readTab(ctx, a.sink.id, a.t.Tab)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return nil, nil, fmt.Errorf("sheets: no tab %q in the spreadsheet", a.t.Tab)
	}
	rows, err = identity(header, grid, a.t.Key)
	return header, rows, err
}

// Moved says what Move did with a batch of rows.
type Moved struct {
	Copied  int // rows written to the archive (added, or newer than its copy)
	Moved   int // rows deleted from the live tab
	Left    int // rows updated since they were read: left in the live tab
	Writes  int // write requests sent (the deletion's included)
	Already int // rows the archive already held at their version
}

// Move moves rows (of the live tab, as Read returned them with header)
// to the archive, in three write requests whatever their number: copy,
// list, delete.
func (a *Archiver) Move(ctx context.Context, header []string, rows []ArchiveRow) (Moved, error) {
	var m Moved
	if len(rows) == 0 {
		return m, nil
	}
	n, err := a.copy(ctx, header, rows, &m)
	if err != nil {
		return m, err
	}
	m.Copied = n
	if err := a.record(ctx, rows, &m); err != nil {
		return m, err
	}
	sel := make([]model.Select, 0, len(rows))
	for _, r := range rows {
		s := model.Select{Tab: a.t.Tab, Keys: []string{r.Key}, Before: r.Version + 1}
		if r.Source == "" {
			s.Sources, s.Legacy = []string{"-"}, true
		} else {
			s.Sources = []string{r.Source}
		}
		sel = append(sel, s)
	}
	rep, err := a.sink.Apply(ctx, model.Delete, sel)
	if err != nil {
		return m, fmt.Errorf("delete the moved rows: %w", err)
	}
	m.Writes++
	m.Moved = rep.Changed()
	m.Left = len(rows) - m.Moved
	return m, nil
}

// copy writes the rows to the archive's tab of the same title, in one
// request: the tab and its header when missing (columns the archive lacks
// are added to its header), each row appended, or written whole over an
// older copy of it.
func (a *Archiver) copy(ctx context.Context, header []string, rows []ArchiveRow, m *Moved) (int, error) {
	var reqs []*sheets.Request
	if a.archive == nil {
		at, err := a.open(ctx, a.archiveID, a.t.Tab, func(cols []string, grid [][]*sheets.CellData) (map[string]ArchiveRow, error) {
			held := map[string]ArchiveRow{}
			if len(grid) < 2 {
				return held, nil
			}
			have, err := identity(cols, grid, a.t.Key)
			for _, r := range have {
				held[r.ID()] = r
			}
			return held, err
		}, &reqs, header)
		if err != nil {
			return 0, err
		}
		a.archive = at
	}
	at := a.archive
	var added []string
	for _, h := range header {
		if h != "" && !slices.Contains(at.cols, h) {
			added = append(added, h)
		}
	}
	if len(added) > 0 {
		if len(at.cols) > 0 {
			// An archive made before the team added columns: room for them.
			reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{SheetId: at.sheetID, Dimension: "COLUMNS", Length: int64(len(added)), ForceSendFields: []string{"SheetId"}}})
		}
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: at.sheetID, RowIndex: 0, ColumnIndex: int64(len(at.cols)), ForceSendFields: []string{"SheetId", "RowIndex"}},
			Rows:   []*sheets.RowData{textRow(added...)},
			Fields: "userEnteredValue"}})
	}
	cols := append(slices.Clone(at.cols), added...)
	place := func(r ArchiveRow) *sheets.RowData {
		out := make([]*sheets.CellData, len(cols))
		for i, h := range header {
			if c := slices.Index(cols, h); c >= 0 && i < len(r.Cells) && r.Cells[i] != nil {
				out[c] = r.Cells[i]
			}
		}
		for i := range out {
			if out[i] == nil {
				out[i] = &sheets.CellData{}
			}
		}
		return &sheets.RowData{Values: out}
	}
	const fields = "userEnteredValue,userEnteredFormat.numberFormat"
	var appended []*sheets.RowData
	next := map[string]ArchiveRow{}
	n := 0
	for _, r := range rows {
		h, ok := at.held[r.ID()]
		switch {
		case ok && h.Version >= r.Version:
			m.Already++
			continue
		case ok:
			reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
				Start:  &sheets.GridCoordinate{SheetId: at.sheetID, RowIndex: int64(h.Row), ForceSendFields: []string{"SheetId", "ColumnIndex"}},
				Rows:   []*sheets.RowData{place(r)},
				Fields: fields}})
			next[r.ID()] = ArchiveRow{Row: h.Row, Source: r.Source, Key: r.Key, Version: r.Version}
		default:
			appended = append(appended, place(r))
			next[r.ID()] = ArchiveRow{Row: at.rows + len(appended) - 1, Source: r.Source, Key: r.Key, Version: r.Version}
		}
		n++
	}
	if len(appended) > 0 {
		reqs = append(reqs, &sheets.Request{AppendCells: &sheets.AppendCellsRequest{SheetId: at.sheetID, Rows: appended,
			Fields: fields, ForceSendFields: []string{"SheetId"}}})
	}
	if len(reqs) == 0 {
		return 0, nil
	}
	if err := a.write(ctx, a.archiveID, reqs); err != nil {
		a.archive = nil // read it again: the write may have landed
		return 0, fmt.Errorf("copy to the archive: %w", err)
	}
	m.Writes++
	at.cols, at.rows = cols, at.rows+len(appended)
	maps.Copy(at.held, next)
	return n, nil
}

// open reads a tab the archiver writes, or plans its creation (with
// header) in reqs; index makes its rows' index from its header and rows.
func (a *Archiver) open(ctx context.Context, id, title string, index func([]string, [][]*sheets.CellData) (map[string]ArchiveRow, error), reqs *[]*sheets.Request, header []string) (*archiveTab, error) {
	sheetID, cols, grid, found, err := a.readTab(ctx, id, title)
	if err != nil {
		return nil, err
	}
	if !found {
		sheetID = rand.Int64N(1<<31-2) + 1
		p := &sheets.SheetProperties{SheetId: sheetID, Title: title, Hidden: title == ArchivedTab,
			GridProperties: &sheets.GridProperties{RowCount: 2, ColumnCount: int64(len(header)), FrozenRowCount: 1}}
		*reqs = append(*reqs, &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: p}})
		if title == ArchivedTab {
			*reqs = append(*reqs,
				&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
					MetadataKey: ArchivedTagKey, MetadataValue: a.archiveID, Visibility: "DOCUMENT",
					Location: &sheets.DeveloperMetadataLocation{SheetId: sheetID, ForceSendFields: []string{"SheetId"}}}}},
				&sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
					Start:  &sheets.GridCoordinate{SheetId: sheetID, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
					Rows:   []*sheets.RowData{textRow(header...)},
					Fields: "userEnteredValue"}})
			cols = header
		}
		return &archiveTab{sheetID: sheetID, cols: cols, held: map[string]ArchiveRow{}, rows: 1}, nil
	}
	for len(cols) > 0 && cols[len(cols)-1] == "" {
		cols = cols[:len(cols)-1]
	}
	held, err := index(cols, grid)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", title, err)
	}
	return &archiveTab{sheetID: sheetID, cols: cols, held: held, rows: max(1, len(grid))}, nil
}

// texts is a row of text cells.
func textRow(vals ...string) *sheets.RowData {
	out := make([]*sheets.CellData, len(vals))
	for i := range vals {
		out[i] = &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{StringValue: &vals[i]}}
	}
	return &sheets.RowData{Values: out}
}

// record adds the rows to the live spreadsheet's ArchivedTab, creating it
// (hidden, tagged with the archive's id) when missing; rows listed
// already are not listed again.
func (a *Archiver) record(ctx context.Context, rows []ArchiveRow, m *Moved) error {
	var reqs []*sheets.Request
	if a.list == nil {
		lt, err := a.open(ctx, a.sink.id, ArchivedTab, func(_ []string, grid [][]*sheets.CellData) (map[string]ArchiveRow, error) {
			held := map[string]ArchiveRow{}
			for _, r := range grid[min(1, len(grid)):] {
				if len(r) >= 2 {
					held[cellText(r[0])+"\x00"+cellText(r[1])] = ArchiveRow{}
				}
			}
			return held, nil
		}, &reqs, ArchivedHeader)
		if err != nil {
			return err
		}
		// The first row is under the header: updateCells above wrote it
		// when the tab is new.
		if len(reqs) > 0 {
			lt.rows = 1
		}
		a.list = lt
	}
	lt := a.list
	var add []*sheets.RowData
	var keys []string
	for _, r := range rows {
		k := a.t.Tab + "\x00" + r.ID()
		if _, ok := lt.held[k]; ok || slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		add = append(add, textRow(a.t.Tab, r.ID()))
	}
	if len(add) > 0 {
		reqs = append(reqs, &sheets.Request{AppendCells: &sheets.AppendCellsRequest{SheetId: lt.sheetID, Rows: add,
			Fields: "userEnteredValue", ForceSendFields: []string{"SheetId"}}})
	}
	if len(reqs) == 0 {
		return nil
	}
	if err := a.write(ctx, a.sink.id, reqs); err != nil {
		a.list = nil
		return fmt.Errorf("list the archived rows: %w", err)
	}
	m.Writes++
	for _, k := range keys {
		lt.held[k] = ArchiveRow{}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// write sends one batchUpdate, paced by the sink's write quota.
func (a *Archiver) write(ctx context.Context, id string, reqs []*sheets.Request) error {
	if err := a.sink.writes.wait(ctx); err != nil {
		return err
	}
	_, err := a.svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Fields("spreadsheetId").Context(ctx).Do()
	return err
}
