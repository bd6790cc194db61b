package gsheetstest

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/api/sheets/v4"
)

// BenchmarkUpdateLargeSheet measures one values.update on a 10,000-row
// sheet through the real client: copy-on-write keeps a write from copying
// the whole grid.
func BenchmarkUpdateLargeSheet(b *testing.B) {
	s := Start()
	defer s.Close()
	svc, err := s.Service(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	id := s.CreateSpreadsheet("big", "Sheet1")
	if err := s.Update(id, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{SheetId: sheetIDOf(b, s, id), Dimension: "ROWS", Length: 9000}}); err != nil {
		b.Fatal(err)
	}
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("order-%d", i), i, "paid", 12.5}
	}
	if err := s.SetValues(id, "A1", rows); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		rng := fmt.Sprintf("C%d", i%10000+1)
		if _, err := svc.Spreadsheets.Values.Update(id, rng, &sheets.ValueRange{Values: [][]any{{"refunded"}}}).ValueInputOption("RAW").Do(); err != nil {
			b.Fatal(err)
		}
	}
}

func sheetIDOf(tb testing.TB, s *Server, id string) int64 {
	tb.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.books[id].sheets[0].id()
}
