package gsheetstest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error the emulator answers with Google's JSON error body.
type apiError struct {
	code    int
	status  string
	message string
	details []any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.code, e.status, e.message) }

// errorBody is the JSON shape of every Google API error.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []any  `json:"details,omitempty"`
}

func invalidArgument(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, status: "INVALID_ARGUMENT", message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{code: http.StatusNotFound, status: "NOT_FOUND", message: fmt.Sprintf(format, args...)}
}

// unimplemented marks a call Google accepts that the emulator does not model, so
// that a new call in the code under test fails loudly instead of passing silently.
func unimplemented(format string, args ...any) *apiError {
	return &apiError{code: http.StatusNotImplemented, status: "UNIMPLEMENTED", message: "gsheetstest: " + fmt.Sprintf(format, args...)}
}

// errEntityNotFound is Google's answer for an unknown spreadsheet.
func errEntityNotFound() *apiError { return notFound("Requested entity was not found.") }

// errParseRange is Google's answer for a range it cannot resolve.
func errParseRange(rng string) *apiError { return invalidArgument("Unable to parse range: %s", rng) }

var (
	errInternal    = &apiError{code: http.StatusInternalServerError, status: "INTERNAL", message: "Internal error encountered."}
	errUnavailable = &apiError{code: http.StatusServiceUnavailable, status: "UNAVAILABLE", message: "The service is currently unavailable."}
)

// requestError prefixes err with the position and kind of a batchUpdate request,
// the way Google names the failing request: "Invalid requests[1].updateCells: ...".
func requestError(i int, kind string, err error) *apiError {
	ae, ok := err.(*apiError)
	if !ok {
		ae = invalidArgument("%v", err)
	}
	if ae.code != http.StatusBadRequest {
		return ae
	}
	return &apiError{code: ae.code, status: ae.status, message: fmt.Sprintf("Invalid requests[%d].%s: %s", i, kind, ae.message)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.code)
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorPayload{Code: e.code, Message: e.message, Status: e.status, Details: e.details}})
}
