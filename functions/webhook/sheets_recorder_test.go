package webhookfn

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// sheetCells returns every cell string of the spreadsheet. The canary
// harness reads both sheets it writes to through it: the recorder below
// (what it was asked to write) and the Sheets emulator (shared/gsheetstest,
// every tab read back, see emulatorCells).
type sheetCells func() []string

// recorder is a recording proxy in front of the Sheets emulator: the sink
// talks to the emulator through it, and every request is kept, so that a
// test can check what was sent to Google, not only what a sheet shows.
type recorder struct {
	srv *httptest.Server
	emu http.Handler

	mu       sync.Mutex
	requests []recorded
	cells    []string
}

// recorded is one request as it left the client.
type recorded struct {
	Method, URL string
	Body        []byte
}

func newRecorder(t *testing.T, emu *gsheetstest.Server) *recorder {
	t.Helper()
	r := &recorder{emu: emu.Handler()}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// service returns a real Sheets client pointed at the recorder.
func (r *recorder) service(t *testing.T) *sheets.Service {
	t.Helper()
	svc, err := sheets.NewService(t.Context(), option.WithEndpoint(r.srv.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(r.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.requests = append(r.requests, recorded{Method: req.Method, URL: req.URL.String(), Body: body})
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, ":batchUpdate") {
		var in sheets.BatchUpdateSpreadsheetRequest
		if json.Unmarshal(body, &in) == nil {
			for _, rq := range in.Requests {
				if u := rq.UpdateCells; u != nil {
					for _, row := range u.Rows {
						for _, c := range row.Values {
							r.cells = append(r.cells, cellText(c))
						}
					}
				}
			}
		}
	}
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.emu.ServeHTTP(w, req)
}

func cellText(c *sheets.CellData) string {
	v := c.UserEnteredValue
	switch {
	case v == nil:
		return ""
	case v.StringValue != nil:
		return *v.StringValue
	case v.NumberValue != nil:
		return strconv.FormatFloat(*v.NumberValue, 'f', -1, 64)
	}
	return ""
}

// Cells implements sheetCells with the cells the sink asked to write.
func (r *recorder) Cells() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.cells...)
}

// Sent returns every request sent to the Sheets API.
func (r *recorder) Sent() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

var _ sheetCells = (*recorder)(nil).Cells
