package sheets

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/api/googleapi"
)

// callError is a failed API call. It keeps the HTTP status only: Google's
// messages for a 4xx can quote the request, and so a cell.
type callError struct {
	call string // what the sink was doing
	tab  string
	code int // 0: no answer (a lost connection or a timeout)
}

func (e *callError) Error() string {
	if e.code == 0 {
		return fmt.Sprintf("%s in tab %q: no answer", e.call, e.tab)
	}
	return fmt.Sprintf("%s in tab %q: HTTP %d %s", e.call, e.tab, e.code, http.StatusText(e.code))
}

// Is makes a timeout match context.DeadlineExceeded.
func (e *callError) Is(target error) bool {
	return e.code == 0 && target == context.DeadlineExceeded
}

func newCallError(call string, t *tab, err error) error {
	ce := &callError{call: call}
	if t != nil {
		ce.tab = t.Tab
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		ce.code = gerr.Code
	}
	return ce
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
	return ok && (code == http.StatusBadRequest || code == http.StatusNotFound)
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
// ErrUnavailable, so that the platform retries.
func unavailable(err error) error {
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
