package gsheetstest

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// opFunc applies one request of a batchUpdate to a write.
type opFunc func(t *tx, raw json.RawMessage) (*sheets.Response, error)

// op adapts a typed request handler to an opFunc. Field names were checked
// when the whole body was decoded.
func op[T any](f func(t *tx, r *T) (*sheets.Response, error)) opFunc {
	return func(t *tx, raw json.RawMessage) (*sheets.Response, error) {
		var r T
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, invalidArgument("Invalid JSON payload received. %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return f(t, &r)
	}
}

// noReply wraps handlers whose requests have no reply.
func noReply[T any](f func(t *tx, r *T) error) opFunc {
	return op(func(t *tx, r *T) (*sheets.Response, error) { return &sheets.Response{}, f(t, r) })
}

var ops map[string]opFunc

func init() {
	ops = map[string]opFunc{
		"addSheet":                    op(addSheet),
		"deleteSheet":                 noReply(deleteSheet),
		"updateSheetProperties":       noReply(updateSheetProperties),
		"updateSpreadsheetProperties": noReply(updateSpreadsheetProperties),
		"insertDimension":             noReply(insertDimension),
		"appendDimension":             noReply(appendDimension),
		"deleteDimension":             noReply(deleteDimension),
		"moveDimension":               noReply(moveDimension),
		"updateDimensionProperties":   noReply(updateDimensionProperties),
		"updateCells":                 noReply(updateCells),
		"appendCells":                 noReply(appendCells),
		"repeatCell":                  noReply(repeatCell),
		"copyPaste":                   noReply(copyPaste),
		"sortRange":                   noReply(sortRange),
		"insertRange":                 noReply(insertRange),
		"deleteRange":                 noReply(deleteRange),
		"addProtectedRange":           op(addProtectedRange),
		"deleteProtectedRange":        noReply(deleteProtectedRange),
		"setBasicFilter":              noReply(setBasicFilter),
		"clearBasicFilter":            noReply(clearBasicFilter),
		"createDeveloperMetadata": op(func(t *tx, r *sheets.CreateDeveloperMetadataRequest) (*sheets.Response, error) {
			resp, err := t.createMeta(r.DeveloperMetadata)
			return &sheets.Response{CreateDeveloperMetadata: resp}, err
		}),
		"updateDeveloperMetadata": op(func(t *tx, r *sheets.UpdateDeveloperMetadataRequest) (*sheets.Response, error) {
			resp, err := t.updateMeta(r)
			return &sheets.Response{UpdateDeveloperMetadata: resp}, err
		}),
		"deleteDeveloperMetadata": op(func(t *tx, r *sheets.DeleteDeveloperMetadataRequest) (*sheets.Response, error) {
			resp, err := t.deleteMeta(r)
			return &sheets.Response{DeleteDeveloperMetadata: resp}, err
		}),
		// Cosmetic requests are checked and then ignored: they change nothing
		// the values or grid data of gsheetstest show.
		"autoResizeDimensions": noReply(func(t *tx, r *sheets.AutoResizeDimensionsRequest) error {
			if r.Dimensions == nil {
				return invalidArgument("dimensions must be specified")
			}
			_, err := dimSheet(t, r.Dimensions)
			return err
		}),
		"updateBorders": noReply(func(t *tx, r *sheets.UpdateBordersRequest) error {
			_, _, err := rangeSheet(t, r.Range)
			return err
		}),
	}
}

// requestKinds are the JSON names of every request type Google defines.
var requestKinds = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(sheets.Request{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			m[name] = true
		}
	}
	return m
}()

type batchUpdateBody struct {
	Requests                     []map[string]json.RawMessage `json:"requests"`
	IncludeSpreadsheetInResponse bool                         `json:"includeSpreadsheetInResponse"`
	ResponseIncludeGridData      bool                         `json:"responseIncludeGridData"`
	ResponseRanges               []string                     `json:"responseRanges"`
}

func handleBatchUpdate(c *call) (any, error) {
	var body batchUpdateBody
	if err := c.decodeBodyAs(&body, reflect.TypeOf(sheets.BatchUpdateSpreadsheetRequest{})); err != nil {
		return nil, err
	}
	type one struct {
		kind string
		raw  json.RawMessage
	}
	var reqs []one
	for i, r := range body.Requests {
		var kinds []string
		for k := range r {
			if !requestKinds[k] {
				return nil, invalidArgument("Invalid JSON payload received. Unknown name %q at 'requests[%d]': Cannot find field.", k, i)
			}
			kinds = append(kinds, k)
		}
		switch len(kinds) {
		case 0:
			return nil, invalidArgument("Invalid requests[%d]: No request set.", i)
		case 1:
		default:
			slices.Sort(kinds)
			return nil, invalidArgument("Invalid value at 'requests[%d]' (oneof), oneof field 'kind' is already set. Cannot set '%s'", i, kinds[1])
		}
		if ops[kinds[0]] == nil {
			return nil, unimplemented("requests[%d].%s is not implemented", i, kinds[0])
		}
		reqs = append(reqs, one{kinds[0], r[kinds[0]]})
	}
	return c.write(func(t *tx) (any, error) {
		resp := &sheets.BatchUpdateSpreadsheetResponse{SpreadsheetId: t.ss.id}
		for i, r := range reqs {
			reply, err := ops[r.kind](t, r.raw)
			if err == nil {
				err = checkCellLimit(t.ss)
			}
			if err != nil {
				return nil, requestError(i, r.kind, err)
			}
			resp.Replies = append(resp.Replies, reply)
		}
		if body.IncludeSpreadsheetInResponse {
			ss, err := renderSpreadsheet(t.ss, body.ResponseIncludeGridData, body.ResponseRanges)
			if err != nil {
				return nil, err
			}
			resp.UpdatedSpreadsheet = ss
		}
		return resp, nil
	})
}

// gridRect resolves a GridRange on sh; unset bounds extend to the grid's edge.
func gridRect(sh *sheet, g *sheets.GridRange) (rect, error) {
	r := rect{int(g.StartRowIndex), int(g.EndRowIndex), int(g.StartColumnIndex), int(g.EndColumnIndex)}
	if g.EndRowIndex == 0 {
		r.r1 = sh.rowCount()
	}
	if g.EndColumnIndex == 0 {
		r.c1 = sh.colCount()
	}
	if r.r0 < 0 || r.c0 < 0 || r.r1 < r.r0 || r.c1 < r.c0 {
		return r, invalidArgument("Invalid range: start index must be between 0 and the end index.")
	}
	if r.r1 > sh.rowCount() || r.c1 > sh.colCount() {
		return r, gridLimitError(sh, r)
	}
	return r, nil
}

func noGrid(id int64) error { return invalidArgument("No grid with id: %d", id) }

// rangeSheet finds the writable sheet and block of a GridRange.
func rangeSheet(t *tx, g *sheets.GridRange) (*sheet, rect, error) {
	if g == nil {
		return nil, rect{}, invalidArgument("range must be specified")
	}
	sh, ok := t.sheetByID(g.SheetId)
	if !ok {
		return nil, rect{}, noGrid(g.SheetId)
	}
	r, err := gridRect(sh, g)
	return sh, r, err
}

func dimSheet(t *tx, d *sheets.DimensionRange) (*sheet, error) {
	sh, ok := t.sheetByID(d.SheetId)
	if !ok {
		return nil, noGrid(d.SheetId)
	}
	if d.Dimension != "ROWS" && d.Dimension != "COLUMNS" {
		return nil, invalidArgument("dimension must be ROWS or COLUMNS")
	}
	return sh, nil
}

// dimSpan resolves a DimensionRange; unset bounds extend to the grid's edge.
func dimSpan(t *tx, d *sheets.DimensionRange) (*sheet, int, int, error) {
	if d == nil {
		return nil, 0, 0, invalidArgument("range must be specified")
	}
	sh, err := dimSheet(t, d)
	if err != nil {
		return nil, 0, 0, err
	}
	size := sh.rowCount()
	if d.Dimension == "COLUMNS" {
		size = sh.colCount()
	}
	start, end := int(d.StartIndex), int(d.EndIndex)
	if d.EndIndex == 0 {
		end = size
	}
	if start < 0 || end < start || end > size {
		return nil, 0, 0, invalidArgument("Invalid dimension range [%d, %d): the sheet has %d %s.", start, end, size, lowerWord(d.Dimension))
	}
	return sh, start, end, nil
}

func (t *tx) newSheetID() int64 {
	for {
		id := 1 + t.srv.rnd.Int64N(1<<31-1)
		if _, sh := t.ss.sheetByID(id); sh == nil {
			return id
		}
	}
}

func checkTitle(ss *spreadsheet, title string, except *sheet) error {
	if strings.TrimSpace(title) == "" {
		return invalidArgument("The sheet name cannot be empty.")
	}
	for _, sh := range ss.sheets {
		if sh != except && sh.id() != idOf(except) && strings.EqualFold(sh.title(), title) {
			return invalidArgument("A sheet with the name \"%s\" already exists. Please enter another name.", title)
		}
	}
	return nil
}

func idOf(sh *sheet) int64 {
	if sh == nil {
		return -1
	}
	return sh.id()
}

// newSheet validates properties for a new sheet and builds it.
func (t *tx) newSheet(p *sheets.SheetProperties, fixedID bool) (*sheet, error) {
	if p.SheetType != "" && p.SheetType != "GRID" {
		return nil, unimplemented("sheets of type %s are not implemented", p.SheetType)
	}
	rows, cols := defaultRowCount, defaultColumnCount
	sp := *p
	if g := p.GridProperties; g != nil {
		if g.RowCount > 0 {
			rows = int(g.RowCount)
		}
		if g.ColumnCount > 0 {
			cols = int(g.ColumnCount)
		}
		gc := *g
		gc.RowCount, gc.ColumnCount = 0, 0
		sp.GridProperties = &gc
	}
	if rows < 0 || cols < 0 {
		return nil, invalidArgument("The row and column counts must be positive.")
	}
	if cols > maxColumns {
		return nil, invalidArgument("This action would increase the number of columns in the sheet above the limit of %d.", maxColumns)
	}
	if sp.SheetId == 0 && !fixedID {
		sp.SheetId = t.newSheetID()
	} else if _, sh := t.ss.sheetByID(sp.SheetId); sh != nil {
		return nil, invalidArgument("A sheet with the id %d already exists.", sp.SheetId)
	}
	if sp.SheetId < 0 {
		return nil, invalidArgument("The sheet id must be positive.")
	}
	sp.Index, sp.SheetType = 0, ""
	sh := &sheet{gen: t.gen, props: sp, rows: make([]*row, rows), cols: make([]dim, cols)}
	return sh, nil
}

func addSheet(t *tx, r *sheets.AddSheetRequest) (*sheets.Response, error) {
	p := r.Properties
	if p == nil {
		p = &sheets.SheetProperties{}
	}
	q := *p
	if q.Title == "" {
		for n := len(t.ss.sheets) + 1; ; n++ {
			if _, sh := t.ss.sheetByTitle("Sheet" + itoa(n)); sh == nil {
				q.Title = "Sheet" + itoa(n)
				break
			}
		}
	}
	if err := checkTitle(t.ss, q.Title, nil); err != nil {
		return nil, err
	}
	sh, err := t.newSheet(&q, false)
	if err != nil {
		return nil, err
	}
	at := len(t.ss.sheets)
	if p.Index > 0 && int(p.Index) < at {
		at = int(p.Index)
	}
	t.ss.sheets = slices.Insert(t.ss.sheets, at, sh)
	return &sheets.Response{AddSheet: &sheets.AddSheetResponse{Properties: sheetProps(t.ss, at)}}, nil
}

func deleteSheet(t *tx, r *sheets.DeleteSheetRequest) error {
	i, sh := t.ss.sheetByID(r.SheetId)
	if sh == nil {
		return noGrid(r.SheetId)
	}
	if len(t.ss.sheets) == 1 {
		return invalidArgument("You can't remove all the sheets in a document.")
	}
	t.ss.sheets = slices.Delete(t.ss.sheets, i, i+1)
	t.metaIDs = nil
	return nil
}

func updateSheetProperties(t *tx, r *sheets.UpdateSheetPropertiesRequest) error {
	if r.Properties == nil {
		return invalidArgument("properties must be specified")
	}
	paths, err := maskPaths(r.Fields)
	if err != nil {
		return err
	}
	i, old := t.ss.sheetByID(r.Properties.SheetId)
	if old == nil {
		return noGrid(r.Properties.SheetId)
	}
	cur := sheetProps(t.ss, i)
	next := *cur
	if err := mergeMasked(&next, r.Properties, paths); err != nil {
		return err
	}
	if next.SheetId != cur.SheetId {
		return invalidArgument("The sheet id cannot be changed.")
	}
	if next.SheetType != "" && next.SheetType != "GRID" {
		return invalidArgument("The sheet type cannot be changed.")
	}
	sh := t.sheet(i)
	if next.Title != cur.Title {
		if err := checkTitle(t.ss, next.Title, sh); err != nil {
			return err
		}
	}
	g := next.GridProperties
	if g == nil || g.RowCount <= 0 || g.ColumnCount <= 0 {
		return invalidArgument("The grid must have at least one row and one column.")
	}
	if g.ColumnCount > maxColumns {
		return invalidArgument("This action would increase the number of columns in the sheet above the limit of %d.", maxColumns)
	}
	// Google applies the new row count before the new column count and checks
	// the cell limit in between.
	if extra := (int(g.RowCount) - sh.rowCount()) * sh.colCount(); extra > 0 && t.ss.cellCount()+extra > maxCellsPerSpreadsheet {
		return errCellLimit()
	}
	if g.FrozenRowCount > g.RowCount || g.FrozenColumnCount > g.ColumnCount {
		return invalidArgument("The frozen rows and columns must fit in the grid.")
	}
	sh.resize(int(g.RowCount), int(g.ColumnCount))
	if next.Index != cur.Index {
		to := min(max(int(next.Index), 0), len(t.ss.sheets)-1)
		t.ss.sheets = slices.Delete(t.ss.sheets, i, i+1)
		t.ss.sheets = slices.Insert(t.ss.sheets, to, sh)
	}
	gc := *g
	gc.RowCount, gc.ColumnCount = 0, 0
	next.GridProperties = &gc
	next.Index, next.SheetType = 0, ""
	sh.props = next
	return nil
}

func updateSpreadsheetProperties(t *tx, r *sheets.UpdateSpreadsheetPropertiesRequest) error {
	if r.Properties == nil {
		return invalidArgument("properties must be specified")
	}
	paths, err := maskPaths(r.Fields)
	if err != nil {
		return err
	}
	next := t.ss.props
	if err := mergeMasked(&next, r.Properties, paths); err != nil {
		return err
	}
	t.ss.props = next
	return nil
}

func checkColumns(sh *sheet, extra int) error {
	if sh.colCount()+extra > maxColumns {
		return invalidArgument("This action would increase the number of columns in the sheet above the limit of %d.", maxColumns)
	}
	return nil
}

func insertDimension(t *tx, r *sheets.InsertDimensionRequest) error {
	if r.Range == nil {
		return invalidArgument("range must be specified")
	}
	sh, err := dimSheet(t, r.Range)
	if err != nil {
		return err
	}
	start, end := int(r.Range.StartIndex), int(r.Range.EndIndex)
	size := sh.rowCount()
	if r.Range.Dimension == "COLUMNS" {
		size = sh.colCount()
	}
	if end <= start || start < 0 {
		return invalidArgument("The range to insert must have a bounded, positive length.")
	}
	if start > size {
		return invalidArgument("Cannot insert at index %d: the sheet has %d %s.", start, size, lowerWord(r.Range.Dimension))
	}
	if r.InheritFromBefore && start == 0 {
		return invalidArgument("Cannot inherit properties from before when inserting at index 0.")
	}
	from := start
	if r.InheritFromBefore {
		from = start - 1
	}
	if r.Range.Dimension == "ROWS" {
		sh.insertRows(start, end-start, from)
		return nil
	}
	if err := checkColumns(sh, end-start); err != nil {
		return err
	}
	sh.insertCols(start, end-start, from)
	return nil
}

func appendDimension(t *tx, r *sheets.AppendDimensionRequest) error {
	sh, ok := t.sheetByID(r.SheetId)
	if !ok {
		return noGrid(r.SheetId)
	}
	if r.Length <= 0 {
		return invalidArgument("length must be positive")
	}
	switch r.Dimension {
	case "ROWS":
		sh.resize(sh.rowCount()+int(r.Length), sh.colCount())
	case "COLUMNS":
		if err := checkColumns(sh, int(r.Length)); err != nil {
			return err
		}
		sh.resize(sh.rowCount(), sh.colCount()+int(r.Length))
	default:
		return invalidArgument("dimension must be ROWS or COLUMNS")
	}
	return nil
}

func deleteDimension(t *tx, r *sheets.DeleteDimensionRequest) error {
	sh, start, end, err := dimSpan(t, r.Range)
	if err != nil {
		return err
	}
	if r.Range.Dimension == "ROWS" {
		if end-start >= sh.rowCount() {
			return invalidArgument("You can't delete all the rows on the sheet.")
		}
		sh.deleteRows(start, end)
	} else {
		if end-start >= sh.colCount() {
			return invalidArgument("You can't delete all the columns on the sheet.")
		}
		sh.deleteCols(start, end)
	}
	t.metaIDs = nil
	return nil
}

func moveDimension(t *tx, r *sheets.MoveDimensionRequest) error {
	sh, start, end, err := dimSpan(t, r.Source)
	if err != nil {
		return err
	}
	size := sh.rowCount()
	if r.Source.Dimension == "COLUMNS" {
		size = sh.colCount()
	}
	dest := int(r.DestinationIndex)
	if dest < 0 || dest > size {
		return invalidArgument("destinationIndex %d is outside the sheet, which has %d %s.", dest, size, lowerWord(r.Source.Dimension))
	}
	if r.Source.Dimension == "ROWS" {
		sh.moveRows(start, end, dest)
	} else {
		sh.moveCols(start, end, dest)
	}
	return nil
}

func updateDimensionProperties(t *tx, r *sheets.UpdateDimensionPropertiesRequest) error {
	if r.DataSourceSheetRange != nil {
		return unimplemented("dataSourceSheetRange is not implemented")
	}
	if r.Properties == nil {
		return invalidArgument("properties must be specified")
	}
	paths, err := maskPaths(r.Fields)
	if err != nil {
		return err
	}
	var hidden, size bool
	for _, p := range paths {
		switch p {
		case "*":
			hidden, size = true, true
		case "hiddenByUser":
			hidden = true
		case "pixelSize":
			size = true
		case "hiddenByFilter", "developerMetadata", "dataSourceColumnReference":
			return invalidArgument("%s cannot be updated with updateDimensionProperties.", p)
		default:
			return invalidArgument("Invalid field mask: %q is not a field of DimensionProperties", p)
		}
	}
	if size && r.Properties.PixelSize < 0 {
		return invalidArgument("pixelSize must not be negative")
	}
	sh, start, end, err := dimSpan(t, r.Range)
	if err != nil {
		return err
	}
	apply := func(d *dim) {
		if hidden {
			d.hidden = r.Properties.HiddenByUser
		}
		if size {
			d.pixelSize = r.Properties.PixelSize
		}
	}
	for i := start; i < end; i++ {
		if r.Range.Dimension == "ROWS" {
			apply(&sh.mutRow(i).dim)
		} else {
			apply(&sh.cols[i])
		}
	}
	return nil
}

// cellMask is a parsed CellData field mask.
type cellMask struct {
	value, note, pivot bool
	format             []string // paths under userEnteredFormat; "" for the whole format
}

func parseCellMask(fields string) (cellMask, error) {
	paths, err := maskPaths(fields)
	if err != nil {
		return cellMask{}, err
	}
	var m cellMask
	for _, p := range paths {
		root, sub, _ := strings.Cut(p, ".")
		switch root {
		case "*":
			m.value, m.note, m.pivot, m.format = true, true, true, append(m.format, "")
		case "userEnteredValue":
			m.value = true
		case "note":
			m.note = true
		case "pivotTable":
			if sub != "" {
				return m, unimplemented("writing part of CellData.pivotTable is not implemented")
			}
			m.pivot = true
		case "userEnteredFormat":
			if sub != "" && !validPath(reflect.TypeOf(sheets.CellFormat{}), sub) {
				return m, invalidArgument("Invalid field mask: %q is not a field of CellData", p)
			}
			m.format = append(m.format, sub)
		case "textFormatRuns", "dataValidation", "dataSourceTable", "dataSourceFormula", "chipRuns":
			return m, unimplemented("writing CellData.%s is not implemented", root)
		case "effectiveValue", "formattedValue", "effectiveFormat", "hyperlink":
			return m, invalidArgument("%s is a read-only field of CellData.", root)
		default:
			return m, invalidArgument("Invalid field mask: %q is not a field of CellData", p)
		}
	}
	return m, nil
}

// applyCell returns old with the masked fields of src written over it; a
// nil src clears them.
func applyCell(old cell, src *sheets.CellData, m cellMask) (cell, error) {
	if src == nil {
		src = &sheets.CellData{}
	}
	c := old
	if m.value {
		v, err := fromExtended(src.UserEnteredValue)
		if err != nil {
			return c, err
		}
		c.v = v
	}
	if m.note {
		c.note = src.Note
	}
	if m.pivot {
		if pt := src.PivotTable; pt != nil && pt.Source == nil && pt.DataSourceId == "" {
			return c, invalidArgument("Invalid pivot table: a source range is required.")
		}
		c.pivot = src.PivotTable
	}
	for _, p := range m.format {
		if nf := src.UserEnteredFormat; nf != nil && nf.NumberFormat != nil && !validNumberFormatTypes[nf.NumberFormat.Type] {
			return c, invalidArgument("Invalid value at 'userEnteredFormat.numberFormat.type', %q", nf.NumberFormat.Type)
		}
		switch p {
		case "":
			c.format = src.UserEnteredFormat
		case "numberFormat":
			f := sheets.CellFormat{}
			if c.format != nil {
				f = *c.format
			}
			f.NumberFormat = nil
			if src.UserEnteredFormat != nil {
				f.NumberFormat = src.UserEnteredFormat.NumberFormat
			}
			c.format = &f
		default:
			f := sheets.CellFormat{}
			if c.format != nil {
				f = *c.format
			}
			s := src.UserEnteredFormat
			if s == nil {
				s = &sheets.CellFormat{}
			}
			if err := mergeMasked(&f, s, []string{p}); err != nil {
				return c, err
			}
			c.format = &f
		}
		if c.format != nil && reflect.ValueOf(*c.format).IsZero() {
			c.format = nil
		}
	}
	return c, nil
}

// fromExtended converts a userEnteredValue; exactly one kind must be set.
func fromExtended(e *sheets.ExtendedValue) (value, error) {
	if e == nil {
		return value{}, nil
	}
	n := 0
	var v value
	if e.NumberValue != nil {
		n, v = n+1, value{kind: kindNumber, num: *e.NumberValue}
	}
	if e.StringValue != nil {
		n, v = n+1, value{kind: kindString, str: *e.StringValue}
	}
	if e.BoolValue != nil {
		n, v = n+1, value{kind: kindBool, b: *e.BoolValue}
	}
	if e.FormulaValue != nil {
		n, v = n+1, value{kind: kindFormula, str: *e.FormulaValue}
	}
	if e.ErrorValue != nil {
		return value{}, invalidArgument("errorValue cannot be written.")
	}
	if n > 1 {
		return value{}, invalidArgument("Only one of numberValue, stringValue, boolValue and formulaValue may be set.")
	}
	if len([]rune(v.str)) > maxCharsPerCell {
		return value{}, invalidArgument("Your input contains more than the maximum of %d characters in a single cell.", maxCharsPerCell)
	}
	if v.kind == kindString && v.str == "" {
		return value{}, nil
	}
	return v, nil
}

// writeRows writes rows of CellData at (r0, c0). Within bound (when not nil),
// cells the rows do not cover have their masked fields cleared, as updateCells
// with a range does; otherwise cells not covered stay as they are.
func writeRows(sh *sheet, r0, c0 int, rows []*sheets.RowData, m cellMask, bound *rect) error {
	width := 0
	for _, rd := range rows {
		if rd != nil {
			width = max(width, len(rd.Values))
		}
	}
	if bound != nil {
		if r0+len(rows) > bound.r1 {
			return invalidArgument("Attempting to write row: %d, beyond the last requested row of: %d", bound.r1, bound.r1-1)
		}
		if c0+width > bound.c1 {
			return invalidArgument("Attempting to write column: %d, beyond the last requested column of: %d", bound.c1, bound.c1-1)
		}
	} else if r0+len(rows) > sh.rowCount() || c0+width > sh.colCount() {
		return gridLimitError(sh, rect{r0, r0 + max(len(rows), 1), c0, c0 + max(width, 1)})
	}
	type change struct {
		r, c int
		v    cell
	}
	var changes []change
	area := rect{r0, r0 + len(rows), c0, c0 + width}
	if bound != nil {
		area = *bound
	}
	for r := area.r0; r < area.r1; r++ {
		var vals []*sheets.CellData
		if i := r - r0; i < len(rows) && rows[i] != nil {
			vals = rows[i].Values
		}
		for c := area.c0; c < area.c1; c++ {
			j := c - c0
			if j >= len(vals) && bound == nil {
				break
			}
			var src *sheets.CellData
			if j < len(vals) {
				src = vals[j]
			}
			nc, err := applyCell(sh.cell(r, c), src, m)
			if err != nil {
				return err
			}
			changes = append(changes, change{r, c, nc})
		}
	}
	for _, ch := range changes {
		sh.setCell(ch.r, ch.c, ch.v)
	}
	return nil
}

func updateCells(t *tx, r *sheets.UpdateCellsRequest) error {
	m, err := parseCellMask(r.Fields)
	if err != nil {
		return err
	}
	if m.pivot {
		if err := checkPivots(t, r.Rows); err != nil {
			return err
		}
	}
	switch {
	case r.Start != nil && r.Range != nil:
		return invalidArgument("Only one of start or range may be set.")
	case r.Start != nil:
		sh, ok := t.sheetByID(r.Start.SheetId)
		if !ok {
			return noGrid(r.Start.SheetId)
		}
		return writeRows(sh, int(r.Start.RowIndex), int(r.Start.ColumnIndex), r.Rows, m, nil)
	case r.Range != nil:
		sh, b, err := rangeSheet(t, r.Range)
		if err != nil {
			return err
		}
		return writeRows(sh, b.r0, b.c0, r.Rows, m, &b)
	}
	return invalidArgument("One of start or range must be set.")
}

func appendCells(t *tx, r *sheets.AppendCellsRequest) error {
	if r.TableId != "" {
		return unimplemented("appendCells with tableId is not implemented")
	}
	m, err := parseCellMask(r.Fields)
	if err != nil {
		return err
	}
	sh, ok := t.sheetByID(r.SheetId)
	if !ok {
		return noGrid(r.SheetId)
	}
	at := sh.lastValueRow(0, sh.colCount()) + 1
	if need := at + len(r.Rows); need > sh.rowCount() {
		sh.resize(need, sh.colCount())
	}
	return writeRows(sh, at, 0, r.Rows, m, nil)
}

func repeatCell(t *tx, r *sheets.RepeatCellRequest) error {
	m, err := parseCellMask(r.Fields)
	if err != nil {
		return err
	}
	sh, b, err := rangeSheet(t, r.Range)
	if err != nil {
		return err
	}
	for rr := b.r0; rr < b.r1; rr++ {
		for cc := b.c0; cc < b.c1; cc++ {
			nc, err := applyCell(sh.cell(rr, cc), r.Cell, m)
			if err != nil {
				return err
			}
			sh.setCell(rr, cc, nc)
		}
	}
	return nil
}

// sortClass orders kinds of values as Sheets sorts them: numbers, then text,
// then booleans; empty cells always come last, whatever the order.
func sortClass(v value) int {
	switch v.kind {
	case kindNumber:
		return 0
	case kindString, kindFormula:
		return 1
	case kindBool:
		return 2
	}
	return 3
}

func compareValues(a, b value) int {
	ca, cb := sortClass(a), sortClass(b)
	if ca != cb {
		return ca - cb
	}
	switch ca {
	case 0:
		switch {
		case a.num < b.num:
			return -1
		case a.num > b.num:
			return 1
		}
	case 1:
		return strings.Compare(strings.ToLower(a.str), strings.ToLower(b.str))
	case 2:
		switch {
		case !a.b && b.b:
			return -1
		case a.b && !b.b:
			return 1
		}
	}
	return 0
}

// sortRange sorts the rows of a range, stably. Cells move with their formats
// and notes. When the range spans whole rows, the rows themselves move, with
// their developer metadata, size and visibility (unless the server was made
// with WithSortLeavingRowMetadata); otherwise only the cells in the range move.
func sortRange(t *tx, r *sheets.SortRangeRequest) error {
	sh, b, err := rangeSheet(t, r.Range)
	if err != nil {
		return err
	}
	for i, s := range r.SortSpecs {
		if s.DataSourceColumnReference != nil || s.BackgroundColor != nil || s.BackgroundColorStyle != nil || s.ForegroundColor != nil || s.ForegroundColorStyle != nil {
			return unimplemented("sortSpecs[%d]: sorting by color or data source column is not implemented", i)
		}
		if int(s.DimensionIndex) < b.c0 || int(s.DimensionIndex) >= b.c1 {
			return invalidArgument("sortSpecs[%d].dimensionIndex %d is outside the range to sort.", i, s.DimensionIndex)
		}
	}
	order := make([]int, b.rows())
	for i := range order {
		order[i] = b.r0 + i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		for _, s := range r.SortSpecs {
			c := int(s.DimensionIndex)
			vx, vy := sh.cell(x, c).v, sh.cell(y, c).v
			ex, ey := vx.kind == kindEmpty, vy.kind == kindEmpty
			switch {
			case ex && ey:
				continue
			case ex:
				return 1
			case ey:
				return -1
			}
			d := compareValues(vx, vy)
			if s.SortOrder == "DESCENDING" {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		return 0
	})
	if b.c0 == 0 && b.c1 == sh.colCount() && t.srv.sortMoves {
		moved := make([]*row, len(order))
		for i, src := range order {
			moved[i] = sh.rows[src]
		}
		copy(sh.rows[b.r0:b.r1], moved)
		return nil
	}
	blocks := make([][]cell, len(order))
	for i, src := range order {
		for c := b.c0; c < b.c1; c++ {
			blocks[i] = append(blocks[i], sh.cell(src, c))
		}
	}
	for i, blk := range blocks {
		for j, cl := range blk {
			sh.setCell(b.r0+i, b.c0+j, cl)
		}
	}
	return nil
}

// insertRange shifts the cells of a range down or right by its size. The grid
// grows so that no cell falls off its edge.
func insertRange(t *tx, r *sheets.InsertRangeRequest) error {
	sh, b, err := rangeSheet(t, r.Range)
	if err != nil {
		return err
	}
	switch r.ShiftDimension {
	case "ROWS":
		n := b.rows()
		sh.resize(sh.rowCount()+n, sh.colCount())
		for c := b.c0; c < b.c1; c++ {
			for rr := sh.rowCount() - 1; rr >= b.r1; rr-- {
				sh.setCell(rr, c, sh.cell(rr-n, c))
			}
		}
	case "COLUMNS":
		n := b.cols()
		if err := checkColumns(sh, n); err != nil {
			return err
		}
		sh.resize(sh.rowCount(), sh.colCount()+n)
		for rr := b.r0; rr < b.r1; rr++ {
			for c := sh.colCount() - 1; c >= b.c1; c-- {
				sh.setCell(rr, c, sh.cell(rr, c-n))
			}
		}
	default:
		return invalidArgument("shiftDimension must be ROWS or COLUMNS")
	}
	for rr := b.r0; rr < b.r1; rr++ {
		for c := b.c0; c < b.c1; c++ {
			sh.setCell(rr, c, cell{})
		}
	}
	return nil
}

// deleteRange removes the cells of a range, shifting the cells below (or to
// the right) into its place.
func deleteRange(t *tx, r *sheets.DeleteRangeRequest) error {
	sh, b, err := rangeSheet(t, r.Range)
	if err != nil {
		return err
	}
	switch r.ShiftDimension {
	case "ROWS":
		n := b.rows()
		for c := b.c0; c < b.c1; c++ {
			for rr := b.r0; rr < sh.rowCount(); rr++ {
				var v cell
				if rr+n < sh.rowCount() {
					v = sh.cell(rr+n, c)
				}
				sh.setCell(rr, c, v)
			}
		}
	case "COLUMNS":
		n := b.cols()
		for rr := b.r0; rr < b.r1; rr++ {
			for c := b.c0; c < sh.colCount(); c++ {
				var v cell
				if c+n < sh.colCount() {
					v = sh.cell(rr, c+n)
				}
				sh.setCell(rr, c, v)
			}
		}
	default:
		return invalidArgument("shiftDimension must be ROWS or COLUMNS")
	}
	return nil
}

func addProtectedRange(t *tx, r *sheets.AddProtectedRangeRequest) (*sheets.Response, error) {
	p := r.ProtectedRange
	if p == nil {
		return nil, invalidArgument("protectedRange must be specified")
	}
	if p.NamedRangeId != "" || p.TableId != "" {
		return nil, unimplemented("protected ranges backed by named ranges or tables are not implemented")
	}
	if p.Range == nil {
		return nil, invalidArgument("range must be specified")
	}
	sh, _, err := rangeSheet(t, p.Range)
	if err != nil {
		return nil, err
	}
	used := map[int64]bool{}
	for _, s := range t.ss.sheets {
		for _, q := range s.protected {
			used[q.ProtectedRangeId] = true
		}
	}
	np := *p
	switch {
	case np.ProtectedRangeId != 0 && used[np.ProtectedRangeId]:
		return nil, invalidArgument("A protected range with ID %d already exists.", np.ProtectedRangeId)
	case np.ProtectedRangeId == 0:
		for np.ProtectedRangeId == 0 || used[np.ProtectedRangeId] {
			np.ProtectedRangeId = 1 + t.srv.rnd.Int64N(1<<31-1)
		}
	}
	np.RequestingUserCanEdit = true
	sh.protected = append(slices.Clip(sh.protected), &np)
	out := np
	return &sheets.Response{AddProtectedRange: &sheets.AddProtectedRangeResponse{ProtectedRange: &out}}, nil
}

func deleteProtectedRange(t *tx, r *sheets.DeleteProtectedRangeRequest) error {
	for i, s := range t.ss.sheets {
		for j, q := range s.protected {
			if q.ProtectedRangeId == r.ProtectedRangeId {
				sh := t.sheet(i)
				sh.protected = slices.Delete(slices.Clone(sh.protected), j, j+1)
				return nil
			}
		}
	}
	return invalidArgument("No protected range with id: %d", r.ProtectedRangeId)
}

func setBasicFilter(t *tx, r *sheets.SetBasicFilterRequest) error {
	if r.Filter == nil || r.Filter.Range == nil {
		return invalidArgument("filter.range must be specified")
	}
	sh, _, err := rangeSheet(t, r.Filter.Range)
	if err != nil {
		return err
	}
	f := *r.Filter
	sh.filter = &f
	return nil
}

func clearBasicFilter(t *tx, r *sheets.ClearBasicFilterRequest) error {
	sh, ok := t.sheetByID(r.SheetId)
	if !ok {
		return noGrid(r.SheetId)
	}
	sh.filter = nil
	return nil
}
