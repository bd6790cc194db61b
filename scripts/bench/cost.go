package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// cost is what upserts into a tab of a given size cost, measured by the
// emulator: requests and bytes both ways.
type cost struct {
	rows int
	// Safeview, once its index is built: per upsert.
	requests, bytes float64
	// Safeview's index, read once per instance (and after a team edit).
	loadRequests, loadBytes int64
	// The baseline: per upsert.
	baseRequests, baseBytes float64
}

// upsertCost fills a tab with rows orders and measures n upserts by the
// sink (each its own flush: half updates of rows spread over the tab, half
// new orders), then a few by the baseline.
func upsertCost(ctx context.Context, rows, n int) (cost, error) {
	c := cost{rows: rows}
	headers := []string{"order_id", "status", "total"}

	emu := gsheetstest.Start()
	defer emu.Close()
	id, err := fill(emu, "Orders", rows, []any{"order_id", "status", "total", gsheets.VersionHeader}, func(i int) []any {
		return []any{strconv.Itoa(1_000_000 + i), "paid", 12.5, "1"}
	})
	if err != nil {
		return c, err
	}
	svc, err := emu.Service(ctx)
	if err != nil {
		return c, err
	}
	sink, err := gsheets.New(svc, id, []model.Table{{Tab: "Orders", Headers: headers, Key: "order_id"}}, gsheets.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WriteRequestsPerMinute: 3000, ReadRequestsPerMinute: 3000, BatchWindow: -1,
	})
	if err != nil {
		return c, err
	}
	row := func(key string, v int64) model.Row {
		return model.Row{Key: key, Version: v, Insert: true, Update: true,
			Cells: []model.Cell{{Text: key}, {Text: "refunded"}, {Number: "12.50", FormatType: "CURRENCY", FormatPattern: `#,##0.00 "EUR"`}}}
	}
	emu.ResetStats()
	if _, err := sink.Upsert(ctx, "Orders", row(strconv.Itoa(1_000_000+rows/2), 2)); err != nil {
		return c, err
	}
	st := emu.Stats()
	c.loadRequests, c.loadBytes = int64(st.Reads+st.Writes), st.BytesReceived+st.BytesSent
	emu.ResetStats()
	for i := range n {
		key := strconv.Itoa(1_000_000 + (i*7919)%rows) // spread over the tab
		if i%2 == 1 {
			key = strconv.Itoa(9_000_000 + i) // a new order
		}
		if _, err := sink.Upsert(ctx, "Orders", row(key, int64(10+i))); err != nil {
			return c, err
		}
	}
	st = emu.Stats()
	c.requests = float64(st.Reads+st.Writes) / float64(n)
	c.bytes = float64(st.BytesReceived+st.BytesSent) / float64(n)

	bemu := gsheetstest.Start()
	defer bemu.Close()
	bid, err := fill(bemu, "Orders", rows, baselineHeader, func(i int) []any {
		return []any{strconv.Itoa(1_000_000 + i), "paid", "1"}
	})
	if err != nil {
		return c, err
	}
	bsvc, err := bemu.Service(ctx)
	if err != nil {
		return c, err
	}
	b := &baseline{svc: bsvc, id: bid, tab: "Orders"}
	const baseN = 4
	for i := range baseN {
		key := strconv.Itoa(1_000_000 + (i*7919)%rows)
		if i%2 == 1 {
			key = strconv.Itoa(9_000_000 + i)
		}
		if err := b.upsert(ctx, key, "refunded", int64(10+i)); err != nil {
			return c, err
		}
	}
	st = bemu.Stats()
	c.baseRequests = float64(st.Reads+st.Writes) / baseN
	c.baseBytes = float64(st.BytesReceived+st.BytesSent) / baseN
	return c, nil
}

// fill makes a spreadsheet whose tab holds header and rows rows, written
// directly (no HTTP, not counted).
func fill(emu *gsheetstest.Server, tab string, rows int, header []any, row func(int) []any) (string, error) {
	id := emu.CreateSpreadsheet("bench", tab)
	ss, err := sheetIDOf(emu, id, tab)
	if err != nil {
		return "", err
	}
	data := []*sheets.RowData{cells(header)}
	for i := range rows {
		data = append(data, cells(row(i)))
	}
	err = emu.Update(id,
		&sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{SheetId: ss, Dimension: "ROWS", Length: int64(max(rows+1-1000, 1))}},
		&sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{SheetId: ss, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			Rows:  data, Fields: "userEnteredValue",
		}})
	return id, err
}

func cells(values []any) *sheets.RowData {
	rd := &sheets.RowData{}
	for _, v := range values {
		d := &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{}}
		switch v := v.(type) {
		case string:
			d.UserEnteredValue.StringValue = &v
		case float64:
			d.UserEnteredValue.NumberValue = &v
		}
		rd.Values = append(rd.Values, d)
	}
	return rd
}

func sheetIDOf(emu *gsheetstest.Server, id, tab string) (int64, error) {
	svc, err := emu.Service(context.Background())
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ss, err := svc.Spreadsheets.Get(id).Context(ctx).Do()
	if err != nil {
		return 0, err
	}
	for _, sh := range ss.Sheets {
		if sh.Properties.Title == tab {
			return sh.Properties.SheetId, nil
		}
	}
	return 0, fmt.Errorf("no tab %q", tab)
}
