package gsheetstest

import (
	"google.golang.org/api/sheets/v4"
)

// copyPaste copies a block of cells to another place, on the same sheet or
// another, as CopyPasteRequest does. PASTE_NORMAL and PASTE_NO_BORDERS
// (borders are not modelled) copy values, formulas, formats and notes;
// PASTE_VALUES copies values (a formula's value being its text);
// PASTE_FORMAT copies formats; PASTE_FORMULA copies values and formulas.
// A destination whose height or width is a multiple of the source's
// repeats the source; any other destination receives the whole source
// once from its top-left corner, which must fit in the grid. The source is
// read before anything is written, so overlapping blocks copy what was
// there. Unlike Google, formulas are pasted as written: their relative
// references are not shifted.
func copyPaste(t *tx, r *sheets.CopyPasteRequest) error {
	if r.Source == nil || r.Destination == nil {
		return invalidArgument("source and destination must be specified")
	}
	if r.PasteOrientation != "" && r.PasteOrientation != "NORMAL" {
		return unimplemented("copyPaste with pasteOrientation %s is not implemented", r.PasteOrientation)
	}
	pick, err := pasteKind(r.PasteType)
	if err != nil {
		return err
	}
	src, sb, err := rangeSheet(t, r.Source)
	if err != nil {
		return err
	}
	block := make([][]cell, sb.r1-sb.r0)
	for i := range block {
		block[i] = make([]cell, sb.c1-sb.c0)
		for j := range block[i] {
			block[i][j] = src.cell(sb.r0+i, sb.c0+j)
		}
	}
	dst, db, err := rangeSheet(t, r.Destination)
	if err != nil {
		return err
	}
	h, w := len(block), sb.c1-sb.c0
	if h == 0 || w == 0 {
		return nil
	}
	rows, cols := db.r1-db.r0, db.c1-db.c0
	if rows == 0 || rows%h != 0 {
		rows = h
	}
	if cols == 0 || cols%w != 0 {
		cols = w
	}
	if end := (rect{db.r0, db.r0 + rows, db.c0, db.c0 + cols}); end.r1 > dst.rowCount() || end.c1 > dst.colCount() {
		return gridLimitError(dst, end)
	}
	for i := range rows {
		for j := range cols {
			old := dst.cell(db.r0+i, db.c0+j)
			dst.setCell(db.r0+i, db.c0+j, pick(old, block[i%h][j%w]))
		}
	}
	return nil
}

// pasteKind returns how a pasted cell combines with the cell it replaces.
func pasteKind(kind string) (func(old, src cell) cell, error) {
	switch kind {
	case "", "PASTE_NORMAL", "PASTE_NO_BORDERS":
		return func(_, src cell) cell { return src }, nil
	case "PASTE_VALUES":
		return func(old, src cell) cell {
			if src.v.kind == kindFormula {
				src.v.kind = kindString
			}
			old.v = src.v
			return old
		}, nil
	case "PASTE_FORMULA":
		return func(old, src cell) cell { old.v = src.v; return old }, nil
	case "PASTE_FORMAT":
		return func(old, src cell) cell { old.format = src.format; return old }, nil
	case "PASTE_DATA_VALIDATION", "PASTE_CONDITIONAL_FORMATTING":
		return nil, unimplemented("copyPaste with pasteType %s is not implemented", kind)
	}
	return nil, invalidArgument("Invalid paste type: %q", kind)
}
