package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

const configPath = "../../functions/webhook/safeview.yaml"

// live is an emulator holding the example configuration's spreadsheet
// with n orders in Orders, one a day from 2026-01-01, and a team column.
func live(t testing.TB, n int) (*gsheetstest.Server, string) {
	t.Helper()
	cfg, err := config.Load(configPath)
	if err != nil {
		t.Fatal(err)
	}
	emu := gsheetstest.NewServer(t)
	id := emu.CreateSpreadsheet("Shop", "Orders", "Bookings")
	var header []any
	for _, c := range cfg.Tables[0].Columns {
		header = append(header, c.Header)
	}
	header = append(header, gsheets.VersionHeader, "notes")
	rows := [][]any{header}
	day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		r := make([]any, len(header))
		for j := range r {
			r[j] = ""
		}
		r[0] = fmt.Sprint(5000 + i)
		r[2] = toSerial(day.AddDate(0, 0, i), time.UTC)
		r[3] = "paid"
		r[len(r)-2] = fmt.Sprintf("shopify:%d", 1000+i)
		r[len(r)-1] = fmt.Sprintf("team note %d", i)
		rows = append(rows, r)
	}
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ss, err := svc.Spreadsheets.Get(id).Do()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Update(id, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
		SheetId: ss.Sheets[0].Properties.SheetId, Dimension: "ROWS", Length: int64(n)}}); err != nil {
		t.Fatal(err)
	}
	if err := emu.SetValues(id, fmt.Sprintf("Orders!A1:%c%d", 'A'+len(header)-1, n+1), rows); err != nil {
		t.Fatal(err)
	}
	return emu, id
}

func runArchive(t testing.TB, emu *gsheetstest.Server, id string, d deps, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	d.sheets = []option.ClientOption{option.WithEndpoint(emu.URL()), option.WithoutAuthentication()}
	if d.writesPerMinute == 0 {
		d.writesPerMinute = 60000
	}
	err := run(context.Background(), append([]string{"-config", configPath, "-spreadsheet", id, "-table", "Orders"}, args...), &out, io.Discard, d)
	return out.String(), err
}

// A dry run moves nothing; a run moves the rows before the day, whole,
// to an archive it creates and records; a second run finds nothing to
// move; -keep-rows moves more into the same archive.
func TestArchiveRuns(t *testing.T) {
	t.Parallel()
	emu, id := live(t, 10)
	out, err := runArchive(t, emu, id, deps{}, "-before", "2026-01-06", "-dry-run")
	if err != nil || !strings.Contains(out, "5 to move") {
		t.Fatalf("dry run = %q, %v, want 5 to move", out, err)
	}
	if rows, _ := emu.Snapshot(id, "Orders"); len(rows) != 11 {
		t.Fatalf("a dry run changed the live tab: %d rows", len(rows))
	}
	if _, err := emu.Snapshot(id, gsheets.ArchivedTab); err == nil {
		t.Fatal("a dry run created the archived list")
	}

	if out, err = runArchive(t, emu, id, deps{}, "-before", "2026-01-06"); err != nil || !strings.Contains(out, "5 rows moved") {
		t.Fatalf("run = %q, %v, want 5 rows moved", out, err)
	}
	svc, _ := emu.Service(context.Background())
	archID, err := gsheets.ArchiveOf(context.Background(), svc, id)
	if err != nil || archID == "" {
		t.Fatalf("ArchiveOf = %q, %v, want the archive the run created", archID, err)
	}
	arch, err := emu.Snapshot(archID, "Orders")
	if err != nil || len(arch) != 6 || arch[1][0] != "5000" || arch[1][len(arch[1])-1] != "team note 0" {
		t.Fatalf("archive = %v, %v, want orders 5000-5004 whole", arch, err)
	}
	if rows, _ := emu.Snapshot(id, "Orders"); len(rows) != 6 {
		t.Errorf("live tab has %d rows, want the header and 5", len(rows))
	}

	if out, err = runArchive(t, emu, id, deps{}, "-before", "2026-01-06"); err != nil || !strings.Contains(out, "0 to move") {
		t.Errorf("second run = %q, %v, want nothing to move", out, err)
	}
	if out, err = runArchive(t, emu, id, deps{}, "-keep-rows", "2"); err != nil || !strings.Contains(out, "3 rows moved") {
		t.Errorf("-keep-rows 2 = %q, %v, want 3 rows moved", out, err)
	}
	if arch, _ := emu.Snapshot(archID, "Orders"); len(arch) != 9 {
		t.Errorf("archive has %d rows, want the header and 8", len(arch))
	}
	if rows, _ := emu.Snapshot(id, "Orders"); len(rows) != 3 || rows[2][0] != "5009" {
		t.Errorf("live tab = %v, want the two newest orders", rows)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"-before", "2026-01-01", "-keep-rows", "3"}, {"-before", "01/01/2026"}, {"-keep-rows", "3", "-batch", "0"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) = nil error", args)
		}
	}
}

// Figures: rows moved per second and write requests per 1,000 rows, with
// the quota pacing of the configuration (55 write requests a minute) and
// without (the baseline of the same run).
func BenchmarkArchive1000Rows(b *testing.B) {
	for _, c := range []struct {
		name   string
		writes int
	}{{"unpaced", 60000}, {"paced", 55}} {
		b.Run(c.name, func(b *testing.B) {
			var rows, writes int
			var took time.Duration
			for range b.N {
				b.StopTimer()
				emu, id := live(b, 1000)
				emu.ResetStats()
				b.StartTimer()
				start := time.Now()
				if _, err := runArchive(b, emu, id, deps{writesPerMinute: c.writes}, "-keep-rows", "0"); err != nil {
					b.Fatal(err)
				}
				took += time.Since(start)
				rows += 1000
				writes += emu.Stats().Writes
			}
			b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
			b.ReportMetric(1000*float64(writes)/float64(rows), "writes/1000rows")
		})
	}
}
