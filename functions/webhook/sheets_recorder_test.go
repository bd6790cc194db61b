package webhookfn

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"
)

// sheetCells returns every cell string of the spreadsheet. The canary
// harness reads both sheets it writes to through it: the recorder below
// (what it was asked to write) and the Sheets emulator (shared/sheetstest,
// every tab read back, see emulatorCells).
type sheetCells func() []string

// recorder is the smallest Sheets v4 server the sink can write to: it
// answers the calls the sink makes (spreadsheets.get, batchUpdate,
// values.get, values.batchGet) as for an empty spreadsheet, and records
// every request, so that a test can check what was sent to Google, not
// only what a sheet would show.
type recorder struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []recorded
	tabs     []*sheetsapi.SheetProperties
	cells    []string
}

// recorded is one request as it left the client.
type recorded struct {
	Method, URL string
	Body        []byte
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// service returns a real Sheets client pointed at the recorder.
func (r *recorder) service(t *testing.T) *sheetsapi.Service {
	t.Helper()
	svc, err := sheetsapi.NewService(t.Context(), option.WithEndpoint(r.srv.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(r.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, recorded{Method: req.Method, URL: req.URL.String(), Body: body})
	path := req.URL.Path
	var out any
	switch {
	case req.Method == http.MethodPost && strings.HasSuffix(path, ":batchUpdate"):
		var in sheetsapi.BatchUpdateSpreadsheetRequest
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		replies := make([]*sheetsapi.Response, len(in.Requests))
		for i, rq := range in.Requests {
			replies[i] = &sheetsapi.Response{}
			if rq.AddSheet != nil {
				p := &sheetsapi.SheetProperties{SheetId: int64(len(r.tabs) + 1), Title: rq.AddSheet.Properties.Title,
					GridProperties: &sheetsapi.GridProperties{RowCount: 1000, ColumnCount: 26}}
				r.tabs = append(r.tabs, p)
				replies[i].AddSheet = &sheetsapi.AddSheetResponse{Properties: p}
			}
			if u := rq.UpdateCells; u != nil {
				for _, row := range u.Rows {
					for _, c := range row.Values {
						r.cells = append(r.cells, cellText(c))
					}
				}
			}
		}
		out = &sheetsapi.BatchUpdateSpreadsheetResponse{Replies: replies}
	case strings.HasSuffix(path, "/values:batchGet"):
		ranges := req.URL.Query()["ranges"]
		vr := make([]*sheetsapi.ValueRange, len(ranges))
		for i, rg := range ranges {
			vr[i] = &sheetsapi.ValueRange{Range: rg}
		}
		out = &sheetsapi.BatchGetValuesResponse{ValueRanges: vr}
	case strings.Contains(path, "/values/"):
		out = &sheetsapi.ValueRange{}
	case req.Method == http.MethodGet:
		sheets := make([]*sheetsapi.Sheet, len(r.tabs))
		for i, p := range r.tabs {
			sheets[i] = &sheetsapi.Sheet{Properties: p}
		}
		out = &sheetsapi.Spreadsheet{Sheets: sheets}
	default:
		http.Error(w, "not implemented by the recorder", http.StatusNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func cellText(c *sheetsapi.CellData) string {
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

// Cells implements sheetCells with what the recorder was asked to write.
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
