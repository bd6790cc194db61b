package gsheets_test

import (
	"context"
	"fmt"
	"log"

	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// One order, delivered twice and then out of order: one row, at its
// newest version.
func ExampleSink_Upsert() {
	emu := gsheetstest.Start()
	defer emu.Close()
	id := emu.CreateSpreadsheet("Shop", "Orders")
	svc, err := emu.Service(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	sink, err := gsheets.New(svc, id, []model.Table{{Tab: "Orders", Headers: []string{"order_id", "status"}, Key: "order_id"}}, gsheets.Options{})
	if err != nil {
		log.Fatal(err)
	}
	order := func(version int64, status string) model.Row {
		return model.Row{Key: "1001", Version: version, Insert: true, Update: true,
			Cells: []model.Cell{{Text: "1001"}, {Text: status}}}
	}
	ctx := context.Background()
	for _, r := range []model.Row{order(2, "paid"), order(2, "paid"), order(3, "refunded"), order(1, "pending")} {
		res, err := sink.Upsert(ctx, "Orders", r)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("version %d: %s\n", r.Version, res)
	}
	rows, _ := emu.Snapshot(id, "Orders")
	fmt.Println(rows[1])
	// Output:
	// version 2: written
	// version 2: unchanged
	// version 3: written
	// version 1: stale
	// [1001 refunded 3]
}
