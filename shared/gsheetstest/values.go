package gsheetstest

import (
	"net/url"
	"strconv"

	"google.golang.org/api/sheets/v4"
)

// resolveRead finds the block a read (or clear) covers: the range clipped to
// the grid. A range that starts outside the grid is an error, as in Google.
func resolveRead(ss *spreadsheet, rng string) (int, *sheet, rect, error) {
	i, sh, a, err := resolveRange(ss, rng)
	if err != nil {
		return 0, nil, rect{}, err
	}
	r, err := clip(sh, a)
	return i, sh, r, err
}

func resolveRange(ss *spreadsheet, rng string) (int, *sheet, a1Range, error) {
	a, ok := parseA1(rng)
	if !ok {
		return 0, nil, a, errParseRange(rng)
	}
	i, sh := 0, (*sheet)(nil)
	if a.hasSheet {
		i, sh = ss.sheetByTitle(a.sheet)
	} else if len(ss.sheets) > 0 {
		sh = ss.sheets[0]
	}
	if sh == nil {
		return 0, nil, a, errParseRange(rng)
	}
	return i, sh, a, nil
}

func clip(sh *sheet, a a1Range) (rect, error) {
	r := rect{a.r0, a.r1, a.c0, a.c1}
	if r.r1 < 0 || r.r1 > sh.rowCount() {
		r.r1 = sh.rowCount()
	}
	if r.c1 < 0 || r.c1 > sh.colCount() {
		r.c1 = sh.colCount()
	}
	if a.r0 >= sh.rowCount() || a.c0 >= sh.colCount() {
		return r, gridLimitError(sh, rect{a.r0, max(a.r1, a.r0+1), a.c0, max(a.c1, a.c0+1)})
	}
	return r, nil
}

func gridLimitError(sh *sheet, r rect) *apiError {
	return invalidArgument("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d", formatRange(sh.title(), r), sh.rowCount(), sh.colCount())
}

func renderOptions(mode, dates string) renderOpts {
	return renderOpts{mode: mode, formattedDates: dates == "FORMATTED_STRING"}
}

func majorOf(s string) string {
	if s == "COLUMNS" {
		return "COLUMNS"
	}
	return "ROWS"
}

func valueRange(sh *sheet, r rect, major string, o renderOpts) *sheets.ValueRange {
	return &sheets.ValueRange{Range: formatRange(sh.title(), r), MajorDimension: majorOf(major), Values: readValues(sh, r, major, o)}
}

func handleValuesGet(c *call) (any, error) {
	q := c.query
	o := renderOptions(q.Get("valueRenderOption"), q.Get("dateTimeRenderOption"))
	return c.read(func(ss *spreadsheet) (any, error) {
		_, sh, r, err := resolveRead(ss, c.rng)
		if err != nil {
			return nil, err
		}
		return valueRange(sh, r, q.Get("majorDimension"), o), nil
	})
}

func handleValuesBatchGet(c *call) (any, error) {
	q := c.query
	o := renderOptions(q.Get("valueRenderOption"), q.Get("dateTimeRenderOption"))
	return c.read(func(ss *spreadsheet) (any, error) {
		resp := &sheets.BatchGetValuesResponse{SpreadsheetId: ss.id}
		for _, rng := range q["ranges"] {
			_, sh, r, err := resolveRead(ss, rng)
			if err != nil {
				return nil, err
			}
			resp.ValueRanges = append(resp.ValueRanges, valueRange(sh, r, q.Get("majorDimension"), o))
		}
		return resp, nil
	})
}

// inputOf validates a valueInputOption, which every values write requires.
func inputOf(s string) (inputOption, error) {
	switch s {
	case "RAW":
		return inputRaw, nil
	case "USER_ENTERED":
		return inputUserEntered, nil
	case "", "INPUT_VALUE_OPTION_UNSPECIFIED":
		return 0, invalidArgument("'valueInputOption' is required but not specified")
	}
	return 0, invalidArgument("Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), %q", s)
}

// target is where a values write lands: its anchor and, unless the range is a
// single cell, the bounds the values must fit in (-1 when unbounded).
type target struct {
	r0, c0, r1, c1 int
	anchor         bool
	text           string // the range as the caller wrote it
}

func targetOf(a a1Range, text string) target {
	return target{r0: a.r0, c0: a.c0, r1: a.r1, c1: a.c1, anchor: a.cell, text: text}
}

// writeResult counts what a values write changed.
type writeResult struct {
	rect              rect // block the values cover
	rows, cols, cells int
}

// matrix returns the values of vr as rows, transposing COLUMNS input.
func matrix(vr *sheets.ValueRange) ([][]any, error) {
	switch vr.MajorDimension {
	case "", "DIMENSION_UNSPECIFIED", "ROWS":
		return vr.Values, nil
	case "COLUMNS":
		var out [][]any
		for c, col := range vr.Values {
			for r, x := range col {
				for len(out) <= r {
					out = append(out, nil)
				}
				for len(out[r]) < c {
					out[r] = append(out[r], nil)
				}
				out[r] = append(out[r], x)
			}
		}
		return out, nil
	}
	return nil, invalidArgument("Invalid value at 'data.major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), %q", vr.MajorDimension)
}

// writeValues writes a ValueRange into sheet sh at t. Nothing is written
// unless every value fits and parses, so that a failing write changes nothing
// even outside a transaction.
func writeValues(sh *sheet, t target, vr *sheets.ValueRange, opt inputOption) (writeResult, error) {
	m, err := matrix(vr)
	if err != nil {
		return writeResult{}, err
	}
	nrows, ncols := len(m), 0
	for _, line := range m {
		ncols = max(ncols, len(line))
	}
	res := writeResult{rect: rect{t.r0, t.r0 + nrows, t.c0, t.c0 + ncols}}
	if !t.anchor {
		if t.r1 >= 0 && res.rect.r1 > t.r1 {
			return res, invalidArgument("Requested writing within range [%s], but tried writing to row [%d]", t.text, t.r1+1)
		}
		if t.c1 >= 0 && res.rect.c1 > t.c1 {
			return res, invalidArgument("Requested writing within range [%s], but tried writing to column [%s]", t.text, columnName(t.c1))
		}
	}
	if t.r0 >= sh.rowCount() || t.c0 >= sh.colCount() {
		return res, gridLimitError(sh, rect{t.r0, max(t.r0+1, res.rect.r1), t.c0, max(t.c0+1, res.rect.c1)})
	}
	if res.rect.r1 > sh.rowCount() || res.rect.c1 > sh.colCount() {
		return res, gridLimitError(sh, res.rect)
	}
	type change struct {
		r, c int
		v    cell
	}
	var changes []change
	rowsTouched, colsTouched := map[int]bool{}, map[int]bool{}
	for i, line := range m {
		for j, x := range line {
			r, c := t.r0+i, t.c0+j
			old := sh.cell(r, c)
			v, nf, skip, err := toCell(x, opt, old.numberFormat())
			if err != nil {
				if ae, ok := err.(*apiError); ok {
					return res, ae
				}
				return res, invalidArgument("Invalid values[%d][%d]: %v", i, j, err)
			}
			if skip {
				continue
			}
			nc := old
			nc.v = v
			if nf != nil {
				f := sheets.CellFormat{}
				if old.format != nil {
					f = *old.format
				}
				f.NumberFormat = nf
				nc.format = &f
			}
			changes = append(changes, change{r, c, nc})
			rowsTouched[r], colsTouched[c] = true, true
		}
	}
	for _, ch := range changes {
		sh.setCell(ch.r, ch.c, ch.v)
	}
	res.rows, res.cols, res.cells = len(rowsTouched), len(colsTouched), len(changes)
	return res, nil
}

// updateResponse builds an UpdateValuesResponse, with the values written when
// the caller asked for them.
func updateResponse(ss *spreadsheet, sh *sheet, t target, res writeResult, include bool, o renderOpts) *sheets.UpdateValuesResponse {
	u := &sheets.UpdateValuesResponse{SpreadsheetId: ss.id, UpdatedRows: int64(res.rows), UpdatedColumns: int64(res.cols), UpdatedCells: int64(res.cells)}
	if !res.rect.empty() {
		u.UpdatedRange = formatRange(sh.title(), res.rect)
	}
	if include {
		r := res.rect
		if !t.anchor {
			r = rect{t.r0, t.r1, t.c0, t.c1}
			if r.r1 < 0 || r.r1 > sh.rowCount() {
				r.r1 = sh.rowCount()
			}
			if r.c1 < 0 || r.c1 > sh.colCount() {
				r.c1 = sh.colCount()
			}
		}
		if !r.empty() {
			u.UpdatedData = valueRange(sh, r, "ROWS", o)
		}
	}
	return u
}

func boolParam(q url.Values, name string) bool {
	b, _ := strconv.ParseBool(q.Get(name))
	return b
}

func handleValuesUpdate(c *call) (any, error) {
	q := c.query
	opt, err := inputOf(q.Get("valueInputOption"))
	if err != nil {
		return nil, err
	}
	var vr sheets.ValueRange
	if err := c.decodeBody(&vr); err != nil {
		return nil, err
	}
	o := renderOptions(q.Get("responseValueRenderOption"), q.Get("responseDateTimeRenderOption"))
	return c.write(func(t *tx) (any, error) {
		i, _, a, err := resolveRange(t.ss, c.rng)
		if err != nil {
			return nil, err
		}
		if err := sameRange(t.ss, vr.Range, c.rng); err != nil {
			return nil, err
		}
		sh := t.sheet(i)
		tg := targetOf(a, c.rng)
		res, err := writeValues(sh, tg, &vr, opt)
		if err != nil {
			return nil, err
		}
		return updateResponse(t.ss, sh, tg, res, boolParam(q, "includeValuesInResponse"), o), nil
	})
}

// sameRange checks that a range given in a request body, if any, is the range
// of the URL.
func sameRange(ss *spreadsheet, body, path string) error {
	if body == "" || body == path {
		return nil
	}
	_, s1, a1, err1 := resolveRange(ss, body)
	_, s2, a2, err2 := resolveRange(ss, path)
	if err1 == nil && err2 == nil && s1 == s2 && a1.r0 == a2.r0 && a1.r1 == a2.r1 && a1.c0 == a2.c0 && a1.c1 == a2.c1 {
		return nil
	}
	return invalidArgument("Requested range [%s] does not match the range [%s] in the request URL.", body, path)
}

func handleValuesBatchUpdate(c *call) (any, error) {
	var req sheets.BatchUpdateValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	opt, err := inputOf(req.ValueInputOption)
	if err != nil {
		return nil, err
	}
	o := renderOptions(req.ResponseValueRenderOption, req.ResponseDateTimeRenderOption)
	return c.write(func(t *tx) (any, error) {
		resp := &sheets.BatchUpdateValuesResponse{SpreadsheetId: t.ss.id}
		var tot totals
		for _, vr := range req.Data {
			if vr == nil {
				continue
			}
			i, _, a, err := resolveRange(t.ss, vr.Range)
			if err != nil {
				return nil, err
			}
			sh := t.sheet(i)
			tg := targetOf(a, vr.Range)
			res, err := writeValues(sh, tg, vr, opt)
			if err != nil {
				return nil, err
			}
			u := updateResponse(t.ss, sh, tg, res, req.IncludeValuesInResponse, o)
			resp.Responses = append(resp.Responses, u)
			tot.add(u, sh)
		}
		resp.TotalUpdatedRows, resp.TotalUpdatedColumns, resp.TotalUpdatedCells, resp.TotalUpdatedSheets = tot.values()
		return resp, nil
	})
}

func handleValuesAppend(c *call) (any, error) {
	q := c.query
	opt, err := inputOf(q.Get("valueInputOption"))
	if err != nil {
		return nil, err
	}
	var vr sheets.ValueRange
	if err := c.decodeBody(&vr); err != nil {
		return nil, err
	}
	o := renderOptions(q.Get("responseValueRenderOption"), q.Get("responseDateTimeRenderOption"))
	insert := q.Get("insertDataOption") == "INSERT_ROWS"
	return c.write(func(t *tx) (any, error) {
		i, _, a, err := resolveRange(t.ss, c.rng)
		if err != nil {
			return nil, err
		}
		if err := sameRange(t.ss, vr.Range, c.rng); err != nil {
			return nil, err
		}
		sh := t.sheet(i)
		m, err := matrix(&vr)
		if err != nil {
			return nil, err
		}
		nrows, ncols := len(m), 0
		for _, line := range m {
			ncols = max(ncols, len(line))
		}
		table, found := findTable(sh, a)
		resp := &sheets.AppendValuesResponse{SpreadsheetId: t.ss.id}
		at := rect{r0: a.r0, c0: a.c0}
		if found {
			resp.TableRange = formatRange(sh.title(), table)
			at = rect{r0: table.r1, c0: table.c0}
		}
		if nrows == 0 {
			resp.Updates = &sheets.UpdateValuesResponse{SpreadsheetId: t.ss.id}
			return resp, nil
		}
		// Appending grows the grid as needed, whichever insertDataOption.
		if insert && at.r0 < sh.rowCount() {
			sh.insertRows(at.r0, nrows, at.r0-1)
		}
		if need := at.r0 + nrows; need > sh.rowCount() {
			sh.resize(need, sh.colCount())
		}
		if need := at.c0 + ncols; need > sh.colCount() {
			if need > maxColumns {
				return nil, invalidArgument("This action would increase the number of columns in the sheet above the limit of %d.", maxColumns)
			}
			sh.resize(sh.rowCount(), need)
		}
		if err := checkCellLimit(t.ss); err != nil {
			return nil, err
		}
		tg := target{r0: at.r0, c0: at.c0, r1: -1, c1: -1, anchor: true, text: c.rng}
		res, err := writeValues(sh, tg, &vr, opt)
		if err != nil {
			return nil, err
		}
		resp.Updates = updateResponse(t.ss, sh, tg, res, boolParam(q, "includeValuesInResponse"), o)
		return resp, nil
	})
}

// findTable finds the table values.append appends to, an approximation of
// Google's undocumented detection: the block of consecutive rows holding
// values that contains the last such row within the range, extended down and
// right past the range while the next row or column holds values, its columns
// spanning the values found in those rows.
func findTable(sh *sheet, a a1Range) (rect, bool) {
	area := rect{a.r0, a.r1, a.c0, a.c1}
	if area.r1 < 0 || area.r1 > sh.rowCount() {
		area.r1 = sh.rowCount()
	}
	if area.c1 < 0 || area.c1 > sh.colCount() {
		area.c1 = sh.colCount()
	}
	if area.empty() {
		return rect{}, false
	}
	last := -1
	for r := area.r1 - 1; r >= area.r0; r-- {
		if sh.rowHasValue(r, area.c0, area.c1) {
			last = r
			break
		}
	}
	if last < 0 {
		return rect{}, false
	}
	top := last
	for top-1 >= area.r0 && sh.rowHasValue(top-1, area.c0, area.c1) {
		top--
	}
	t := rect{r0: top, r1: last + 1, c0: area.c1, c1: area.c0}
	for r := top; r <= last; r++ {
		for c := area.c0; c < area.c1; c++ {
			if sh.cell(r, c).v.kind != kindEmpty {
				t.c0, t.c1 = min(t.c0, c), max(t.c1, c+1)
			}
		}
	}
	for t.r1 < sh.rowCount() && sh.rowHasValue(t.r1, t.c0, t.c1) {
		t.r1++
	}
	for t.c1 < sh.colCount() && colHasValue(sh, t.c1, t.r0, t.r1) {
		t.c1++
	}
	return t, true
}

func colHasValue(sh *sheet, c, r0, r1 int) bool {
	for r := r0; r < r1; r++ {
		if sh.cell(r, c).v.kind != kindEmpty {
			return true
		}
	}
	return false
}

func checkCellLimit(ss *spreadsheet) error {
	if ss.cellCount() > maxCellsPerSpreadsheet {
		return errCellLimit()
	}
	return nil
}

func errCellLimit() *apiError {
	return invalidArgument("This action would increase the number of cells in the workbook above the limit of %d cells.", maxCellsPerSpreadsheet)
}

// clearValues empties the values of block r, keeping formats and notes.
func clearValues(sh *sheet, r rect) {
	for rr := r.r0; rr < r.r1; rr++ {
		rw := sh.rows[rr]
		if rw == nil || len(rw.cells) <= r.c0 {
			continue
		}
		for cc := r.c0; cc < min(r.c1, len(rw.cells)); cc++ {
			if rw.cells[cc].v.kind == kindEmpty {
				continue
			}
			nc := rw.cells[cc]
			nc.v = value{}
			sh.setCell(rr, cc, nc)
		}
	}
}

func handleValuesClear(c *call) (any, error) {
	var req sheets.ClearValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	return c.write(func(t *tx) (any, error) {
		i, _, r, err := resolveRead(t.ss, c.rng)
		if err != nil {
			return nil, err
		}
		sh := t.sheet(i)
		clearValues(sh, r)
		return &sheets.ClearValuesResponse{SpreadsheetId: t.ss.id, ClearedRange: formatRange(sh.title(), r)}, nil
	})
}

func handleValuesBatchClear(c *call) (any, error) {
	var req sheets.BatchClearValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	return c.write(func(t *tx) (any, error) {
		resp := &sheets.BatchClearValuesResponse{SpreadsheetId: t.ss.id}
		for _, rng := range req.Ranges {
			i, _, r, err := resolveRead(t.ss, rng)
			if err != nil {
				return nil, err
			}
			sh := t.sheet(i)
			clearValues(sh, r)
			resp.ClearedRanges = append(resp.ClearedRanges, formatRange(sh.title(), r))
		}
		return resp, nil
	})
}

func handleValuesBatchGetByDataFilter(c *call) (any, error) {
	var req sheets.BatchGetValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	o := renderOptions(req.ValueRenderOption, req.DateTimeRenderOption)
	return c.read(func(ss *spreadsheet) (any, error) {
		matches, err := matchRanges(ss, req.DataFilters)
		if err != nil {
			return nil, err
		}
		resp := &sheets.BatchGetValuesByDataFilterResponse{SpreadsheetId: ss.id}
		for _, m := range matches {
			sh := ss.sheets[m.sheet]
			resp.ValueRanges = append(resp.ValueRanges, &sheets.MatchedValueRange{
				DataFilters: m.filters,
				ValueRange:  valueRange(sh, m.rect, req.MajorDimension, o),
			})
		}
		return resp, nil
	})
}

func handleValuesBatchUpdateByDataFilter(c *call) (any, error) {
	var req sheets.BatchUpdateValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	opt, err := inputOf(req.ValueInputOption)
	if err != nil {
		return nil, err
	}
	o := renderOptions(req.ResponseValueRenderOption, req.ResponseDateTimeRenderOption)
	return c.write(func(t *tx) (any, error) {
		resp := &sheets.BatchUpdateValuesByDataFilterResponse{SpreadsheetId: t.ss.id}
		var tot totals
		for k, d := range req.Data {
			if d == nil || d.DataFilter == nil {
				return nil, invalidArgument("Invalid data[%d]: dataFilter is required", k)
			}
			matches, err := matchRanges(t.ss, []*sheets.DataFilter{d.DataFilter})
			if err != nil {
				return nil, err
			}
			for _, m := range matches {
				sh := t.sheet(m.sheet)
				text := formatRange(sh.title(), m.rect)
				tg := target{r0: m.rect.r0, c0: m.rect.c0, r1: m.rect.r1, c1: m.rect.c1, text: text}
				vr := &sheets.ValueRange{MajorDimension: d.MajorDimension, Values: d.Values}
				res, err := writeValues(sh, tg, vr, opt)
				if err != nil {
					return nil, err
				}
				u := updateResponse(t.ss, sh, tg, res, req.IncludeValuesInResponse, o)
				resp.Responses = append(resp.Responses, &sheets.UpdateValuesByDataFilterResponse{
					DataFilter: d.DataFilter, UpdatedRange: u.UpdatedRange, UpdatedRows: u.UpdatedRows,
					UpdatedColumns: u.UpdatedColumns, UpdatedCells: u.UpdatedCells, UpdatedData: u.UpdatedData,
				})
				tot.add(u, sh)
			}
		}
		resp.TotalUpdatedRows, resp.TotalUpdatedColumns, resp.TotalUpdatedCells, resp.TotalUpdatedSheets = tot.values()
		return resp, nil
	})
}

func handleValuesBatchClearByDataFilter(c *call) (any, error) {
	var req sheets.BatchClearValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	return c.write(func(t *tx) (any, error) {
		matches, err := matchRanges(t.ss, req.DataFilters)
		if err != nil {
			return nil, err
		}
		resp := &sheets.BatchClearValuesByDataFilterResponse{SpreadsheetId: t.ss.id}
		for _, m := range matches {
			sh := t.sheet(m.sheet)
			clearValues(sh, m.rect)
			resp.ClearedRanges = append(resp.ClearedRanges, formatRange(sh.title(), m.rect))
		}
		return resp, nil
	})
}

func handleCopyTo(c *call) (any, error) {
	return nil, unimplemented("%s is not implemented", MethodSheetsCopyTo)
}

// totals adds up the updates of a batch of values writes.
type totals struct {
	rows, cols, cells int64
	sheets            map[int64]bool
}

func (t *totals) add(u *sheets.UpdateValuesResponse, sh *sheet) {
	t.rows += u.UpdatedRows
	t.cols += u.UpdatedColumns
	t.cells += u.UpdatedCells
	if u.UpdatedCells > 0 {
		if t.sheets == nil {
			t.sheets = map[int64]bool{}
		}
		t.sheets[sh.id()] = true
	}
}

func (t *totals) values() (rows, cols, cells, sheets int64) {
	return t.rows, t.cols, t.cells, int64(len(t.sheets))
}
