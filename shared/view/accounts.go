package view

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/impersonation"
	"github.com/safeview/safeview/shared/logging"
)

// Environment variables of the destinations' service accounts, read by
// both functions.
const (
	// EnvDestinationAccounts names the service account each destination
	// of the configuration is written as, in JSON:
	// {"vancouver": "sv-d-vancouver@PROJECT.iam.gserviceaccount.com"}.
	// Terraform creates the accounts and sets it; the function
	// impersonates each one (package impersonation) and writes nothing
	// of a destination as itself. Unset, every destination is written
	// with the function's own credentials: tests, and a local stack
	// without accounts.
	EnvDestinationAccounts = "SAFEVIEW_DESTINATION_ACCOUNTS"
	// EnvIAMCredentialsEndpoint points the IAM Credentials client at an
	// emulator, without authentication. Never set in production.
	EnvIAMCredentialsEndpoint = "SAFEVIEW_IAM_CREDENTIALS_ENDPOINT"
	// EnvDestinationSpreadsheets overrides the spreadsheet ids of
	// destinations, in JSON: {"vancouver": "1AbC..."}, as
	// EnvSpreadsheetID does the main one's. Terraform sets it from
	// var.destination_spreadsheet_ids.
	EnvDestinationSpreadsheets = "SAFEVIEW_DESTINATION_SPREADSHEETS"
)

// DestinationSpreadsheets sets the destinations' spreadsheet ids that
// EnvDestinationSpreadsheets gives.
func DestinationSpreadsheets(cfg *config.Config, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var ids map[string]string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return fmt.Errorf("%s: want a JSON object of destination names and spreadsheet ids", EnvDestinationSpreadsheets)
	}
	var errs []error
	for name, id := range ids {
		d := cfg.Destinations[name]
		switch {
		case d == nil:
			errs = append(errs, fmt.Errorf("%s: %q is not a destination of the configuration", EnvDestinationSpreadsheets, name))
		case id != "":
			d.Spreadsheet.ID = id
		}
	}
	return errors.Join(errs...)
}

// DestinationAccounts reads EnvDestinationAccounts: one account for each
// Google spreadsheet destination of the configuration (an Excel
// destination signs in to Microsoft, and needs none), and none for a
// name the configuration does not declare.
func DestinationAccounts(cfg *config.Config, raw string) (map[string]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var accounts map[string]string
	if err := json.Unmarshal([]byte(raw), &accounts); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object of destination names and service account emails", EnvDestinationAccounts)
	}
	var errs []error
	var sheetsDests []string
	for _, name := range cfg.DestinationNames {
		if cfg.Destinations[name].Kind != config.KindExcel {
			sheetsDests = append(sheetsDests, name)
		}
	}
	for _, name := range sheetsDests {
		if !strings.Contains(accounts[name], "@") {
			errs = append(errs, fmt.Errorf("%s: no service account for destination %q (terraform apply sets one for every destination of the configuration)", EnvDestinationAccounts, name))
		}
	}
	for name := range accounts {
		// An account named for an Excel destination is not used: it
		// signs in to Microsoft.
		if !slices.Contains(cfg.DestinationNames, name) {
			errs = append(errs, fmt.Errorf("%s: %q is not a destination of the configuration", EnvDestinationAccounts, name))
		}
	}
	return accounts, errors.Join(errs...)
}

// DestinationSheets returns the view's SheetsFor: a Sheets client per
// destination that acts as the destination's account, asked of the IAM
// Credentials API (at iamEndpoint when set, an emulator) with the
// function's own credentials. sheetsEndpoint, when set, is the Sheets
// emulator's. Nil without accounts.
func DestinationSheets(ctx context.Context, accounts map[string]string, iamEndpoint, sheetsEndpoint string, log *slog.Logger) (func(context.Context, string) (*sheets.Service, error), error) {
	if len(accounts) == 0 {
		return nil, nil
	}
	iamOpts := []option.ClientOption{option.WithScopes(iamcredentials.CloudPlatformScope)}
	if iamEndpoint != "" {
		iamOpts = []option.ClientOption{option.WithEndpoint(iamEndpoint), option.WithoutAuthentication()}
	}
	creds, err := iamcredentials.NewService(ctx, iamOpts...)
	if err != nil {
		return nil, fmt.Errorf("iam credentials client: %w", err)
	}
	return func(_ context.Context, name string) (*sheets.Service, error) {
		account := accounts[name]
		if account == "" {
			return nil, fmt.Errorf("no service account for destination %q in %s", name, EnvDestinationAccounts)
		}
		// The token source outlives the request that builds it: its
		// calls are bounded by the package's own timeout.
		ts := &loggedTokens{src: impersonation.TokenSource(context.Background(), creds, account, sheets.SpreadsheetsScope),
			log: log.With("destination", name)}
		opts := []option.ClientOption{option.WithTokenSource(ts)}
		if sheetsEndpoint != "" {
			opts = append(opts, option.WithEndpoint(sheetsEndpoint))
		}
		return sheets.NewService(ctx, opts...)
	}, nil
}

// loggedTokens says in the log why a destination cannot be written when
// its account cannot be acted as (a grant missing): the sink sees only a
// request that did not go, and retries it.
type loggedTokens struct {
	src oauth2.TokenSource
	log *slog.Logger

	mu     sync.Mutex
	logged time.Time
}

// tokenErrorEvery spaces the lines of a failure that lasts.
const tokenErrorEvery = 30 * time.Second

func (l *loggedTokens) Token() (*oauth2.Token, error) {
	tok, err := l.src.Token()
	if err != nil {
		l.mu.Lock()
		if time.Since(l.logged) >= tokenErrorEvery {
			l.logged = time.Now()
			l.log.Error("cannot act as the destination's service account: its rows get 503, and the platforms retry, until the grant is in place (terraform apply)", logging.KeyError, err.Error())
		}
		l.mu.Unlock()
	}
	return tok, err
}
