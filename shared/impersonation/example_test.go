package impersonation_test

import (
	"context"
	"fmt"

	"google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/iamcredentialstest"
	"github.com/safeview/safeview/shared/impersonation"
)

// A Sheets client that writes as a partner destination's own service
// account. In production iamcredentials.NewService takes the function's
// own credentials (Application Default Credentials); here an emulator.
func ExampleTokenSource() {
	iam := iamcredentialstest.Start()
	defer iam.Close()
	iam.Grant("", "sv-d-lyon@shop.iam.gserviceaccount.com")

	ctx := context.Background()
	creds, err := iamcredentials.NewService(ctx, option.WithEndpoint(iam.URL()), option.WithoutAuthentication())
	if err != nil {
		panic(err)
	}
	ts := impersonation.TokenSource(ctx, creds, "sv-d-lyon@shop.iam.gserviceaccount.com", sheets.SpreadsheetsScope)
	if _, err := sheets.NewService(ctx, option.WithTokenSource(ts)); err != nil {
		panic(err)
	}
	tok, err := ts.Token()
	if err != nil {
		panic(err)
	}
	fmt.Println(iamcredentialstest.AccountOf(tok.AccessToken))
	// Output: sv-d-lyon@shop.iam.gserviceaccount.com true
}
