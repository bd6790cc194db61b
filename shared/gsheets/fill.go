package gsheets

import (
	"google.golang.org/api/sheets/v4"
)

// FillWarn is the share of Google's 10 million cells from which each
// flush's line is a warning: time to archive old rows (scripts/archive)
// before new orders are refused.
const FillWarn = 0.8

// fill counts the cells of the spreadsheet's grids, empty cells included,
// as Google does against its limit: the tabs the sink writes, whose grid
// it follows as it grows, and every other tab as it was at the last
// index (the team's tabs, the hidden ones). Flusher only.
type fill struct {
	other int64 // cells of the tabs the sink does not write, at the last index
	known bool  // the spreadsheet was read at least once
}

// countGrids records the cells of the tabs the sink does not write, from
// a spreadsheets.get that listed every tab with its grid.
func (s *Sink) countGrids(all []*sheets.Sheet) {
	mine := map[int64]bool{}
	for _, t := range s.order {
		if t.sheetID != 0 {
			mine[t.sheetID] = true
		}
	}
	var other int64
	for _, sh := range all {
		p := sh.Properties
		if p == nil || p.GridProperties == nil || mine[p.SheetId] {
			continue
		}
		other += p.GridProperties.RowCount * p.GridProperties.ColumnCount
	}
	s.fill = fill{other: other, known: true}
}

// Cells returns the spreadsheet's cells now, as Google counts them against
// its limit of 10 million, and false before the spreadsheet was first read.
func (s *Sink) Cells() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cells, s.fill.known
}

// logFlush logs a written flush with the spreadsheet's fill, as a warning
// from FillWarn. The line says counts only.
func (s *Sink) logFlush(fs *flushState, rows int) {
	cells := s.fill.other
	for _, t := range s.order {
		cells += t.rowCount * t.colCount
	}
	s.mu.Lock()
	s.cells = cells
	st := s.stats
	s.mu.Unlock()
	share := float64(cells) / maxCells
	attrs := []any{"rows", rows, "cells", cells, "fill_pct", float64(int(share*1000)) / 10,
		"flushes", st.Flushes, "rows_total", st.Rows, "retries", st.Retries}
	if share >= FillWarn {
		fs.log.Warn("flush written; the spreadsheet is nearly full (Google's limit of 10 million cells): move old rows to an archive (scripts/archive) before new orders are refused", attrs...)
		return
	}
	fs.log.Info("flush written", attrs...)
}
