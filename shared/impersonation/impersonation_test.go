package impersonation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
	"github.com/safeview/safeview/shared/impersonation"
)

const partner = "sv-d-vancouver@shop.iam.gserviceaccount.com"

func iamClient(t *testing.T, srv *iamcredentialstest.Server) *iamcredentials.Service {
	t.Helper()
	svc, err := iamcredentials.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// The Sheets client writes as the account it impersonates: every request
// carries that account's token, asked for once and reused.
func TestSheetsAsTheImpersonatedAccount(t *testing.T) {
	t.Parallel()
	iam := iamcredentialstest.NewServer(t)
	iam.Grant("", partner)
	var users []string
	emu := gsheetstest.NewServer(t, gsheetstest.WithCallHook(func(c gsheetstest.Call) { users = append(users, c.User) }))
	id := emu.CreateSpreadsheet("vancouver", "Orders")
	ts := impersonation.TokenSource(context.Background(), iamClient(t, iam), partner, sheets.SpreadsheetsScope)
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(emu.URL()), option.WithTokenSource(ts))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := svc.Spreadsheets.Get(id).Do(); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range users {
		if acct, ok := iamcredentialstest.AccountOf(u); !ok || acct != partner {
			t.Errorf("a Sheets request came as %q, want %s's token", u, partner)
		}
	}
	calls := iam.Calls()
	if len(calls) != 1 || calls[0].Account != partner || calls[0].Scopes[0] != sheets.SpreadsheetsScope {
		t.Errorf("token requests = %+v, want one for %s with the Sheets scope", calls, partner)
	}
}

// An account the caller was not granted is refused, with an error that
// names it and the role to grant.
func TestAnAccountNotGrantedIsRefused(t *testing.T) {
	t.Parallel()
	iam := iamcredentialstest.NewServer(t)
	iam.Grant("", "other@shop.iam.gserviceaccount.com")
	_, err := impersonation.TokenSource(context.Background(), iamClient(t, iam), partner, sheets.SpreadsheetsScope).Token()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 403 {
		t.Fatalf("Token() error = %v, want Google's 403", err)
	}
	for _, want := range []string{partner, "roles/iam.serviceAccountTokenCreator"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Token() error = %q, want it to name %q", err, want)
		}
	}
}
