package sheets

import (
	"context"
	"slices"

	sheetsapi "google.golang.org/api/sheets/v4"
)

// load finds the tab (creating it when missing), maps the owned headers to
// their columns (adding the missing ones at the end of the header), and
// indexes the key column.
func (s *Sink) load(ctx context.Context, t *tab) error {
	ss, err := s.svc.Spreadsheets.Get(s.id).Fields("sheets.properties").Context(ctx).Do()
	if err != nil {
		return s.apiError(ctx, t, "read spreadsheet", err)
	}
	var props *sheetsapi.SheetProperties
	for _, sh := range ss.Sheets {
		if sh.Properties != nil && sh.Properties.Title == t.Tab {
			props = sh.Properties
		}
	}
	if props == nil {
		resp, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
			{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: t.Tab}}},
		}}).Context(ctx).Do()
		if err != nil {
			return s.apiError(ctx, t, "add tab", err)
		}
		props = resp.Replies[0].AddSheet.Properties
		s.logger(ctx).InfoContext(ctx, "created tab", "table", t.Tab)
	}
	t.sheetID = props.SheetId
	t.rowCount, t.cols = 0, nil
	colCount := int64(0)
	if g := props.GridProperties; g != nil {
		t.rowCount, colCount = g.RowCount, g.ColumnCount
	}

	got, err := s.svc.Spreadsheets.Values.Get(s.id, RowRange(t.Tab, 0)).
		ValueRenderOption("UNFORMATTED_VALUE").Context(ctx).Do()
	if err != nil {
		return s.apiError(ctx, t, "read header", err)
	}
	header := firstRow(got)
	if err := s.ensureHeader(ctx, t, header, colCount); err != nil {
		return err
	}

	keys, err := s.svc.Spreadsheets.Values.BatchGet(s.id).
		Ranges(ColumnRange(t.Tab, t.cols[t.key]), ColumnRange(t.Tab, t.cols[len(t.cols)-1])).
		MajorDimension("COLUMNS").ValueRenderOption("UNFORMATTED_VALUE").Context(ctx).Do()
	if err != nil {
		return s.apiError(ctx, t, "read key column", err)
	}
	t.index = map[string]entry{}
	t.lastRow = 0
	dups := 0
	col := firstRow(keys.ValueRanges[0])
	for row := 1; row < len(col); row++ {
		k := cellString(col, row)
		if k == "" {
			continue
		}
		if _, dup := t.index[k]; dup {
			dups++
			continue
		}
		t.index[k] = entry{row: row}
		t.lastRow = row
	}
	if dups > 0 {
		s.logger(ctx).WarnContext(ctx, "key column holds duplicate keys; the first row of each is updated", "table", t.Tab, "duplicates", dups)
	}
	t.loaded = true
	return nil
}

// ensureHeader maps each owned header to its column and writes the missing
// ones after the last header cell, growing the grid if needed. A new tab
// also gets its header row frozen; the version column is hidden.
func (s *Sink) ensureHeader(ctx context.Context, t *tab, header []any, colCount int64) error {
	t.cols = make([]int, len(t.headers))
	next := len(header)
	for next > 0 && cellString(header, next-1) == "" {
		next--
	}
	empty := next == 0
	var reqs []*sheetsapi.Request
	for i, h := range t.headers {
		at := slices.IndexFunc(header, func(v any) bool { return cellString([]any{v}, 0) == h })
		if at >= 0 {
			t.cols[i] = at
			continue
		}
		at = next
		next++
		t.cols[i] = at
		if int64(at) >= colCount {
			reqs = append(reqs, &sheetsapi.Request{AppendDimension: &sheetsapi.AppendDimensionRequest{SheetId: t.sheetID, Dimension: "COLUMNS", Length: 1}})
			colCount++
		}
		text := h
		reqs = append(reqs, &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{
			Start:  &sheetsapi.GridCoordinate{SheetId: t.sheetID, RowIndex: 0, ColumnIndex: int64(at), ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:   []*sheetsapi.RowData{{Values: []*sheetsapi.CellData{{UserEnteredValue: &sheetsapi.ExtendedValue{StringValue: &text}}}}},
			Fields: "userEnteredValue",
		}})
		if h == VersionHeader {
			reqs = append(reqs, &sheetsapi.Request{UpdateDimensionProperties: &sheetsapi.UpdateDimensionPropertiesRequest{
				Range:      &sheetsapi.DimensionRange{SheetId: t.sheetID, Dimension: "COLUMNS", StartIndex: int64(at), EndIndex: int64(at) + 1, ForceSendFields: []string{"StartIndex"}},
				Properties: &sheetsapi.DimensionProperties{HiddenByUser: true},
				Fields:     "hiddenByUser",
			}})
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	if empty {
		reqs = append(reqs, &sheetsapi.Request{UpdateSheetProperties: &sheetsapi.UpdateSheetPropertiesRequest{
			Properties: &sheetsapi.SheetProperties{SheetId: t.sheetID, GridProperties: &sheetsapi.GridProperties{FrozenRowCount: 1}},
			Fields:     "gridProperties.frozenRowCount",
		}})
	}
	if err := s.batchUpdate(ctx, t, "write header", reqs); err != nil {
		return err
	}
	s.logger(ctx).InfoContext(ctx, "wrote header", "table", t.Tab, "columns_added", len(reqs))
	return nil
}
