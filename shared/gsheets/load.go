package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"google.golang.org/api/sheets/v4"
)

// TabTagKey is the key of the developer metadata that marks a tab as the
// one of a configured table (the value is the configured tab name), so
// that a tab the team renamed is still found after a restart.
const TabTagKey = "safeview.tab"

// loadTimeout bounds reading the index. It is not bounded by the
// deadlines of the deliveries waiting: a large tab may take longer than
// one delivery may wait, and the next delivery finds it indexed.
const loadTimeout = 30 * time.Second

// newTabRows and newTabCols are the grid of a tab the sink creates:
// Google's default size, wide enough for every owned header.
const (
	newTabRows = 1000
	newTabCols = 26
)

// errNoKeyColumn means a tab holds rows but not the key column's header:
// writing would add every order again.
var errNoKeyColumn = errors.New("no key column")

// loadTabs indexes, in one go, every configured tab that is not loaded:
// it finds the tabs (creating the missing ones), maps the owned headers
// to their columns (adding the missing ones at the end of each header),
// and reads the key and version columns. Whatever the number of tabs, it
// costs one spreadsheets.get, one read of every header, one read of every
// key and version column, and at most one write (new tabs, headers and
// tags together); one read more when a column must be added to a tab
// that holds rows, and one read and one write more when duplicate rows
// are merged. That happens once per instance, and again only after the
// team changed a tab under its index: a cold start that indexed one tab
// at a time spent four reads a tab, more than the read quota's burst.
//
// It returns the tabs that cannot be written until someone fixes them
// (a key column renamed away, two tabs claiming the same table); their
// rows fail, the other tabs' go on. An error means nothing was indexed.
func (s *Sink) loadTabs(fs *flushState) (map[*tab]error, error) {
	var need []*tab
	for _, t := range s.order {
		if !t.loaded {
			need = append(need, t)
		}
	}
	if len(need) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	for _, t := range need {
		if t.indexed {
			s.count(func(st *model.Stats) { st.Reindexes++ })
		}
	}
	broken := map[*tab]error{}
	created, err := s.findTabs(ctx, fs, need, broken)
	if err != nil {
		return nil, err
	}
	live := slices.DeleteFunc(slices.Clone(need), func(t *tab) bool { return broken[t] != nil })
	if len(live) == 0 {
		return broken, nil
	}
	cols, err := s.ensureHeaders(ctx, fs, live, created, broken)
	if err != nil {
		return broken, err
	}
	live = slices.DeleteFunc(live, func(t *tab) bool { return broken[t] != nil })
	dups := map[*tab]map[string][]int{}
	for _, t := range live {
		if d := t.rebuild(cols[t]); len(d) > 0 {
			dups[t] = d
		}
	}
	if len(dups) > 0 {
		if err := s.repairDuplicates(ctx, fs, dups); err != nil {
			return broken, err
		}
	}
	for _, t := range live {
		t.loaded, t.indexed = true, true
	}
	return broken, nil
}

// findTabs finds each tab in one spreadsheets.get: the one tagged with
// its name (which survives a rename), else the one titled with it. It
// returns the tabs to create, with the sheet id they will get.
func (s *Sink) findTabs(ctx context.Context, fs *flushState, tabs []*tab, broken map[*tab]error) (map[*tab]bool, error) {
	if err := s.readToken(ctx, fs); err != nil {
		return nil, newCallError("read spreadsheet (waiting for read quota)", tabs[0], err)
	}
	ss, err := s.svc.Spreadsheets.Get(s.id).
		Fields("sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(metadataId,metadataKey,metadataValue))").
		Context(ctx).Do()
	if err != nil {
		return nil, newCallError("read spreadsheet", tabs[0], err)
	}
	s.undo = undoTab{}
	s.marks.exists = false
	s.hasArchived = false
	var listed []*sheets.Sheet
	for _, sh := range ss.Sheets {
		if sh.Properties == nil {
			continue
		}
		if isArchivedTab(sh) {
			s.archivedSheet, s.hasArchived = sh.Properties.SheetId, true
			continue
		}
		if isUndoTab(sh) {
			s.undo = undoOf(sh.Properties)
			continue
		}
		if isMarksTab(sh) {
			s.marks.found(sh)
			continue
		}
		listed = append(listed, sh)
	}
	created := map[*tab]bool{}
	for _, t := range tabs {
		found, err := t.find(listed)
		switch {
		case err != nil:
			broken[t] = err
		case found == nil:
			created[t] = true
			t.sheetID, t.title, t.tagged, t.mergeToken = rand.Int64N(1<<31-2)+1, t.Tab, true, 0
			t.rowCount, t.colCount = newTabRows, int64(max(newTabCols, len(t.headers)))
		default:
			t.adopt(found)
			if t.title != t.Tab {
				fs.log.Info("tab was renamed; following it", "table", t.Tab, "title", t.title)
			}
		}
	}
	s.countGrids(ss.Sheets)
	return created, nil
}

// find picks the tab's sheet among the spreadsheet's: the one this
// instance wrote, whatever its title now; else the one tagged with its
// name; else the one titled with it. Nil means there is none.
func (t *tab) find(listed []*sheets.Sheet) (*sheets.Sheet, error) {
	var known, tagged, titled []*sheets.Sheet
	for _, sh := range listed {
		if t.indexed && sh.Properties.SheetId == t.sheetID {
			known = append(known, sh)
		}
		if hasTag(sh, t.Tab) {
			tagged = append(tagged, sh)
		}
		if sh.Properties.Title == t.Tab {
			titled = append(titled, sh)
		}
	}
	switch {
	case len(known) == 1:
		return known[0], nil
	case len(tagged) == 1:
		return tagged[0], nil
	case len(tagged) > 1:
		// A copy of the tab carries the tag too: the title decides.
		for _, sh := range tagged {
			if sh.Properties.Title == t.Tab {
				return sh, nil
			}
		}
		return nil, fmt.Errorf("%w: %d tabs are tagged as tab %q and none has that title: rename the right one back", model.ErrUnavailable, len(tagged), t.Tab)
	case len(titled) == 1:
		return titled[0], nil
	}
	return nil, nil
}

// adopt records what the spreadsheet says of the tab's sheet.
func (t *tab) adopt(sh *sheets.Sheet) {
	p := sh.Properties
	t.sheetID, t.title = p.SheetId, p.Title
	t.rowCount, t.colCount = 0, 0
	if g := p.GridProperties; g != nil {
		t.rowCount, t.colCount = g.RowCount, g.ColumnCount
	}
	t.tagged = hasTag(sh, t.Tab)
	t.mergeToken = mergeTokenOf(sh)
}

func hasTag(sh *sheets.Sheet, name string) bool {
	return slices.ContainsFunc(sh.DeveloperMetadata, func(m *sheets.DeveloperMetadata) bool {
		return m.MetadataKey == TabTagKey && m.MetadataValue == name
	})
}

func tagRequest(sheetID int64, name string) *sheets.CreateDeveloperMetadataRequest {
	return &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
		MetadataKey: TabTagKey, MetadataValue: name, Visibility: "DOCUMENT",
		Location: &sheets.DeveloperMetadataLocation{SheetId: sheetID, ForceSendFields: []string{"SheetId"}},
	}}
}

// addTabRequest creates a tab with the id findTabs chose, so that the
// requests after it in the same write can address it.
func (t *tab) addTabRequest() []*sheets.Request {
	return []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
			SheetId: t.sheetID, Title: t.Tab,
			GridProperties: &sheets.GridProperties{RowCount: t.rowCount, ColumnCount: t.colCount},
		}}},
		{CreateDeveloperMetadata: tagRequest(t.sheetID, t.Tab)},
	}
}

// headerPlan is what one tab's header row says is missing.
type headerPlan struct {
	t       *tab
	next    int   // the column after the last header cell
	fresh   bool  // the header row is empty
	missing []int // owned headers to add, as indexes into t.headers
	// probe is the first column whose cells below the header must be
	// checked for data before columns are added; -1 when none need be.
	probe int
}

// planHeader maps each owned header to its column in the header row.
func (t *tab) planHeader(header []any, created bool) headerPlan {
	p := headerPlan{t: t, next: len(header), probe: -1}
	for p.next > 0 && cellString(header, p.next-1) == "" {
		p.next--
	}
	p.fresh = p.next == 0
	t.cols = t.locate(header)
	for i, at := range t.cols {
		if at < 0 {
			p.missing = append(p.missing, i)
		}
	}
	if len(p.missing) > 0 && !created {
		// Does the tab hold anything below the header where the columns
		// would go (anywhere, when the key column is the one missing)?
		from := p.next
		if t.cols[t.key] < 0 {
			from = 0
		}
		if int64(from) < t.colCount && t.rowCount > 1 {
			p.probe = from
		}
	}
	return p
}

// requests adds the missing owned headers after the last header cell, in
// fresh columns when the tab holds data (so that nothing the team keeps
// there is overwritten), and tags the tab. A fresh tab also gets its
// header row frozen; the version column is hidden. A tab that holds rows
// but lacks the key column is refused: a new key column would be empty,
// and every order would be added again.
func (p headerPlan) requests(hasData bool) ([]*sheets.Request, error) {
	t := p.t
	if t.cols[t.key] < 0 && hasData {
		return nil, fmt.Errorf("%w: tab %q: %w %q, but it holds rows: rename the column back to %q (every order would be added again otherwise)",
			model.ErrUnavailable, t.title, errNoKeyColumn, t.Key, t.Key)
	}
	var reqs []*sheets.Request
	next := p.next
	for _, i := range p.missing {
		at := next
		next++
		t.cols[i] = at
		switch {
		case int64(at) >= t.colCount:
			reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{SheetId: t.sheetID, Dimension: "COLUMNS", Length: 1}})
			t.colCount++
		case hasData:
			// A fresh column: whatever the team keeps beyond the header
			// moves right instead of being overwritten.
			reqs = append(reqs, &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{
				Range: &sheets.DimensionRange{SheetId: t.sheetID, Dimension: "COLUMNS", StartIndex: int64(at), EndIndex: int64(at) + 1,
					ForceSendFields: []string{"SheetId", "StartIndex"}}}})
			t.colCount++
		}
		text := t.headers[i]
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: t.sheetID, RowIndex: 0, ColumnIndex: int64(at), ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: &sheets.ExtendedValue{StringValue: &text}}}}},
			Fields: "userEnteredValue",
		}})
		if i == t.version {
			reqs = append(reqs, &sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{
				Range:      &sheets.DimensionRange{SheetId: t.sheetID, Dimension: "COLUMNS", StartIndex: int64(at), EndIndex: int64(at) + 1, ForceSendFields: []string{"SheetId", "StartIndex"}},
				Properties: &sheets.DimensionProperties{HiddenByUser: true},
				Fields:     "hiddenByUser",
			}})
		}
	}
	if len(p.missing) > 0 && p.fresh {
		reqs = append(reqs, &sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: t.sheetID, GridProperties: &sheets.GridProperties{FrozenRowCount: 1}, ForceSendFields: []string{"SheetId"}},
			Fields:     "gridProperties.frozenRowCount",
		}})
	}
	if !t.tagged {
		reqs = append(reqs, &sheets.Request{CreateDeveloperMetadata: tagRequest(t.sheetID, t.Tab)})
	}
	return reqs, nil
}

// ensureHeaders reads every header row in one request; then, in one
// more, the key and version columns of every tab (what its index is
// built from: adding columns after the last header moves no row) and,
// where columns must be added, whether the tab holds data where they
// would go; and it writes the new tabs, the missing headers and the
// missing tags in one request. It returns each tab's key and version
// columns as read; a tab created a moment ago has none.
func (s *Sink) ensureHeaders(ctx context.Context, fs *flushState, tabs []*tab, created map[*tab]bool, broken map[*tab]error) (map[*tab]keyColumns, error) {
	var existing []*sheets.GridRange
	for _, t := range tabs {
		if !created[t] {
			existing = append(existing, t.rowGrid(0))
		}
	}
	headers := map[gridKey][][]any{}
	if len(existing) > 0 {
		var err error
		if headers, err = s.readGrid(ctx, fs, tabs[0], "read header", "ROWS", existing); err != nil {
			return nil, err
		}
	}
	plans := make([]headerPlan, len(tabs))
	var ranges []*sheets.GridRange
	for i, t := range tabs {
		p := t.planHeader(first(headers[gridKey{t.sheetID, 0}]), created[t])
		plans[i] = p
		for _, i := range t.indexColumns() {
			if c := t.cols[i]; c >= 0 {
				ranges = append(ranges, t.colGrid(c))
			}
		}
		if p.probe >= 0 {
			// Never a column of the index: those, when they exist, are
			// left of the first column to add.
			ranges = append(ranges, &sheets.GridRange{SheetId: t.sheetID, StartRowIndex: 1, StartColumnIndex: int64(p.probe),
				ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}})
		}
	}
	// The marks, once per instance: from then on, it keeps them itself.
	readMarks := !s.marks.loaded && s.marks.exists
	if readMarks {
		ranges = append(ranges, s.marks.grid())
	}
	// The archived rows, at every index: an archive run deletes rows,
	// which has the tabs indexed again.
	if s.hasArchived {
		ranges = append(ranges, s.archivedGrid())
	}
	cols := map[gridKey][][]any{}
	if len(ranges) > 0 {
		var err error
		if cols, err = s.readGrid(ctx, fs, tabs[0], "read key column", "COLUMNS", ranges); err != nil {
			return nil, err
		}
	}
	s.archived = nil
	if s.hasArchived {
		s.loadArchived(cols[gridKey{s.archivedSheet, 0}])
	}
	switch {
	case readMarks:
		s.marks.load(cols[gridKey{s.marks.sheetID, 0}])
	case !s.marks.exists:
		s.marks.loaded = true
	}
	// Taken before the plans add columns: a column added now is empty.
	out := map[*tab]keyColumns{}
	for _, t := range tabs {
		kc := keyColumns{}
		for _, i := range t.indexColumns() {
			c := t.cols[i]
			if c < 0 {
				continue
			}
			col := first(cols[gridKey{t.sheetID, c}])
			// The team may have moved a column between the two reads: keys
			// or versions read from another column would make an older
			// delivery overwrite a newer row. Each column read starts with
			// its header cell, which must still name it.
			if cellString(col, 0) != t.headers[i] {
				return nil, fmt.Errorf("tab %q: a column moved while it was indexed: %w", t.title, errMoved)
			}
			switch i {
			case t.key:
				kc.keys = col
			case t.version:
				kc.versions = col
			}
		}
		out[t] = kc
	}
	var reqs []*sheets.Request
	for _, t := range tabs {
		if created[t] {
			reqs = append(reqs, t.addTabRequest()...)
		}
	}
	for _, p := range plans {
		hasData := p.probe >= 0 && holdsData(cols[gridKey{p.t.sheetID, p.probe}])
		more, err := p.requests(hasData)
		if err != nil {
			broken[p.t] = err
			continue
		}
		reqs = append(reqs, more...)
	}
	if len(reqs) == 0 {
		return out, nil
	}
	if err := s.writeToken(ctx, fs); err != nil {
		return nil, newCallError("write header (waiting for write quota)", tabs[0], err)
	}
	if _, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do(); err != nil {
		return nil, newCallError("write header", tabs[0], err)
	}
	for _, p := range plans {
		if broken[p.t] != nil {
			continue
		}
		p.t.tagged = true
		switch {
		case created[p.t]:
			fs.log.Info("created tab", "table", p.t.Tab)
		case len(p.missing) > 0:
			fs.log.Info("added columns", "table", p.t.Tab, "columns_added", len(p.missing))
		}
	}
	return out, nil
}

// keyColumns are a tab's key and version columns as read, header first.
type keyColumns struct{ keys, versions []any }

// indexColumns are the owned columns the index is built from (indexes
// into headers): the key, and the version, which names the source.
func (t *tab) indexColumns() []int { return []int{t.key, t.version} }

// rebuild indexes a tab from its key and version columns as read (whole
// columns, header first). It returns the rows of each identity
// found on more than one row; the index holds the first of them.
func (t *tab) rebuild(kc keyColumns) map[string][]int {
	keys, versions := kc.keys, kc.versions
	t.index = map[string]entry{}
	t.lastRow, t.unsure = 0, nil
	dups := map[string][]int{}
	for row := 1; row < len(keys); row++ {
		k := cellString(keys, row)
		if k == "" {
			continue
		}
		k = model.ID(sourceOf(versions, row), k)
		t.lastRow = row
		if e, dup := t.index[k]; dup {
			if len(dups[k]) == 0 {
				dups[k] = []int{e.row}
			}
			dups[k] = append(dups[k], row)
			continue
		}
		t.index[k] = entry{row: row, version: versionOf(versions, row), erased: erasedOf(versions, row)}
	}
	t.fresh = len(dups) == 0
	return dups
}
