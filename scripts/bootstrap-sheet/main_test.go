package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// exampleConfig is the configuration deployed by default.
var exampleConfig = filepath.Join("..", "..", "functions", "webhook", "safeview.yaml")

const account = "safeview-webhook@shop-project.iam.gserviceaccount.com"

// exampleHeaders are the headers of the example's Orders table.
func exampleHeaders(t *testing.T) []string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-config", exampleConfig, "-spreadsheet", "x", "-dry-run"}, &out, io.Discard, clients{}); err != nil {
		t.Fatal(err)
	}
	_, line, ok := strings.Cut(out.String(), "header ")
	if !ok {
		t.Fatalf("dry run printed no header:\n%s", out.String())
	}
	line, _, _ = strings.Cut(line, ",")
	return strings.Split(line, " | ")
}

// driveFake records the Drive API requests and answers them.
type driveFake struct {
	mu       sync.Mutex
	existing []map[string]string // permissions already on the file
	created  []map[string]any
	queries  []string
	byFile   map[string][]map[string]string // permissions created, by file path
}

func (d *driveFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queries = append(d.queries, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	w.Header().Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodGet:
		_ = json.NewEncoder(w).Encode(map[string]any{"permissions": append(slices.Clone(d.existing), d.byFile[r.URL.Path]...)})
	case http.MethodPost:
		var p map[string]any
		_ = json.NewDecoder(r.Body).Decode(&p)
		d.created = append(d.created, p)
		if d.byFile == nil {
			d.byFile = map[string][]map[string]string{}
		}
		d.byFile[r.URL.Path] = append(d.byFile[r.URL.Path], map[string]string{"emailAddress": fmt.Sprint(p["emailAddress"]), "role": fmt.Sprint(p["role"]), "type": "user"})
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "perm-1", "role": p["role"]})
	}
}

type env struct {
	emu   *gsheetstest.Server
	svc   *sheets.Service
	drive *driveFake
	c     clients
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emu := gsheetstest.NewServer(t)
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := &driveFake{}
	ds := httptest.NewServer(d)
	t.Cleanup(ds.Close)
	return &env{emu: emu, svc: svc, drive: d, c: clients{
		sheets: []option.ClientOption{option.WithEndpoint(emu.URL()), option.WithoutAuthentication()},
		drive:  []option.ClientOption{option.WithEndpoint(ds.URL + "/"), option.WithoutAuthentication()},
	}}
}

func (e *env) bootstrap(t *testing.T, id string, extra ...string) string {
	t.Helper()
	var out bytes.Buffer
	args := append([]string{"-config", exampleConfig, "-spreadsheet", id, "-share", account, "-destinations", "none"}, extra...)
	if err := run(context.Background(), args, &out, io.Discard, e.c); err != nil {
		t.Fatalf("run(%q) error = %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestBootstrapFreshSpreadsheet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.emu.CreateSpreadsheet("shop", "Sheet1")
	out := e.bootstrap(t, id)

	want := exampleHeaders(t)
	rows, err := e.emu.Snapshot(id, "Orders")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != 1 || !cmp.Equal(rows[0], want) {
		t.Errorf("Orders = %q, want only the header %q", rows, want)
	}
	ss, err := e.svc.Spreadsheets.Get(id).Fields("sheets(properties(title,gridProperties),protectedRanges)").Do()
	if err != nil {
		t.Fatal(err)
	}
	orders := find(ss, "Orders")
	if orders.Properties.GridProperties.FrozenRowCount != 1 {
		t.Errorf("frozen rows = %d, want 1", orders.Properties.GridProperties.FrozenRowCount)
	}
	if len(orders.ProtectedRanges) != 1 || !orders.ProtectedRanges[0].WarningOnly || orders.ProtectedRanges[0].Range.EndRowIndex != 1 {
		t.Errorf("protected ranges = %+v, want one warning-only range on row 1", orders.ProtectedRanges)
	}
	if len(e.drive.created) != 1 || !cmp.Equal(e.drive.created[0], map[string]any{"type": "user", "role": "writer", "emailAddress": account}) {
		t.Errorf("Drive permissions created = %v, want one writer for %s", e.drive.created, account)
	}
	if q := strings.Join(e.drive.queries, "\n"); !strings.Contains(q, "sendNotificationEmail=false") || !strings.Contains(q, "/files/"+id+"/permissions") {
		t.Errorf("Drive requests = %s, want a permission on the spreadsheet without notification", q)
	}
}

func TestBootstrapIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.emu.CreateSpreadsheet("shop", "Sheet1")
	e.bootstrap(t, id)
	e.drive.existing = []map[string]string{{"id": "perm-1", "emailAddress": account, "role": "writer", "type": "user"}}

	e.emu.ResetStats()
	out := e.bootstrap(t, id)
	if n := e.emu.Stats().Writes; n != 0 {
		t.Errorf("second run made %d writes, want 0:\n%s", n, out)
	}
	if len(e.drive.created) != 1 || !strings.Contains(out, "already shared") || !strings.Contains(out, "already set up") {
		t.Errorf("second run:\n%s\nDrive permissions created: %d, want it to change nothing", out, len(e.drive.created))
	}
}

func TestBootstrapKeepsTheTeamsColumns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.emu.CreateSpreadsheet("shop", "Orders")
	want := exampleHeaders(t)
	// The team has a notes column, and already moved order_id to C.
	if err := e.emu.SetValues(id, "Orders!A1:C1", [][]any{{"notes", "", want[0]}}); err != nil {
		t.Fatal(err)
	}
	e.bootstrap(t, id)
	rows, err := e.emu.Snapshot(id, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	wantRow := append([]string{"notes", "", want[0]}, want[1:]...)
	if len(rows) != 1 || !cmp.Equal(rows[0], wantRow) {
		t.Errorf("header = %q, want %q", rows, wantRow)
	}
}

// TestTheFunctionWritesBelowTheBootstrappedHeader checks that the sink
// takes the header as its own: same names, its version column added at
// the end, the first row right below.
func TestTheFunctionWritesBelowTheBootstrappedHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.emu.CreateSpreadsheet("shop", "Sheet1")
	e.bootstrap(t, id)
	headers := exampleHeaders(t)
	sink, err := gsheets.New(e.svc, id, []model.Table{{Tab: "Orders", Headers: headers, Key: headers[0]}}, gsheets.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	cells := make([]model.Cell, len(headers))
	for i := range cells {
		cells[i] = model.Cell{Text: "v" + headers[i]}
	}
	cells[0] = model.Cell{Text: "1001"}
	if _, err := sink.Upsert(context.Background(), "Orders", model.Row{Key: "1001", Version: 1, Cells: cells, Insert: true, Update: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := e.emu.Snapshot(id, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !cmp.Equal(rows[0][:len(headers)], headers) || rows[1][0] != "1001" {
		t.Errorf("Orders after a write = %q, want the bootstrapped header then the row", rows)
	}
}

func TestBootstrapErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("sources: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown spreadsheet", []string{"-config", exampleConfig, "-spreadsheet", "no-such-spreadsheet"}, "between /d/ and /edit"},
		{"no spreadsheet", []string{"-config", exampleConfig}, "-spreadsheet"},
		{"invalid configuration", []string{"-config", bad, "-spreadsheet", "x", "-dry-run"}, "bad.yaml"},
		{"not a service account", []string{"-config", exampleConfig, "-spreadsheet", "x", "-share", "me@gmail.com"}, "not a service account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, io.Discard, io.Discard, e.c)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%q) error = %v, want one saying %q", tt.args, err, tt.wantErr)
			}
		})
	}
}
