package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// env is the emulator, for the Sheets and the Drive API both, and the
// clients the command gets.
type env struct {
	emu *gsheetstest.Server
	svc *sheets.Service
	c   clients
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emu := gsheetstest.NewServer(t)
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &env{emu: emu, svc: svc, c: clients{
		sheets: []option.ClientOption{option.WithEndpoint(emu.URL()), option.WithoutAuthentication()},
		drive:  []option.ClientOption{option.WithEndpoint(emu.URL() + strings.TrimPrefix(gsheetstest.DrivePath, "/")), option.WithoutAuthentication()},
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
	orders := ss.Sheets[slices.IndexFunc(ss.Sheets, func(sh *sheets.Sheet) bool { return sh.Properties.Title == "Orders" })]
	if orders.Properties.GridProperties.FrozenRowCount != 1 {
		t.Errorf("frozen rows = %d, want 1", orders.Properties.GridProperties.FrozenRowCount)
	}
	if len(orders.ProtectedRanges) != 1 || !orders.ProtectedRanges[0].WarningOnly || orders.ProtectedRanges[0].Range.EndRowIndex != 1 {
		t.Errorf("protected ranges = %+v, want one warning-only range on row 1", orders.ProtectedRanges)
	}
	perms, err := e.emu.Permissions(id)
	if err != nil || len(perms) != 1 || !cmp.Equal(perms[0], gsheetstest.Permission{ID: perms[0].ID, Type: "user", Role: "writer", Email: account}) {
		t.Errorf("Permissions(%s) = %+v, %v, want one writer for %s, not notified", id, perms, err, account)
	}
}

func TestBootstrapIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.emu.CreateSpreadsheet("shop", "Sheet1")
	e.bootstrap(t, id)

	e.emu.ResetStats()
	out := e.bootstrap(t, id)
	if n := e.emu.Stats().Writes; n != 0 {
		t.Errorf("second run made %d writes, want 0:\n%s", n, out)
	}
	created := e.emu.Stats().Requests[gsheetstest.MethodDrivePermissionsCreate]
	if perms, _ := e.emu.Permissions(id); created != 0 || len(perms) != 1 || !strings.Contains(out, "already shared") || !strings.Contains(out, "already set up") {
		t.Errorf("second run:\n%s\nDrive permissions created: %d (%d in all), want it to change nothing", out, created, len(perms))
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
