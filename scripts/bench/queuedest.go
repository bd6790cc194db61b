package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// Each destination of the queued run apart: the example configuration
// has the main spreadsheet, two partner spreadsheets (each written as its
// own service account, with its own per-user quota of 60 write requests
// a minute, all three under the project's 300) and an Excel workbook on
// Graph (1,500 operations every 10 s per app and tenant). Each has its
// own quota, its own flusher, and so its own receipt-to-row time: the
// figures, and the prediction, are made for each.

// destFigures are one destination's figures of a steady run.
type destFigures struct {
	Name    string `json:"name"` // "main" for the main spreadsheet
	Kind    string `json:"kind"` // google-sheets or excel
	Rows    int    `json:"rows"` // row messages acknowledged
	Flushes int    `json:"flushes"`
	// RowsPerFlush is Rows over Flushes: the group commit's batches.
	RowsPerFlush   float64 `json:"rows_per_flush"`
	ReceiptToRow50 float64 `json:"receipt_to_row_p50_ms"`
	ReceiptToRow95 float64 `json:"receipt_to_row_p95_ms"`
	ReceiptToRow99 float64 `json:"receipt_to_row_p99_ms"`
	// QueuedToRow95 counts from the delivery's answer (queued) instead of
	// its receipt: the writer's part alone, without the ingest's.
	QueuedToRow95 float64 `json:"queued_to_row_p95_ms"`
	// PredictedP95 is what the quota arithmetic predicts (predictDest);
	// Capacity the rows a second the quota lets it write.
	PredictedP95 float64 `json:"predicted_receipt_to_row_p95_ms"`
	Capacity     float64 `json:"capacity_rows_per_second"`
	// Google Sheets: its account's write requests, the most in any 60 s,
	// against the per-user quota.
	WriteRequests int `json:"write_requests,omitempty"`
	MaxWrites60s  int `json:"max_writes_in_60s,omitempty"`
	WriteQuota    int `json:"write_quota_per_minute,omitempty"`
	// Excel: Graph's operations (each request of a $batch), the most in
	// any 10 s, against Graph's limit.
	Operations    int     `json:"graph_operations,omitempty"`
	OpsPerRow     float64 `json:"graph_operations_per_row,omitempty"`
	MaxOps10s     int     `json:"max_operations_in_10s,omitempty"`
	GraphLimit10s int     `json:"graph_limit_per_10s,omitempty"`
	// Stale are orders the destination holds at another version than the
	// newest sent; Doubled, rows of an order beyond its first. (Which
	// orders a destination should hold is its where's to say; the main
	// spreadsheet's lost, every order, is the run's.)
	Stale   int `json:"stale"`
	Doubled int `json:"doubled"`
}

// destName is a destination's name in the figures: "main" for "".
func destName(d string) string { return cmp.Or(d, config.MainName) }

// queueCalls are the queued stack's calls: every Sheets call, by
// spreadsheet and account, and Graph's operations.
type queueCalls struct {
	sheets callLog
	graph  opStamps
}

// writesTo are the times of the write requests to one spreadsheet
// (which one account sends: the function writes each spreadsheet as its
// own).
func (c *callLog) writesTo(spreadsheet string) []time.Time {
	return c.writesIf(func(call gsheetstest.Call) bool { return call.Spreadsheet == spreadsheet })
}

// perAccount is the most write requests any one account sent in any 60
// s, and the project's (every account's) most.
func (c *callLog) perAccount() (busiest int, project int) {
	c.mu.Lock()
	byUser := map[string][]time.Time{}
	var all []time.Time
	for _, call := range c.calls {
		if call.Write {
			byUser[call.User] = append(byUser[call.User], call.At)
			all = append(all, call.At)
		}
	}
	c.mu.Unlock()
	for _, ts := range byUser {
		busiest = max(busiest, gsheetstest.Busiest(ts, time.Minute))
	}
	return busiest, gsheetstest.Busiest(all, time.Minute)
}

// destinationsOf lists the stack's destinations as the writer writes
// them: "" (the main spreadsheet) first, then the configuration's.
func destinationsOf(st *localstack.Stack) []string {
	return append([]string{""}, st.Config.DestinationNames...)
}

// The arithmetic, per destination.
//
// A Google spreadsheet's sink sends at most perMinute write requests a
// minute (55, under its account's 60), each one flush of the rows
// waiting, at most maxRows (500), each flush a verification read then
// the write: two round trips, 2L. The project's quota (300 a minute,
// paced at 290) is shared by the accounts: 3 × 55 = 165 stays under it.
// The rows waiting are the pushes in flight for it: Pub/Sub pushes up to
// the writer's concurrency at once, shared by the destinations, so a
// flush takes at most concurrency / destinations rows. A spreadsheet
// therefore writes at most min(500, concurrency / destinations) × 55 /
// 60 rows a second: 229 with the bench's 1,000 pushes and 4
// destinations; 18 with Cloud Run's default concurrency of 80.
//
// An Excel workbook's sink sends at most 1,200 Graph operations every 10
// s (under Graph's 1,500); a flush of u updated rows, n new rows and t
// tables costs 2t + u operations to verify and 3t + 2u to write
// (docs/excel.md): 3 per updated row, none per new one, 5 per flush.
// Which rows of a flush are updates depends on the flushes (an order
// created and updated in one flush is one new row), so the operations
// per row are the run's, measured: r. Graph's pace allows 120 / r rows a
// second (a flush takes the rows that fit in what is left of the 10 s).
// A flush's operations go in $batch requests of at most 20, one after
// the other: a flush of k rows (u = (rk - 5) / 3 of them updates) takes
// ⌈(2 + u) / 20⌉ + ⌈(3 + 2u) / 20⌉ round trips of L. The pushes in flight
// for the workbook, its share of them, are the rows of the flush under
// way and of the next one: the pushes of a flush, answered, make room for
// pushes that join the next. So k is half the share, and that bounds the
// rows a second too (125 rows at r = 1: 3 + 5 round trips, 1.21 s, 103 a
// second). The capacity is the lesser of the two. Over it, the row at
// rank i is taken at i / capacity and written a flush later. Under it, a flush
// carries the rows that arrive while the one before it runs, and a row
// that finds a flush under way waits for it and its own: twice a flush's
// time.
//
// Under capacity, a row waits for the next flush; over it, the backlog
// grows, and the row at rank i of n is written at i / capacity instead of
// arriving at i / rate.
func predictDest(kind string, n int, d time.Duration, latency time.Duration, inFlight int, opsPerRow float64) (p95, capacity float64) {
	rate := float64(n) / d.Seconds()
	switch kind {
	case config.KindExcel:
		if opsPerRow <= 0 {
			opsPerRow = 1
		}
		paced := float64(excel.DefaultOperationsPer10s) / 10 / opsPerRow
		k := min(excel.DefaultMaxRowsPerFlush, max(1, inFlight/2))
		capacity = min(paced, float64(k)/excelFlush(k, opsPerRow, latency).Seconds())
		if rate <= capacity {
			// The rows of a flush arrive while the one before it runs.
			f := 2 * latency
			for range 10 {
				f = excelFlush(int(math.Ceil(rate*f.Seconds())), opsPerRow, latency)
			}
			return math.Round(2 * ms(f)), round(capacity)
		}
		// The row at rank i is taken at i / capacity, written a flush
		// later.
		wait := ms(excelFlush(k, opsPerRow, latency))
		return math.Round(0.95*float64(n)*(1/capacity-1/rate)*1000 + wait), round(capacity)
	default:
		rows := min(gsheets.DefaultMaxRowsPerFlush, inFlight)
		capacity = float64(rows*gsheets.DefaultWriteRequestsPerMinute) / 60
		return predictP95(n, d, rows, gsheets.DefaultWriteRequestsPerMinute, 2*ms(latency)), round(capacity)
	}
}

// excelFlush is how long a workbook's flush of k rows takes, at r
// operations a row and latency per round trip (see predictDest).
func excelFlush(k int, r float64, latency time.Duration) time.Duration {
	u := max(0, (r*float64(k)-5)/3)
	trips := math.Ceil((2+u)/20) + math.Ceil((3+2*u)/20)
	return time.Duration(trips)*latency + excel.DefaultBatchWindow
}

// measureDests fills the per-destination figures of a steady run.
func measureDests(st *localstack.Stack, calls *queueCalls, byDest, queuedDest map[string][]time.Duration, rows map[string]int, newest map[string]int64, n int, q queueParams) ([]destFigures, error) {
	var out []destFigures
	names := destinationsOf(st)
	for _, name := range names {
		kind := config.KindGoogleSheets
		if name != "" && st.Config.Destinations[name].Kind != "" {
			kind = st.Config.Destinations[name].Kind
		}
		f := destFigures{Name: destName(name), Kind: kind, Rows: rows[name]}
		r := byDest[name]
		f.ReceiptToRow50, f.ReceiptToRow95, f.ReceiptToRow99 = percentile(r, 0.50), percentile(r, 0.95), percentile(r, 0.99)
		f.QueuedToRow95 = percentile(queuedDest[name], 0.95)
		switch kind {
		case config.KindExcel:
			ts := calls.graph.get()
			f.Operations, f.GraphLimit10s = len(ts), graphtest.ExcelThrottle().Requests
			f.MaxOps10s = gsheetstest.Busiest(ts, 10*time.Second)
			if f.Rows > 0 {
				f.OpsPerRow = round(float64(f.Operations) / float64(f.Rows))
			}
		default:
			id := st.Ready.SpreadsheetID
			if name != "" {
				id = st.Ready.Destinations[name].SpreadsheetID
			}
			ts := calls.sheets.writesTo(id)
			f.WriteRequests, f.WriteQuota = len(ts), gsheetstest.GoogleQuotas().WriteRequestsPerMinutePerUser
			f.MaxWrites60s = gsheetstest.Busiest(ts, time.Minute)
			f.Flushes = len(ts)
		}
		if f.Flushes > 0 {
			f.RowsPerFlush = round(float64(f.Rows) / float64(f.Flushes))
		}
		f.PredictedP95, f.Capacity = predictDest(kind, n, q.over, q.latency, q.concurrency/len(names), f.OpsPerRow)
		held, err := heldRows(st, name, kind)
		if err != nil {
			return out, fmt.Errorf("destination %s: %w", f.Name, err)
		}
		f.Stale, f.Doubled = staleAndDoubled(newest, held)
		out = append(out, f)
	}
	return out, nil
}

// staleAndDoubled counts the orders a destination holds at another
// version than the newest sent, and its rows beyond an order's first.
func staleAndDoubled(newest map[string]int64, held map[string][]int64) (stale, doubled int) {
	for o, vs := range held {
		if v, ok := newest[o]; ok && slices.Max(vs) != v {
			stale++
		}
		doubled += max(len(vs)-1, 0)
	}
	return stale, doubled
}

// heldRows reads a destination's Orders as the team sees it: for each
// key, the versions of its rows.
func heldRows(st *localstack.Stack, name, kind string) (map[string][]int64, error) {
	if kind == config.KindExcel {
		d := st.Microsoft.Destinations[name]
		return excelRows(st.Microsoft.Graph, d.DriveID, d.ItemID, d.Tables["Orders"], "order_id", excel.VersionHeader)
	}
	id := st.Ready.SpreadsheetID
	if name != "" {
		id = st.Ready.Destinations[name].SpreadsheetID
	}
	return rowsOf(st.Emulator, id, "Orders", "order_id", gsheets.VersionHeader)
}

// rowsAcked counts the row messages each destination acknowledged.
func (a *acked) rowsAcked() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]int{}
	for dest, byKey := range a.at {
		for _, ts := range byKey {
			out[dest] += len(ts)
		}
	}
	return out
}

// reset forgets every acknowledgement.
func (a *acked) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.at)
}

// printDests prints a steady run's per-destination table.
func printDests(w io.Writer, ds []destFigures) {
	fmt.Fprintf(w, "  %-8s %-6s %6s %7s %9s %9s %10s %9s %10s %14s\n", "dest", "kind", "rows", "rows/fl", "p50 (ms)", "p95 (ms)", "p95 queued", "predicted", "capacity/s", "busiest")
	for _, d := range ds {
		kind := "sheets"
		busy := fmt.Sprintf("%d/%d per 60s", d.MaxWrites60s, d.WriteQuota)
		if d.Kind == config.KindExcel {
			kind = "excel"
			busy = fmt.Sprintf("%d/%d per 10s", d.MaxOps10s, d.GraphLimit10s)
		}
		fmt.Fprintf(w, "  %-8s %-6s %6d %7.1f %9.0f %9.0f %10.0f %9.0f %10.0f %14s\n", d.Name, kind, d.Rows, d.RowsPerFlush, d.ReceiptToRow50, d.ReceiptToRow95, d.QueuedToRow95, d.PredictedP95, d.Capacity, busy)
	}
}
