package gsheetstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

// fakeClock is a settable clock for quota windows.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func TestQuotas(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, WithQuotas(Quotas{WriteRequestsPerMinutePerUser: 2, ReadRequestsPerMinutePerUser: 3, WriteRequestsPerMinutePerProject: 3}),
		WithClock(clock.Now), WithProjectNumber(42))
	write := func(svc *sheets.Service) error {
		_, err := svc.Spreadsheets.Values.Update(e.id, "A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
		return err
	}
	for i := range 2 {
		if err := write(e.svc); err != nil {
			t.Fatalf("write %d error = %v", i, err)
		}
	}
	// Reads have their own quota.
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
		t.Fatalf("read error = %v", err)
	}
	err := write(e.svc)
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != 429 {
		t.Fatalf("third write error = %v, want 429", err)
	}
	wantMsg := "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:42'."
	if ge.Message != wantMsg {
		t.Errorf("429 message = %q, want %q", ge.Message, wantMsg)
	}
	var body struct {
		Error struct {
			Code    int
			Status  string
			Details []map[string]any
		}
	}
	if err := json.Unmarshal([]byte(ge.Body), &body); err != nil {
		t.Fatalf("429 body %q: %v", ge.Body, err)
	}
	if body.Error.Status != "RESOURCE_EXHAUSTED" || len(body.Error.Details) != 2 {
		t.Fatalf("429 body = %+v, want RESOURCE_EXHAUSTED with ErrorInfo and Help", body.Error)
	}
	info := body.Error.Details[0]
	wantInfo := map[string]any{
		"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
		"metadata": map[string]any{
			"service": "sheets.googleapis.com", "consumer": "projects/42", "quota_metric": "sheets.googleapis.com/write_requests",
			"quota_limit": "WriteRequestsPerMinutePerUser", "quota_limit_value": "2", "quota_location": "global", "quota_unit": "1/min/{project}/{user}",
		},
	}
	if diff := cmp.Diff(wantInfo, info); diff != "" {
		t.Errorf("ErrorInfo mismatch (-want +got):\n%s", diff)
	}
	// Another user has a quota of its own, until the project's runs out.
	other, err := e.s.ServiceAs(context.Background(), "other")
	if err != nil {
		t.Fatalf("ServiceAs() error = %v", err)
	}
	if err := write(other); err != nil {
		t.Fatalf("other user's write error = %v", err)
	}
	if err := write(other); err == nil || !strings.Contains(err.Error(), "'Write requests per minute'") {
		t.Errorf("other user's second write error = %v, want the per-project 429", err)
	}
	// A new minute brings the quota back.
	clock.Add(time.Minute)
	if err := write(e.svc); err != nil {
		t.Errorf("write in the next minute error = %v", err)
	}
	if got := e.s.Stats().RateLimited; got != 2 {
		t.Errorf("Stats().RateLimited = %d, want 2", got)
	}
}

func TestGoogleQuotas(t *testing.T) {
	want := Quotas{60, 300, 60, 300}
	if got := GoogleQuotas(); got != want {
		t.Errorf("GoogleQuotas() = %+v, want %+v", got, want)
	}
}

func TestFaults(t *testing.T) {
	update := func(e *env) error {
		_, err := e.svc.Spreadsheets.Values.Update(e.id, "A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do()
		return err
	}
	tests := []struct {
		fault   Fault
		code    int    // HTTP status, 0 for a transport error
		status  string // Google status in the body
		applied bool
	}{
		{FaultInternal, 500, "INTERNAL", false},
		{FaultUnavailable, 503, "UNAVAILABLE", false},
		{FaultRateLimit, 429, "RESOURCE_EXHAUSTED", false},
		{FaultDrop, 0, "", false},
		{FaultLostResponse, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			e := newEnv(t)
			e.s.FailNext(Writes, tt.fault)
			// Reads are not selected and pass.
			if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
				t.Fatalf("read error = %v", err)
			}
			err := update(e)
			var ge *googleapi.Error
			switch {
			case err == nil:
				t.Fatalf("write with %v error = nil", tt.fault)
			case tt.code == 0 && errors.As(err, &ge):
				t.Errorf("write with %v error = %v, want a transport error", tt.fault, err)
			case tt.code != 0 && (!errors.As(err, &ge) || ge.Code != tt.code || !strings.Contains(ge.Body, tt.status)):
				t.Errorf("write with %v error = %v, want %d %s", tt.fault, err, tt.code, tt.status)
			}
			c, _ := e.s.Cell(e.id, "Sheet1", "A1")
			if applied := c.Value != nil; applied != tt.applied {
				t.Errorf("write with %v applied = %v, want %v", tt.fault, applied, tt.applied)
			}
			if err := update(e); err != nil {
				t.Errorf("write after the scripted fault error = %v", err)
			}
			if st := e.s.Stats(); st.Faults != 1 {
				t.Errorf("Stats().Faults = %d, want 1", st.Faults)
			}
		})
	}
}

func TestFaultSlowAbandonedWriteIsNotApplied(t *testing.T) {
	e := newEnv(t)
	e.s.SetSlowDelay(time.Minute)
	e.s.FailNext(Methods(MethodBatchUpdate), FaultSlow)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.svc.Spreadsheets.BatchUpdate(e.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{str("late")})}}).Context(ctx).Do()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow batchUpdate error = %v, want a deadline error", err)
	}
	time.Sleep(20 * time.Millisecond) // let the handler see the cancellation
	if got := e.snapshot(t, "Sheet1"); len(got) != 0 {
		t.Errorf("Snapshot after abandoned write = %q, want empty", got)
	}
}

func TestFaultDropsAMultiRequestBatchWhole(t *testing.T) {
	e := newEnv(t)
	e.s.FailNext(nil, FaultDrop)
	_, err := e.batch(
		updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{str("a")}),
		&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dimRange(e.sheetID, "ROWS", 0, 3)}},
	)
	if err == nil {
		t.Fatal("dropped batchUpdate error = nil, want a transport error")
	}
	ss, err := e.svc.Spreadsheets.Get(e.id).Do()
	if err != nil {
		t.Fatalf("Spreadsheets.Get() error = %v", err)
	}
	if rows := ss.Sheets[0].Properties.GridProperties.RowCount; rows != 1000 || len(e.snapshot(t, "Sheet1")) != 0 {
		t.Errorf("after a dropped batch: %d rows, %q; want 1000 and nothing written", rows, e.snapshot(t, "Sheet1"))
	}
}

func TestFailRandomly(t *testing.T) {
	e := newEnv(t, WithSeed(1))
	e.s.FailRandomly(Reads, 0.5, FaultUnavailable)
	failed := 0
	for range 100 {
		if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
			failed++
		}
	}
	if failed < 25 || failed > 75 {
		t.Errorf("FailRandomly(0.5) failed %d of 100 reads, want about half", failed)
	}
	e.s.ClearFaults()
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
		t.Errorf("read after ClearFaults() error = %v", err)
	}
}

func TestLatencyAndHook(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	e := newEnv(t)
	e.s.SetLatency(20*time.Millisecond, 5*time.Millisecond)
	e.s.SetRequestHook(func(method string) {
		mu.Lock()
		seen = append(seen, method)
		mu.Unlock()
		if method == MethodValuesAppend {
			// A person inserts a header row just before the append lands.
			if err := e.s.SetValues(e.id, "A1", [][]any{{"header"}}); err != nil {
				t.Errorf("SetValues() error = %v", err)
			}
		}
	})
	start := time.Now()
	got, err := e.svc.Spreadsheets.Values.Append(e.id, "Sheet1", &sheets.ValueRange{Values: [][]any{{"row"}}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatalf("Values.Append() error = %v", err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("Append took %v, want at least the 20ms latency", d)
	}
	if got.Updates.UpdatedRange != "Sheet1!A2" {
		t.Errorf("Append().Updates.UpdatedRange = %q, want Sheet1!A2 after the hook's header", got.Updates.UpdatedRange)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{MethodValuesAppend}, seen); diff != "" {
		t.Errorf("hook saw (-want +got):\n%s", diff)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t)
	e.s.ResetStats()
	e.put(t, "A1", []any{"a"})
	if _, err := e.svc.Spreadsheets.Values.BatchGet(e.id).Ranges("A1", "B1").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.batch(updateCellsReq(e.sheetID, 0, 0, "userEnteredValue", []*sheets.CellData{str("b")}), addSheetReq("x", 1, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Spreadsheets.DeveloperMetadata.Search(e.id, &sheets.SearchDeveloperMetadataRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	st := e.s.Stats()
	want := map[string]int{MethodValuesUpdate: 1, MethodValuesBatchGet: 1, MethodBatchUpdate: 1, MethodMetadataSearch: 1}
	if diff := cmp.Diff(want, st.Requests); diff != "" {
		t.Errorf("Stats().Requests mismatch (-want +got):\n%s", diff)
	}
	if st.Reads != 2 || st.Writes != 2 || st.BytesReceived == 0 || st.BytesSent == 0 {
		t.Errorf("Stats() = %+v, want 2 reads, 2 writes and bytes both ways", st)
	}
	e.s.ResetStats()
	if st := e.s.Stats(); st.Reads != 0 || len(st.Requests) != 0 {
		t.Errorf("Stats() after ResetStats() = %+v, want zero", st)
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path string
		code         int
		msg          string
	}{
		{"GET", "v4/spreadsheets/nope", 404, "Requested entity was not found."},
		{"GET", "v4/spreadsheets/nope/values/A1", 404, "Requested entity was not found."},
		{"DELETE", "v4/spreadsheets/" + e.id, 405, ""},
		{"GET", "v4/spreadsheets/" + e.id + ":frobnicate", 404, ""},
		{"GET", "v3/feeds", 404, ""},
		{"POST", "v4/spreadsheets/" + e.id + "/sheets/1:copyTo", 501, ""},
		{"GET", "v4/spreadsheets/" + e.id + "/values/A1?valueRenderOptions=FORMULA", 400, `Invalid JSON payload received. Unknown name "valueRenderOptions": Cannot bind query parameter. Field 'valueRenderOptions' could not be found in request message.`},
		{"GET", "v4/spreadsheets/" + e.id + "/values/A1?valueRenderOption=formula", 400, `Invalid value at 'value_render_option' (type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), "formula"`},
		{"GET", "v4/spreadsheets/" + e.id + "/values/Sheet1%21A1%3AB2?majorDimension=COLUMNS&fields=range", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.s.URL()+tt.path, strings.NewReader("{}"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var eb errorBody
			_ = json.Unmarshal(b, &eb)
			if resp.StatusCode != tt.code || (tt.msg != "" && eb.Error.Message != tt.msg) {
				t.Errorf("%s %s = %d %s, want %d %q", tt.method, tt.path, resp.StatusCode, b, tt.code, tt.msg)
			}
			if tt.code == 200 && string(b) != `{"range":"Sheet1!A1:B2"}` {
				t.Errorf("fields=range body = %s, want only the range", b)
			}
		})
	}
}

func TestFieldMask(t *testing.T) {
	e := newEnv(t)
	tests := map[string]string{
		"spreadsheetId":                            `{"spreadsheetId":"ID"}`,
		"sheets(properties(sheetId,title))":        `{"sheets":[{"properties":{"sheetId":SID,"title":"Sheet1"}}]}`,
		"sheets.properties.gridProperties":         `{"sheets":[{"properties":{"gridProperties":{"columnCount":26,"rowCount":1000}}}]}`,
		"sheets/properties/title,properties/title": `{"properties":{"title":"test"},"sheets":[{"properties":{"title":"Sheet1"}}]}`,
	}
	for fields, want := range tests {
		t.Run(fields, func(t *testing.T) {
			resp, err := http.Get(e.s.URL() + "v4/spreadsheets/" + e.id + "?fields=" + fields)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			want = strings.NewReplacer("SID", fmt.Sprint(e.sheetID), "ID", e.id).Replace(want)
			if string(b) != want {
				t.Errorf("GET ?fields=%s = %s, want %s", fields, b, want)
			}
		})
	}
}

// TestConcurrentWriters checks that concurrent writes neither race nor lose
// updates: each goroutine appends its rows and all of them land.
func TestConcurrentWriters(t *testing.T) {
	e := newEnv(t)
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				v := fmt.Sprintf("w%d-%d", w, i)
				if _, err := e.svc.Spreadsheets.Values.Append(e.id, "Sheet1!A1", &sheets.ValueRange{Values: [][]any{{v}}}).ValueInputOption("RAW").Do(); err != nil {
					t.Errorf("Append(%s) error = %v", v, err)
				}
				if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1:A").Do(); err != nil {
					t.Errorf("Get error = %v", err)
				}
			}
		}()
	}
	wg.Wait()
	got := e.snapshot(t, "Sheet1")
	seen := map[string]bool{}
	for _, r := range got {
		seen[r[0]] = true
	}
	if len(got) != writers*each || len(seen) != writers*each {
		t.Errorf("after concurrent appends: %d rows, %d distinct; want %d", len(got), len(seen), writers*each)
	}
	if st := e.s.Stats(); st.Writes != writers*each || st.Reads != writers*each+1 {
		t.Errorf("Stats() = %d writes, %d reads; want %d, %d", st.Writes, st.Reads, writers*each, writers*each+1)
	}
}

// An unmetered user (a browser) reads past every quota, and its reads
// take nothing of anyone else's.
func TestUnmeteredUser(t *testing.T) {
	e := newEnv(t, WithUnmeteredUser("browser"))
	e.s.SetQuotas(Quotas{ReadRequestsPerMinutePerUser: 1, ReadRequestsPerMinutePerProject: 1}) // newEnv read once
	e.s.SetClock(func() time.Time { return time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC) })
	browser, err := e.s.ServiceAs(context.Background(), "browser")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := browser.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
			t.Fatalf("unmetered read %d error = %v, want none", i, err)
		}
	}
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err != nil {
		t.Fatalf("metered read error = %v, want none: the unmetered reads took no quota", err)
	}
	if _, err := e.svc.Spreadsheets.Values.Get(e.id, "A1").Do(); err == nil {
		t.Fatal("second metered read error = nil, want 429")
	}
}
