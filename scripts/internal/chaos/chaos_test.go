package chaos

import (
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

var full = flag.Bool("chaos.full", false, "send 1,000 deliveries per case, as scripts/chaos does, rather than 300")

// A crash loses nothing and doubles nothing: two processes, the function
// killed with SIGKILL three times while deliveries arrive at 100 a second,
// every order in the sheet once at its newest version; and the same with
// 30% of the Sheets requests failing.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and runs them for tens of seconds")
	}
	n := 300
	if *full {
		n = 1000
	}
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := Build(ctx, bin); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		faults float64
	}{{"calm", 0}, {"30% faults", 0.3}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := Run(ctx, Options{Deliveries: n, Rate: 100, Kills: 3, FaultRate: c.faults, Retries: 8, Bin: bin, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			// Figures for the reader of `go test -v`; nothing is timed.
			t.Log(rep.String())
			if rep.Kills != 3 {
				t.Errorf("the function was killed %d times, want 3", rep.Kills)
			}
			if err := rep.Err(); err != nil {
				logs, _ := os.ReadFile(rep.FunctionLog)
				t.Errorf("%v\nlast lines of the function's log:\n%s", err, tail(string(logs), 30))
			}
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// The check sees an order missing, doubled, or left at an older version.
func TestCheckSeesEveryMistake(t *testing.T) {
	t.Parallel()
	emu := gsheetstest.NewServer(t)
	id := emu.CreateSpreadsheet("t", "Orders")
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	v := func(t time.Time) string { return "shopify:" + strconv.FormatInt(t.UnixMicro(), 10) }
	if err := emu.SetValues(id, "Orders!A1", [][]any{
		{"order_id", "status", gsheets.VersionHeader},
		{"1", "paid", v(at)},
		{"2", "paid", v(at)},
		{"2", "paid", v(at)},
		{"3", "paid", v(at)},
	}); err != nil {
		t.Fatal(err)
	}
	newest := map[string]time.Time{"1": at, "2": at, "3": at.Add(time.Minute), "4": at}
	var rep Report
	if err := check(context.Background(), localstack.EmulatorReady{SheetsEndpoint: emu.URL(), SpreadsheetID: id}, newest, &rep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"4"}, {"2"}, {"3"}}, [][]string{rep.Missing, rep.Doubled, rep.Older}); diff != "" {
		t.Errorf("missing, doubled, older (-want +got):\n%s", diff)
	}
	if rep.Err() == nil {
		t.Error("Err() = nil for a sheet with mistakes")
	}
}
