package gsheets

import (
	"context"

	"google.golang.org/api/sheets/v4"
)

// gridKey names one range of a read: its sheet and its first row (for
// rows) or column (for columns).
type gridKey struct {
	sheet int64
	start int
}

// readGrid reads ranges of whole rows (major "ROWS") or whole columns
// ("COLUMNS") in one request. It addresses them by sheet id rather than
// by title, so that a renamed tab reads the same, and through a POST body
// rather than the URL, so that a large flush does not hit a URL limit.
// Values come unformatted, formulas as their text.
func (s *Sink) readGrid(ctx context.Context, fs *flushState, t *tab, call, major string, ranges []*sheets.GridRange) (map[gridKey][][]any, error) {
	return s.readGridAs(ctx, fs, t, call, major, "FORMULA", ranges)
}

// readGridAs is readGrid with another rendering of the values:
// FORMATTED_VALUE for what a person reads.
func (s *Sink) readGridAs(ctx context.Context, fs *flushState, t *tab, call, major, render string, ranges []*sheets.GridRange) (map[gridKey][][]any, error) {
	if err := s.readToken(ctx, fs); err != nil {
		return nil, newCallError(call+" (waiting for read quota)", t, err)
	}
	filters := make([]*sheets.DataFilter, len(ranges))
	for i, g := range ranges {
		filters[i] = &sheets.DataFilter{GridRange: g}
	}
	resp, err := s.svc.Spreadsheets.Values.BatchGetByDataFilter(s.id, &sheets.BatchGetValuesByDataFilterRequest{
		DataFilters:       filters,
		MajorDimension:    major,
		ValueRenderOption: render,
	}).Fields("valueRanges(dataFilters(gridRange),valueRange(values))").Context(ctx).Do()
	if err != nil {
		return nil, newCallError(call, t, err)
	}
	out := map[gridKey][][]any{}
	for _, m := range resp.ValueRanges {
		var values [][]any
		if m.ValueRange != nil {
			values = m.ValueRange.Values
		}
		for _, f := range m.DataFilters {
			if g := f.GridRange; g != nil {
				start := g.StartRowIndex
				if major == "COLUMNS" {
					start = g.StartColumnIndex
				}
				out[gridKey{g.SheetId, int(start)}] = values
			}
		}
	}
	return out, nil
}

// first returns the first row (or column) of values read, nil if none.
func first(values [][]any) []any {
	if len(values) == 0 {
		return nil
	}
	return values[0]
}

// holdsData reports whether values hold anything but empty cells.
func holdsData(values [][]any) bool {
	for _, v := range values {
		for _, c := range v {
			if c != nil && c != "" {
				return true
			}
		}
	}
	return false
}
