package gsheetstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// Faults set through the admin endpoint apply to the API, and GET says
// what is set; a rate out of range is refused, naming the field.
func TestAdminHandlerSetsFaults(t *testing.T) {
	t.Parallel()
	emu := gsheetstest.NewServer(t)
	id := emu.CreateSpreadsheet("t", "Orders")
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	admin := httptest.NewServer(emu.AdminHandler())
	defer admin.Close()

	resp, err := http.Post(admin.URL, "application/json", strings.NewReader(`{"rate429": 1.5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST rate429 1.5 = %d, want 400", resp.StatusCode)
	}

	resp, err = http.Post(admin.URL, "application/json", strings.NewReader(`{"rate500": 1, "latency_ms": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, err = svc.Spreadsheets.Get(id).Do()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != http.StatusInternalServerError {
		t.Errorf("Get with rate500 1 = %v, want a 500", err)
	}

	resp, err = http.Get(admin.URL)
	if err != nil {
		t.Fatal(err)
	}
	var got gsheetstest.Faults
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if diff := cmp.Diff(gsheetstest.Faults{Rate500: 1, LatencyMS: 1}, got); diff != "" {
		t.Errorf("GET faults (-want +got):\n%s", diff)
	}

	if err := emu.SetFaults(gsheetstest.Faults{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Get(id).Do(); err != nil {
		t.Errorf("Get once faults are cleared = %v", err)
	}
}
