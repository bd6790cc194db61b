package gsheetstest

import (
	"strconv"

	"google.golang.org/api/sheets/v4"
)

// renderOpts are the valueRenderOption and dateTimeRenderOption of a read.
type renderOpts struct {
	mode           string // FORMATTED_VALUE, UNFORMATTED_VALUE or FORMULA
	formattedDates bool   // dateTimeRenderOption=FORMATTED_STRING
}

func (c cell) numberFormat() *sheets.NumberFormat {
	if c.format == nil {
		return nil
	}
	return c.format.NumberFormat
}

// formatted is the text the Sheets UI shows for the cell. Formulas are not
// evaluated: a formula cell shows its formula text.
func (c cell) formatted() string {
	switch c.v.kind {
	case kindNumber:
		return formatNumber(c.v.num, c.numberFormat())
	case kindBool:
		if c.v.b {
			return "TRUE"
		}
		return "FALSE"
	case kindString, kindFormula:
		return c.v.str
	}
	return ""
}

// render returns the cell's value for a ValueRange.
func (c cell) render(o renderOpts) any {
	if c.v.kind == kindEmpty {
		return ""
	}
	if o.mode == "" || o.mode == "FORMATTED_VALUE" {
		return c.formatted()
	}
	switch c.v.kind {
	case kindNumber:
		if o.formattedDates && isDateFormat(c.numberFormat()) {
			return c.formatted()
		}
		return c.v.num
	case kindBool:
		return c.v.b
	}
	return c.v.str
}

// readValues renders block r of sheet sh as a ValueRange's values, without
// trailing empty rows and columns.
func readValues(sh *sheet, r rect, major string, o renderOpts) [][]any {
	var out [][]any
	if major == "COLUMNS" {
		for c := r.c0; c < r.c1; c++ {
			var line []any
			for rr := r.r0; rr < r.r1; rr++ {
				line = append(line, sh.cell(rr, c).render(o))
			}
			out = append(out, trimLine(line))
		}
	} else {
		for rr := r.r0; rr < r.r1; rr++ {
			rw := sh.rows[rr]
			if rw == nil || len(rw.cells) <= r.c0 {
				out = append(out, []any{})
				continue
			}
			var line []any
			for c := r.c0; c < min(r.c1, len(rw.cells)); c++ {
				line = append(line, rw.cells[c].render(o))
			}
			out = append(out, trimLine(line))
		}
	}
	n := len(out)
	for n > 0 && len(out[n-1]) == 0 {
		n--
	}
	return out[:n]
}

func trimLine(line []any) []any {
	n := len(line)
	for n > 0 && line[n-1] == "" {
		n--
	}
	if n == 0 {
		return []any{}
	}
	return line[:n]
}

// extended turns a value into the API's ExtendedValue.
func (v value) extended() *sheets.ExtendedValue {
	switch v.kind {
	case kindNumber:
		n := v.num
		return &sheets.ExtendedValue{NumberValue: &n, ForceSendFields: []string{"NumberValue"}}
	case kindString:
		s := v.str
		return &sheets.ExtendedValue{StringValue: &s}
	case kindBool:
		b := v.b
		return &sheets.ExtendedValue{BoolValue: &b, ForceSendFields: []string{"BoolValue"}}
	case kindFormula:
		s := v.str
		return &sheets.ExtendedValue{FormulaValue: &s}
	}
	return nil
}

// cellData renders a cell for grid data. The effective value of a formula is
// its text, since gsheetstest does not evaluate formulas.
func (c cell) cellData() *sheets.CellData {
	d := &sheets.CellData{UserEnteredFormat: c.format, Note: c.note, PivotTable: c.pivot}
	if c.v.kind != kindEmpty {
		d.UserEnteredValue = c.v.extended()
		eff := c.v
		if eff.kind == kindFormula {
			eff.kind = kindString
		}
		d.EffectiveValue = eff.extended()
		d.FormattedValue = c.formatted()
	}
	if c.format != nil && c.format.NumberFormat != nil {
		d.EffectiveFormat = &sheets.CellFormat{NumberFormat: c.format.NumberFormat}
	}
	return d
}

// metadataJSON renders stored metadata with its location.
func (m *devMeta) api(loc *sheets.DeveloperMetadataLocation) *sheets.DeveloperMetadata {
	return &sheets.DeveloperMetadata{MetadataId: m.id, MetadataKey: m.key, MetadataValue: m.value, Visibility: m.visibility, Location: loc}
}

func rowLocation(sheetID int64, dimension string, i int) *sheets.DeveloperMetadataLocation {
	lt := "ROW"
	if dimension == "COLUMNS" {
		lt = "COLUMN"
	}
	return &sheets.DeveloperMetadataLocation{
		LocationType: lt,
		DimensionRange: &sheets.DimensionRange{SheetId: sheetID, Dimension: dimension, StartIndex: int64(i), EndIndex: int64(i + 1),
			ForceSendFields: []string{"SheetId", "StartIndex"}},
	}
}

func sheetLocation(sheetID int64) *sheets.DeveloperMetadataLocation {
	return &sheets.DeveloperMetadataLocation{LocationType: "SHEET", SheetId: sheetID, ForceSendFields: []string{"SheetId"}}
}

func spreadsheetLocation() *sheets.DeveloperMetadataLocation {
	return &sheets.DeveloperMetadataLocation{LocationType: "SPREADSHEET", Spreadsheet: true}
}

func dimProps(d dim, sheetID int64, dimension string, i int, defaultSize int64) *sheets.DimensionProperties {
	p := &sheets.DimensionProperties{HiddenByUser: d.hidden, PixelSize: d.pixelSize}
	if p.PixelSize == 0 {
		p.PixelSize = defaultSize
	}
	for _, m := range d.meta {
		p.DeveloperMetadata = append(p.DeveloperMetadata, m.api(rowLocation(sheetID, dimension, i)))
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
