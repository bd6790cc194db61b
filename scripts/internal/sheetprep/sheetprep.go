// Package sheetprep prepares Google spreadsheets for Safeview, as
// scripts/bootstrap-sheet does with a person's credentials and the local
// stack does in the emulator, through the same code: the tabs of the
// tables with their header (frozen, protected with a warning), and for a
// destination of the configuration its own spreadsheet (created when it
// has none), its Today and Summary tabs (package meetingtabs) and its
// sharing through the Drive API, with its service account as an Editor and
// with the people of its share: in their role, without a notification
// email unless asked. Every step makes what is missing and leaves what is
// there: run again, it changes nothing.
package sheetprep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheets"
)

// ProtectionDescription marks the protected range Tabs adds, so that a
// second run finds it.
const ProtectionDescription = "Safeview header: Safeview finds its columns by these names. Renaming one makes it add the column again at the end."

// Tab is what a table needs in the spreadsheet: its tab, and the headers
// of its columns.
type Tab struct {
	Title   string
	Headers []string
}

// Tabs creates the missing tabs, then writes the missing headers, freezes
// and protects the header row, in one batch; it says what it did, tab by
// tab, on out. Run again, it changes nothing.
func Tabs(ctx context.Context, svc *sheets.Service, id string, tabs []Tab, out io.Writer) error {
	const fields = "sheets(properties(sheetId,title,gridProperties),protectedRanges(protectedRangeId,description))"
	ss, err := svc.Spreadsheets.Get(id).Fields(fields).Context(ctx).Do()
	if err != nil {
		return err
	}
	var add []*sheets.Request
	for _, t := range tabs {
		if find(ss, t.Title) == nil {
			add = append(add, &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: t.Title}}})
			fmt.Fprintf(out, "tab %q: created\n", t.Title)
		}
	}
	if len(add) > 0 {
		if _, err := svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: add}).Context(ctx).Do(); err != nil {
			return err
		}
		if ss, err = svc.Spreadsheets.Get(id).Fields(fields).Context(ctx).Do(); err != nil {
			return err
		}
	}

	var reqs []*sheets.Request
	for _, t := range tabs {
		sh := find(ss, t.Title)
		got, err := svc.Spreadsheets.Values.Get(id, gsheets.RowRange(t.Title, 0)).ValueRenderOption("UNFORMATTED_VALUE").Context(ctx).Do()
		if err != nil {
			return err
		}
		r, did := t.requests(sh, got.Values)
		reqs = append(reqs, r...)
		if len(did) == 0 {
			did = []string{"already set up"}
		}
		fmt.Fprintf(out, "tab %q: %s\n", t.Title, strings.Join(did, ", "))
	}
	if len(reqs) == 0 {
		return nil
	}
	_, err = svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
	return err
}

func find(ss *sheets.Spreadsheet, title string) *sheets.Sheet {
	for _, sh := range ss.Sheets {
		if sh.Properties != nil && sh.Properties.Title == title {
			return sh
		}
	}
	return nil
}

// requests returns what the tab still needs, and says it. Headers the
// team added stay where they are; a missing header goes after the last
// one, as the function would put it.
func (t Tab) requests(sh *sheets.Sheet, rows [][]any) ([]*sheets.Request, []string) {
	p := sh.Properties
	var header []string
	if len(rows) > 0 {
		for _, v := range rows[0] {
			header = append(header, strings.TrimSpace(fmt.Sprint(v)))
		}
	}
	next := len(header)
	for next > 0 && header[next-1] == "" {
		next--
	}
	var cols int64
	var frozen int64
	if g := p.GridProperties; g != nil {
		cols, frozen = g.ColumnCount, g.FrozenRowCount
	}
	var reqs []*sheets.Request
	var did []string
	var written []string
	for _, h := range t.Headers {
		if slices.Contains(header, h) {
			continue
		}
		if int64(next) >= cols {
			reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{SheetId: p.SheetId, Dimension: "COLUMNS", Length: 1}})
			cols++
		}
		text := h
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: p.SheetId, RowIndex: 0, ColumnIndex: int64(next), ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: &sheets.ExtendedValue{StringValue: &text}}}}},
			Fields: "userEnteredValue",
		}})
		written = append(written, h)
		next++
	}
	if len(written) > 0 {
		did = append(did, "header "+strings.Join(written, " | "))
	}
	if frozen < 1 {
		reqs = append(reqs, &sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: p.SheetId, GridProperties: &sheets.GridProperties{FrozenRowCount: 1}},
			Fields:     "gridProperties.frozenRowCount",
		}})
		did = append(did, "frozen")
	}
	protected := slices.ContainsFunc(sh.ProtectedRanges, func(r *sheets.ProtectedRange) bool {
		return r.Description == ProtectionDescription
	})
	if !protected {
		reqs = append(reqs, &sheets.Request{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range:       &sheets.GridRange{SheetId: p.SheetId, StartRowIndex: 0, EndRowIndex: 1, ForceSendFields: []string{"SheetId", "StartRowIndex"}},
			Description: ProtectionDescription,
			WarningOnly: true,
		}}})
		did = append(did, "protected with a warning")
	}
	return reqs, did
}

// Explain adds what to do to the API errors a newcomer meets.
func Explain(err error, what string) error {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return fmt.Errorf("%s: %w", what, err)
	}
	hint := ""
	switch {
	case gerr.Code == 404:
		hint = ": check the id (the part of the URL between /d/ and /edit)"
	case gerr.Code == 403 && strings.Contains(gerr.Message, "scope"):
		hint = ": log in again with the scopes in the usage (go run ./scripts/bootstrap-sheet -h)"
	case gerr.Code == 403 && strings.Contains(strings.ToLower(gerr.Message), "quota project"):
		hint = ": give -project, the deployment's project"
	case gerr.Code == 403:
		hint = ": you need to be an Editor of the spreadsheet, and the API enabled in -project (terraform apply enables it)"
	}
	return fmt.Errorf("%s: %w%s", what, err, hint)
}
