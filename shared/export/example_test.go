package export_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/platform"
)

// A Shopify orders export with the columns the reader needs: an order of
// two lines, one whose total is broken, and a cancelled one.
const shopifyExport = `Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,Lineitem name,Cancelled at,Refunded Amount,Id
#1001,ada@example.invalid,paid,2024-05-01 10:01:00 +0200,EUR,25.00,2024-05-01 10:00:00 +0200,2,Mug,,0.00,5550000000001
#1001,ada@example.invalid,,,,,,1,Tote bag,,,
#1002,bo@example.invalid,paid,,EUR,twelve,2024-05-02 10:00:00 +0200,1,Mug,,0.00,5550000000002
#1003,cy@example.invalid,voided,,EUR,8.00,2024-05-03 10:00:00 +0200,1,Postcard,2024-05-03 11:00:00 +0200,0.00,5550000000003
`

func ExampleOpen() {
	r, err := export.Open(export.ShopifyCSV, strings.NewReader(shopifyExport), export.Options{
		Preset: platform.Options{Store: "cafe-demo.myshopify.com"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, export.ErrRecord) {
			fmt.Println("skipped:", err) // lines and a reason, never content
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		o := rec.Event.Order
		fmt.Printf("lines %d-%d: order %s %s, %s, %s %s, %d items\n",
			rec.Line, rec.EndLine, o.ID, o.Number, o.Status, o.Total.Amount, o.Total.Currency, len(o.Items))
	}
	// Output:
	// lines 2-3: order 5550000000001 #1001, paid, 25.00 EUR, 2 items
	// skipped: line 4: total is not a decimal
	// lines 5-5: order 5550000000003 #1003, cancelled, 8.00 EUR, 1 items
}

// A backfill saves the token of each record it wrote, and resumes from the
// last one after an interruption.
func ExampleToken() {
	r, err := export.Open(export.ShopifyCSV, strings.NewReader(shopifyExport), export.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := r.Next() // written; then the run is interrupted
	saved := rec.Resume.String()

	tok, err := export.ParseToken(saved)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err = export.Open(export.ShopifyCSV, strings.NewReader(shopifyExport), export.Options{Resume: tok})
	if err != nil {
		fmt.Println(err) // another file, or the file changed: start over
		return
	}
	_, err = r.Next()
	fmt.Println("resumed at:", err)
	rec, _ = r.Next()
	fmt.Println("then order", rec.Event.Order.Number, "of line", rec.Line)
	// Output:
	// resumed at: line 4: total is not a decimal
	// then order #1003 of line 5
}
