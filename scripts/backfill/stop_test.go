package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// 429s, 5xx and dropped connections are the sink's to retry: no record
// fails for them.
func TestQuotaAndServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 300})
	// Each fault doubles the sink's backoff (100ms to 4s): a few of each
	// kind keep the test short.
	f.emu.FailNext(gsheetstest.Writes, gsheetstest.FaultRateLimit, gsheetstest.FaultUnavailable, gsheetstest.FaultLostResponse)
	f.emu.FailNext(gsheetstest.Reads, gsheetstest.FaultRateLimit)
	res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path, "-concurrency", "50")...)
	if res.err != nil {
		t.Fatalf("run through transient faults: %v\n%s", res.err, res.stdout)
	}
	if c := summaryCounts(res.stdout); c["failed"] != 0 || strings.Contains(res.stdout, "line ") {
		t.Errorf("transient faults reported as failed records:\n%s", res.stdout)
	}
	if st := f.emu.Stats(); st.Faults != 4 {
		t.Errorf("%d faults injected, want 4", st.Faults)
	}
	f.checkSheet(path)
}

// A sheet that stays unavailable past -retry-for stops the run, with no
// record reported as failed; the same command resumes once it is back.
func TestSheetUnavailableStopsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 300})
	args := f.args(export.ShopifyCSV, path, "-concurrency", "50")
	f.emu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	down := f.run(context.Background(), deps{}, append([]string{"-retry-for", "300ms"}, args...)...)
	if !errors.Is(down.err, errStopped) || exitCode(down.err) != 2 || !errors.Is(down.err, model.ErrUnavailable) {
		t.Fatalf("run while the sheet is down = %v (exit %d), want stopped on the sheet's unavailability (exit 2)", down.err, exitCode(down.err))
	}
	if strings.Contains(down.stdout, "line ") && !strings.Contains(down.stdout, "stopped at line") {
		t.Errorf("records reported as failed while the sheet was down:\n%s", down.stdout)
	}
	if _, err := os.Stat(path + resumeSuffix); err != nil {
		t.Errorf("no resume file after the stop: %v", err)
	}
	f.emu.ClearFaults()
	up := f.run(context.Background(), deps{}, args...)
	if up.err != nil {
		t.Fatalf("resumed run: %v\n%s", up.err, up.stdout)
	}
	f.checkSheet(path)
}

// A first Ctrl-C waits for the rows in flight; a second stops them: the
// run ends at once, with the position saved before them.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 300})
	args := f.args(export.ShopifyCSV, path, "-concurrency", "20")
	// Let the first flushes through, then hold every write.
	var writes atomic.Int32
	f.emu.SetRequestHook(func(method string) {
		if gsheetstest.Writes(method) {
			if writes.Add(1) == 3 {
				f.emu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultSlow)
			}
		}
	})
	stop, ctrlC := interrupt()
	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	go func() {
		for f.emu.Stats().Faults == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		ctrlC()
		time.Sleep(50 * time.Millisecond)
		kill() // Ctrl-C again
	}()
	start := time.Now()
	res := f.run(ctx, deps{stop: stop}, args...)
	if !errors.Is(res.err, errStopped) {
		t.Fatalf("stopped twice: %v, want errStopped", res.err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the second interrupt took %s to stop the run", d)
	}
	st, err := loadState(path + resumeSuffix)
	if err != nil {
		t.Fatal(err)
	}
	f.emu.SetRequestHook(nil)
	f.emu.ClearFaults()
	again := f.run(context.Background(), deps{}, args...)
	if again.err != nil {
		t.Fatalf("resumed run: %v", again.err)
	}
	if again.done != 300-st.Counts.Read {
		t.Errorf("resumed run did %d records, want %d", again.done, 300-st.Counts.Read)
	}
	f.checkSheet(path)
}
