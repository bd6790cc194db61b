package gsheets

import (
	"errors"

	"github.com/safeview/safeview/shared/model"
)

// ErrCellTooLong means a row holds a text cell longer than Google Sheets
// allows (model.MaxCellChars). Google refuses a write request that holds
// a longer cell whole, and with it every row of the flush: Upsert refuses
// such a row alone, and package pipeline cuts text cells to fit.
var ErrCellTooLong = errors.New("cell longer than Google Sheets allows")

// fits reports whether s fits in a cell of Google Sheets.
func fits(s string) bool { return model.FitsCell(s, model.MaxCellChars) }
