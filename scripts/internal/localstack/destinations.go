package localstack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/sheetprep"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
)

// ReadyDestination is one destination of the configuration in the READY
// line: the emulated spreadsheet the stack made for it, the rows it
// chooses and the people it is shared with (read back from the emulated
// Drive API).
type ReadyDestination struct {
	Kind string `json:"kind"`
	// A Google spreadsheet's.
	SpreadsheetID string   `json:"spreadsheet_id,omitempty"`
	Where         string   `json:"where,omitempty"`
	Share         []string `json:"share,omitempty"`
	// Account is the service account the function writes it as, through
	// the emulated IAM Credentials API: the emulator's per-user quotas
	// count each destination apart, as Google counts each account.
	Account string `json:"account,omitempty"`
	// An Excel destination's: see exceltest.Destination.
	GraphEndpoint string            `json:"graph_endpoint,omitempty"`
	DriveID       string            `json:"drive_id,omitempty"`
	ItemID        string            `json:"item_id,omitempty"`
	Tables        map[string]string `json:"tables,omitempty"`
}

// localAccount is the service account the local stack gives a
// destination, named as terraform/destinations.tf names it.
func localAccount(name string) string {
	return "safeview-d-" + name + "@safeview-local.iam.gserviceaccount.com"
}

// destinations grants the function, caller "" of iam, the right to act
// as the account of every Google spreadsheet destination of the
// configuration, and returns those accounts by destination.
func destinations(cfg *config.Config, iam *iamcredentialstest.Server) map[string]string {
	accounts := map[string]string{}
	for _, name := range cfg.DestinationNames {
		if cfg.Destinations[name].Kind == config.KindExcel {
			continue // on the emulated Microsoft Graph: exceltest
		}
		accounts[name] = localAccount(name)
		iam.Grant("", accounts[name])
	}
	return accounts
}

// bootstrapper is who prepares the destinations: a caller of the
// emulator of its own, as the person who runs scripts/bootstrap-sheet.
const bootstrapper = "Bearer localstack-bootstrap"

// prepareDestinations does for each destination of accounts what
// scripts/bootstrap-sheet does for a real one, through the same code
// (package sheetprep) and the real Sheets and Drive clients: it creates
// its spreadsheet in the emulator (whatever id the file gives: the stack
// never writes a real spreadsheet; ids, when given, are the spreadsheets
// made before, which are then left as they are), writes its tables'
// headers, adds Today and Summary, and shares it with its account and
// its people through the emulated Drive API, emailing nobody. It returns
// the READY entries and the function's environment for them.
func prepareDestinations(ctx context.Context, cfg *config.Config, emu *gsheetstest.Server, endpoint string, accounts, ids map[string]string) (map[string]ReadyDestination, map[string]string, error) {
	if len(accounts) == 0 {
		return nil, nil, nil
	}
	hc := &http.Client{Transport: as{user: bootstrapper}}
	svc, err := sheets.NewService(ctx, option.WithEndpoint(endpoint), option.WithHTTPClient(hc))
	if err != nil {
		return nil, nil, err
	}
	ds, err := drive.NewService(ctx, option.WithEndpoint(endpoint+strings.TrimPrefix(gsheetstest.DrivePath, "/")), option.WithHTTPClient(hc))
	if err != nil {
		return nil, nil, err
	}
	ready, made := map[string]ReadyDestination{}, map[string]string{}
	for _, name := range cfg.DestinationNames {
		d := sheetprep.DestinationOf(cfg, name)
		if d == nil {
			continue
		}
		d.ID, d.Title, d.Account = ids[name], d.Title+" (local)", accounts[name]
		id, err := d.Prepare(ctx, svc, func() (*drive.Service, error) { return ds, nil }, false, io.Discard)
		if err != nil {
			return nil, nil, err
		}
		made[name] = id
		// The people it is shared with, as the emulated Drive holds them;
		// its account is listed apart.
		perms, err := emu.Permissions(id)
		if err != nil {
			return nil, nil, err
		}
		share := []string{}
		for _, p := range perms {
			if p.Email != d.Account {
				share = append(share, p.Email)
			}
		}
		kind := cfg.Destinations[name].Kind
		if kind == "" {
			kind = config.KindGoogleSheets
		}
		ready[name] = ReadyDestination{Kind: kind, SpreadsheetID: id, Where: cfg.Destinations[name].Where, Share: share, Account: d.Account}
	}
	idsJSON, _ := json.Marshal(made)
	accountsJSON, _ := json.Marshal(accounts)
	return ready, map[string]string{
		webhookfn.EnvDestinationSpreadsheets: string(idsJSON),
		webhookfn.EnvDestinationAccounts:     string(accountsJSON),
		webhookfn.EnvIAMCredentialsEndpoint:  endpoint,
	}, nil
}

// as sends requests as a quota user of the emulator.
type as struct{ user string }

func (a as) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", a.user)
	return http.DefaultTransport.RoundTrip(r)
}
