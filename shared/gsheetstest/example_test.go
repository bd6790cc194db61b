package gsheetstest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/safeview/safeview/shared/gsheetstest"
	"google.golang.org/api/sheets/v4"
)

func Example() {
	srv := gsheetstest.Start(gsheetstest.WithQuotas(gsheetstest.GoogleQuotas()))
	defer srv.Close()

	ctx := context.Background()
	svc, err := srv.Service(ctx) // the real client, pointed at the emulator
	if err != nil {
		log.Fatal(err)
	}
	id := srv.CreateSpreadsheet("Orders", "Orders")

	_, err = svc.Spreadsheets.Values.Append(id, "Orders", &sheets.ValueRange{
		Values: [][]any{{"order", "total"}, {"#1001", 1234.5}},
	}).ValueInputOption("RAW").Do()
	if err != nil {
		log.Fatal(err)
	}
	_, err = svc.Spreadsheets.Values.Update(id, "Orders!A1", &sheets.ValueRange{
		Values: [][]any{{"=HYPERLINK(\"x\")"}},
	}).Do() // forgot valueInputOption: fails as it would against Google
	fmt.Println(err)

	rows, _ := srv.Snapshot(id, "Orders")
	fmt.Println(rows)
	st := srv.Stats()
	fmt.Println(st.Writes, "writes,", st.Reads, "reads")
	// Output:
	// googleapi: Error 400: 'valueInputOption' is required but not specified
	// [[order total] [#1001 1234.5]]
	// 2 writes, 0 reads
}

func ExampleServer_FailNext() {
	srv := gsheetstest.Start()
	defer srv.Close()
	svc, _ := srv.Service(context.Background())
	id := srv.CreateSpreadsheet("Orders")

	// The next write fails with 503; reads are not affected.
	srv.FailNext(gsheetstest.Writes, gsheetstest.FaultUnavailable)
	_, err := svc.Spreadsheets.Values.Update(id, "A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do()
	fmt.Println(err)
	_, err = svc.Spreadsheets.Values.Update(id, "A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do()
	fmt.Println(err)
	// Output:
	// googleapi: Error 503: The service is currently unavailable.
	// <nil>
}
