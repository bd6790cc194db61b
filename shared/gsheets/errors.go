package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/api/googleapi"
)

// callError is a failed API call. It keeps the HTTP status only: Google's
// messages for a 4xx can quote the request, and so a cell.
type callError struct {
	call string // what the sink was doing
	tab  string
	code int  // 0: no answer (a lost connection or a timeout)
	full bool // refused: the spreadsheet would pass Google's cell limit
}

func (e *callError) Error() string {
	if e.full {
		return fmt.Sprintf("%s in tab %q: %v (Google's limit of %d cells)", e.call, e.tab, ErrSpreadsheetFull, maxCells)
	}
	if e.code == 0 {
		return fmt.Sprintf("%s in tab %q: no answer", e.call, e.tab)
	}
	return fmt.Sprintf("%s in tab %q: HTTP %d %s", e.call, e.tab, e.code, http.StatusText(e.code))
}

// Is makes a timeout match context.DeadlineExceeded, and a refusal for
// the cell limit ErrSpreadsheetFull.
func (e *callError) Is(target error) bool {
	return e.code == 0 && target == context.DeadlineExceeded || e.full && target == ErrSpreadsheetFull
}

func newCallError(call string, t *tab, err error) error {
	ce := &callError{call: call}
	if t != nil {
		ce.tab = t.Tab
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		ce.code = gerr.Code
		// Google's fixed words for the cell limit, which quote nothing of
		// the request: "This action would increase the number of cells in
		// the workbook above the limit of 10000000 cells." Matched
		// loosely, so that a rewording still reads as the limit.
		ce.full = gerr.Code == http.StatusBadRequest && strings.Contains(gerr.Message, "limit") && strings.Contains(gerr.Message, "cells")
	}
	return ce
}

// ErrSpreadsheetFull means a new row would take the spreadsheet past
// Google's limit of 10 million cells (every tab's grid, empty cells
// included). Updates of existing rows go on as long as the undo tab holds
// a row for each update of a flush; new rows, and updates that would need
// the undo tab to grow, wait, answered with an error that also wraps
// model.ErrUnavailable so that the platform retries, until someone makes room:
// deletes empty columns or rows, unused tabs, or moves old rows to
// another spreadsheet.
var ErrSpreadsheetFull = errors.New("spreadsheet full")

// maxCells is Google's limit on the cells of a spreadsheet.
const maxCells = 10_000_000

func isFull(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && ce.full
}

func statusOf(err error) (int, bool) {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.code, true
	}
	return 0, false
}

// retryable reports whether a failure may pass by itself: quota, server
// errors, lost answers and timeouts.
func retryable(err error) bool {
	code, ok := statusOf(err)
	if !ok {
		return errors.Is(err, context.DeadlineExceeded)
	}
	return code == 0 || code == http.StatusTooManyRequests || code >= 500
}

// changedSheet reports whether a failure says the sheet is not what the
// index thinks: a row or a grid that no longer exists.
func changedSheet(err error) bool {
	code, ok := statusOf(err)
	return ok && (code == http.StatusBadRequest || code == http.StatusNotFound) && !isFull(err)
}

func isQuota(err error) bool {
	code, ok := statusOf(err)
	return ok && code == http.StatusTooManyRequests
}

// ambiguous reports whether a failed write may nonetheless have been
// applied: the answer was lost, or the server failed after receiving it.
func ambiguous(err error) bool {
	code, ok := statusOf(err)
	return !ok || code == 0 || code >= 500
}

// unavailable wraps err for the caller: every failure to write in time is
// model.ErrUnavailable, so that the platform retries.
func unavailable(err error) error {
	if errors.Is(err, model.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", model.ErrUnavailable, err)
}

// timedOut reports whether a call went unanswered within its timeout, or
// its connection was lost.
func timedOut(err error) bool {
	code, ok := statusOf(err)
	return ok && code == 0 || !ok && errors.Is(err, context.DeadlineExceeded)
}
