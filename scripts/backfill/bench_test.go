package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// BenchmarkDefaultPacing backfills 10,000 records at the sink's default
// pacing (55 write requests a minute, 500 rows a flush) into the emulator
// with Google's default quotas and 150 ms on every call, and reports
// records a second and write requests a record. About 25 s a run:
//
//	go test -run '^$' -bench DefaultPacing -benchtime 1x ./scripts/backfill
func BenchmarkDefaultPacing(b *testing.B) {
	const n = 10000
	for b.Loop() {
		f := newPacedFixture(b, true)
		f.emu.SetQuotas(gsheetstest.GoogleQuotas())
		f.emu.SetLatency(150*time.Millisecond, 0)
		path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: n, CountOnly: true})
		start := time.Now()
		res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path)...)
		took := time.Since(start)
		if res.err != nil {
			b.Fatalf("backfill: %v\n%s", res.err, res.stdout)
		}
		want, _ := expected(b, path)
		lost, doubled := check(want, f.rows())
		st := f.emu.Stats()
		b.ReportMetric(float64(n)/took.Seconds(), "records/s")
		b.ReportMetric(float64(st.Writes)/n, "writes/record")
		fmt.Printf("default pacing: %d records (%d rows) in %s: %.0f records/s, %d write and %d read requests (%.4f writes a record), %d answered 429; lost=%d doubled=%d\n",
			n, len(want), took.Round(100*time.Millisecond), float64(n)/took.Seconds(), st.Writes, st.Reads, float64(st.Writes)/n, st.RateLimited, lost, doubled)
	}
}
