package gsheets

import (
	"strconv"
	"strings"
)

// ColumnLetters returns the A1 letters of a 0-based column index: 0 is A,
// 25 is Z, 26 is AA.
func ColumnLetters(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// QuoteTab quotes a tab title for A1 notation: 'My tab', with quotes
// doubled.
func QuoteTab(title string) string {
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

// CellRange returns the A1 range of one cell (0-based row and column).
func CellRange(tab string, row, col int) string {
	return QuoteTab(tab) + "!" + ColumnLetters(col) + strconv.Itoa(row+1)
}

// RowRange returns the A1 range of a whole row (0-based).
func RowRange(tab string, row int) string {
	r := strconv.Itoa(row + 1)
	return QuoteTab(tab) + "!" + r + ":" + r
}

// ColumnRange returns the A1 range of a whole column (0-based).
func ColumnRange(tab string, col int) string {
	c := ColumnLetters(col)
	return QuoteTab(tab) + "!" + c + ":" + c
}
