package sheets

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	sheetsapi "google.golang.org/api/sheets/v4"
)

// TabTagKey is the key of the developer metadata that marks a tab as the
// one of a configured table (the value is the configured tab name), so
// that a tab the team renamed is still found after a restart.
const TabTagKey = "safeview.tab"

// loadTimeout bounds reading a tab's index. It is not bounded by the
// deadlines of the deliveries waiting: a large tab may take longer than
// one delivery may wait, and the next delivery finds it indexed.
const loadTimeout = 30 * time.Second

// errNoKeyColumn means a tab holds rows but not the key column's header:
// writing would add every order again.
var errNoKeyColumn = errors.New("no key column")

// load finds the tab (creating it when missing), maps the owned headers to
// their columns (adding the missing ones at the end of the header), and
// indexes the key column. It costs three reads (the spreadsheet, the
// header, the key and version columns; a fourth when a column is added),
// once per instance and again only after the team changed the sheet
// under the index. The flush that follows uses what it read instead of
// verifying it again.
func (s *Sink) load(fs *flushState, t *tab) error {
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	if t.indexed {
		s.count(func(st *Stats) { st.Reindexes++ })
	}
	if err := s.findTab(ctx, fs, t); err != nil {
		return err
	}
	hdr, err := s.readGrid(ctx, fs, t, "read header", "ROWS", []*sheetsapi.GridRange{t.rowGrid(0)})
	if err != nil {
		return err
	}
	if err := s.ensureHeader(ctx, fs, t, first(hdr[gridKey{t.sheetID, 0}])); err != nil {
		return err
	}
	cols, err := s.readGrid(ctx, fs, t, "read key column", "COLUMNS",
		[]*sheetsapi.GridRange{t.colGrid(t.cols[t.key]), t.colGrid(t.cols[t.version])})
	if err != nil {
		return err
	}
	keys := first(cols[gridKey{t.sheetID, t.cols[t.key]}])
	versions := first(cols[gridKey{t.sheetID, t.cols[t.version]}])
	t.index = map[string]entry{}
	t.lastRow, t.unsure = 0, nil
	dups := map[string][]int{}
	for row := 1; row < len(keys); row++ {
		k := cellString(keys, row)
		if k == "" {
			continue
		}
		t.lastRow = row
		if e, dup := t.index[k]; dup {
			if len(dups[k]) == 0 {
				dups[k] = []int{e.row}
			}
			dups[k] = append(dups[k], row)
			continue
		}
		t.index[k] = entry{row: row, version: versionOf(versions, row)}
	}
	t.fresh = len(dups) == 0
	if len(dups) > 0 {
		if err := s.repairDuplicates(ctx, fs, t, dups); err != nil {
			return err
		}
	}
	t.loaded, t.indexed = true, true
	return nil
}

// findTab finds the configured tab: the one tagged with its name (which
// survives a rename), else the one titled with it; and creates it, tagged,
// when there is none.
func (s *Sink) findTab(ctx context.Context, fs *flushState, t *tab) error {
	if err := s.readToken(ctx, fs); err != nil {
		return newCallError("read spreadsheet (waiting for read quota)", t, err)
	}
	ss, err := s.svc.Spreadsheets.Get(s.id).
		Fields("sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(metadataKey,metadataValue))").
		Context(ctx).Do()
	if err != nil {
		return newCallError("read spreadsheet", t, err)
	}
	var known, tagged, titled []*sheetsapi.Sheet
	s.undo = undoTab{}
	for _, sh := range ss.Sheets {
		if sh.Properties == nil {
			continue
		}
		if isUndoTab(sh) {
			s.undo = undoOf(sh.Properties)
			continue
		}
		if t.indexed && sh.Properties.SheetId == t.sheetID {
			known = append(known, sh)
		}
		for _, m := range sh.DeveloperMetadata {
			if m.MetadataKey == TabTagKey && m.MetadataValue == t.Tab {
				tagged = append(tagged, sh)
				break
			}
		}
		if sh.Properties.Title == t.Tab {
			titled = append(titled, sh)
		}
	}
	var found *sheetsapi.Sheet
	switch {
	case len(known) == 1: // the tab this instance wrote, whatever its title now
		found = known[0]
	case len(tagged) == 1:
		found = tagged[0]
	case len(tagged) > 1:
		// A copy of the tab carries the tag too: the title decides.
		for _, sh := range tagged {
			if sh.Properties.Title == t.Tab {
				found = sh
			}
		}
		if found == nil {
			return fmt.Errorf("%w: %d tabs are tagged as tab %q and none has that title: rename the right one back", ErrUnavailable, len(tagged), t.Tab)
		}
	case len(titled) == 1:
		found = titled[0]
	}
	if found == nil {
		return s.addTab(ctx, fs, t)
	}
	p := found.Properties
	if p.Title != t.Tab {
		fs.log.Info("tab was renamed; following it", "table", t.Tab, "title", p.Title)
	}
	t.sheetID, t.title = p.SheetId, p.Title
	t.rowCount, t.colCount = 0, 0
	if g := p.GridProperties; g != nil {
		t.rowCount, t.colCount = g.RowCount, g.ColumnCount
	}
	t.tagged = false
	for _, m := range found.DeveloperMetadata {
		if m.MetadataKey == TabTagKey && m.MetadataValue == t.Tab {
			t.tagged = true
		}
	}
	return nil
}

// addTab creates the tab, tagged, in one request. The sheet id is chosen
// here so that the tag can name it in the same request.
func (s *Sink) addTab(ctx context.Context, fs *flushState, t *tab) error {
	id := rand.Int64N(1<<31-2) + 1
	if err := s.writeToken(ctx, fs); err != nil {
		return newCallError("add tab (waiting for write quota)", t, err)
	}
	resp, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{SheetId: id, Title: t.Tab}}},
		{CreateDeveloperMetadata: tagRequest(id, t.Tab)},
	}}).Context(ctx).Do()
	if err != nil {
		return newCallError("add tab", t, err)
	}
	p := resp.Replies[0].AddSheet.Properties
	t.sheetID, t.title, t.tagged = p.SheetId, p.Title, true
	t.rowCount, t.colCount = 0, 0
	if g := p.GridProperties; g != nil {
		t.rowCount, t.colCount = g.RowCount, g.ColumnCount
	}
	fs.log.Info("created tab", "table", t.Tab)
	return nil
}

func tagRequest(sheetID int64, name string) *sheetsapi.CreateDeveloperMetadataRequest {
	return &sheetsapi.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheetsapi.DeveloperMetadata{
		MetadataKey: TabTagKey, MetadataValue: name, Visibility: "DOCUMENT",
		Location: &sheetsapi.DeveloperMetadataLocation{SheetId: sheetID, ForceSendFields: []string{"SheetId"}},
	}}
}

// ensureHeader maps each owned header to its column and adds the missing
// ones after the last header cell, in fresh columns when the tab holds
// data (so that nothing the team keeps there is overwritten), and tags the
// tab. A new tab also gets its header row frozen; the version column is
// hidden. A tab that holds rows but lacks the key column is refused: a new
// key column would be empty, and every order would be added again.
func (s *Sink) ensureHeader(ctx context.Context, fs *flushState, t *tab, header []any) error {
	t.cols = make([]int, len(t.headers))
	next := len(header)
	for next > 0 && cellString(header, next-1) == "" {
		next--
	}
	freshTab := next == 0
	var missing []int
	for i, h := range t.headers {
		at := slices.IndexFunc(header, func(v any) bool { return cellString([]any{v}, 0) == h })
		t.cols[i] = at
		if at < 0 {
			missing = append(missing, i)
		}
	}
	var reqs []*sheetsapi.Request
	if len(missing) > 0 {
		// Does the tab hold anything below the header where the columns
		// would go (anywhere, when the key column is the one missing)?
		// One read, only when a column has to be added.
		from := next
		if t.cols[t.key] < 0 {
			from = 0
		}
		hasData := false
		if int64(from) < t.colCount && t.rowCount > 1 {
			body, err := s.readGrid(ctx, fs, t, "read tab", "ROWS", []*sheetsapi.GridRange{{
				SheetId: t.sheetID, StartRowIndex: 1, StartColumnIndex: int64(from),
				ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}})
			if err != nil {
				return err
			}
			hasData = holdsData(body[gridKey{t.sheetID, 1}])
		}
		if t.cols[t.key] < 0 && hasData {
			return fmt.Errorf("%w: tab %q: %w %q, but it holds rows: rename the column back to %q (every order would be added again otherwise)",
				ErrUnavailable, t.title, errNoKeyColumn, t.Key, t.Key)
		}
		for _, i := range missing {
			at := next
			next++
			t.cols[i] = at
			switch {
			case int64(at) >= t.colCount:
				reqs = append(reqs, &sheetsapi.Request{AppendDimension: &sheetsapi.AppendDimensionRequest{SheetId: t.sheetID, Dimension: "COLUMNS", Length: 1}})
				t.colCount++
			case hasData:
				// A fresh column: whatever the team keeps beyond the
				// header moves right instead of being overwritten.
				reqs = append(reqs, &sheetsapi.Request{InsertDimension: &sheetsapi.InsertDimensionRequest{
					Range: &sheetsapi.DimensionRange{SheetId: t.sheetID, Dimension: "COLUMNS", StartIndex: int64(at), EndIndex: int64(at) + 1,
						ForceSendFields: []string{"SheetId", "StartIndex"}}}})
				t.colCount++
			}
			text := t.headers[i]
			reqs = append(reqs, &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{
				Start:  &sheetsapi.GridCoordinate{SheetId: t.sheetID, RowIndex: 0, ColumnIndex: int64(at), ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
				Rows:   []*sheetsapi.RowData{{Values: []*sheetsapi.CellData{{UserEnteredValue: &sheetsapi.ExtendedValue{StringValue: &text}}}}},
				Fields: "userEnteredValue",
			}})
			if i == t.version {
				reqs = append(reqs, &sheetsapi.Request{UpdateDimensionProperties: &sheetsapi.UpdateDimensionPropertiesRequest{
					Range:      &sheetsapi.DimensionRange{SheetId: t.sheetID, Dimension: "COLUMNS", StartIndex: int64(at), EndIndex: int64(at) + 1, ForceSendFields: []string{"SheetId", "StartIndex"}},
					Properties: &sheetsapi.DimensionProperties{HiddenByUser: true},
					Fields:     "hiddenByUser",
				}})
			}
		}
		if freshTab {
			reqs = append(reqs, &sheetsapi.Request{UpdateSheetProperties: &sheetsapi.UpdateSheetPropertiesRequest{
				Properties: &sheetsapi.SheetProperties{SheetId: t.sheetID, GridProperties: &sheetsapi.GridProperties{FrozenRowCount: 1}, ForceSendFields: []string{"SheetId"}},
				Fields:     "gridProperties.frozenRowCount",
			}})
		}
	}
	if !t.tagged {
		reqs = append(reqs, &sheetsapi.Request{CreateDeveloperMetadata: tagRequest(t.sheetID, t.Tab)})
	}
	if len(reqs) == 0 {
		return nil
	}
	if err := s.writeToken(ctx, fs); err != nil {
		return newCallError("write header (waiting for write quota)", t, err)
	}
	if _, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do(); err != nil {
		return newCallError("write header", t, err)
	}
	t.tagged = true
	if len(missing) > 0 {
		fs.log.Info("added columns", "table", t.Tab, "columns_added", len(missing))
	}
	return nil
}
