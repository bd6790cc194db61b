package gsheetstest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"
)

func copyPasteReq(src, dst *sheets.GridRange, kind string) *sheets.Request {
	return &sheets.Request{CopyPaste: &sheets.CopyPasteRequest{Source: src, Destination: dst, PasteType: kind}}
}

func grid(sheetID, r0, r1, c0, c1 int64) *sheets.GridRange {
	return &sheets.GridRange{SheetId: sheetID, StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: c0, EndColumnIndex: c1,
		ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
}

func TestCopyPaste(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  func(e *env, other int64) *sheets.Request
		tab  string
		want [][]string
	}{
		{"normal, to another tab", func(e *env, other int64) *sheets.Request {
			return copyPasteReq(grid(e.sheetID, 0, 2, 0, 2), grid(other, 1, 3, 1, 3), "PASTE_NORMAL")
		}, "Undo", [][]string{{"", "", ""}, {"", "a", "1.50"}, {"", "b", "=A1"}}},
		{"destination a multiple of the source repeats it", func(e *env, other int64) *sheets.Request {
			return copyPasteReq(grid(e.sheetID, 0, 1, 0, 1), grid(other, 0, 2, 0, 2), "")
		}, "Undo", [][]string{{"a", "a"}, {"a", "a"}}},
		{"smaller destination takes the whole source", func(e *env, other int64) *sheets.Request {
			return copyPasteReq(grid(e.sheetID, 0, 2, 0, 2), grid(other, 0, 1, 0, 1), "PASTE_NORMAL")
		}, "Undo", [][]string{{"a", "1.50"}, {"b", "=A1"}}},
		{"values only", func(e *env, other int64) *sheets.Request {
			return copyPasteReq(grid(e.sheetID, 0, 2, 1, 2), grid(other, 0, 2, 0, 1), "PASTE_VALUES")
		}, "Undo", [][]string{{"1.5"}, {"=A1"}}},
		{"overlapping, same tab", func(e *env, other int64) *sheets.Request {
			return copyPasteReq(grid(e.sheetID, 0, 2, 0, 1), grid(e.sheetID, 1, 3, 0, 1), "PASTE_NORMAL")
		}, "Sheet1", [][]string{{"a", "1.50"}, {"a", "=A1"}, {"b", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if _, err := e.batch(addSheetReq("Undo", 5, 5)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.batch(updateCellsReq(e.sheetID, 0, 0, "userEnteredValue,userEnteredFormat",
				[]*sheets.CellData{str("a"), num(1.5, "0.00")},
				[]*sheets.CellData{str("b"), {UserEnteredValue: &sheets.ExtendedValue{FormulaValue: ptr("=A1")}}})); err != nil {
				t.Fatal(err)
			}
			if _, err := e.batch(tt.req(e, e.tabID(t, "Undo"))); err != nil {
				t.Fatalf("BatchUpdate(copyPaste) error = %v", err)
			}
			if diff := cmp.Diff(tt.want, e.snapshot(t, tt.tab)); diff != "" {
				t.Errorf("%s after copyPaste mismatch (-want +got):\n%s", tt.tab, diff)
			}
		})
	}
}

func TestCopyPasteErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name string
		req  *sheets.Request
		code int
		msg  string
	}{
		{"no destination", &sheets.Request{CopyPaste: &sheets.CopyPasteRequest{Source: grid(e.sheetID, 0, 1, 0, 1)}}, 400,
			"Invalid requests[0].copyPaste: source and destination must be specified"},
		{"past the grid", copyPasteReq(grid(e.sheetID, 0, 2, 0, 2), grid(e.sheetID, 999, 1000, 0, 1), ""), 400,
			"Invalid requests[0].copyPaste: Range (Sheet1!A1000:B1001) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{"transpose", &sheets.Request{CopyPaste: &sheets.CopyPasteRequest{Source: grid(e.sheetID, 0, 1, 0, 1), Destination: grid(e.sheetID, 2, 3, 0, 1), PasteOrientation: "TRANSPOSE"}}, 501,
			"gsheetstest: copyPaste with pasteOrientation TRANSPOSE is not implemented"},
		{"bad type", copyPasteReq(grid(e.sheetID, 0, 1, 0, 1), grid(e.sheetID, 2, 3, 0, 1), "PASTE_ALL"), 400,
			`Invalid requests[0].copyPaste: Invalid paste type: "PASTE_ALL"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.batch(tt.req)
			if code, msg := apiErr(t, err); code != tt.code || msg != tt.msg {
				t.Errorf("BatchUpdate(%s) error = %d %q, want %d %q", tt.name, code, msg, tt.code, tt.msg)
			}
		})
	}
}
