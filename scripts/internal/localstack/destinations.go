package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	webhookfn "github.com/safeview/safeview/functions/webhook"
	"github.com/safeview/safeview/scripts/internal/meetingtabs"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
)

// ReadyDestination is one destination of the configuration in the READY
// line: the emulated spreadsheet the stack made for it, the rows it
// chooses and the people it would be shared with.
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

// destinations makes a spreadsheet in the emulator for every Google
// spreadsheet destination of the configuration (whatever id the file gives: the stack never
// writes a real spreadsheet), grants the function, caller "" of iam, the
// right to act as each destination's account, and returns the READY
// entries and the function's environment for them.
func destinations(cfg *config.Config, emu *gsheetstest.Server, iam *iamcredentialstest.Server, endpoint string) (map[string]ReadyDestination, map[string]string) {
	if len(cfg.DestinationNames) == 0 {
		return nil, nil
	}
	ready := map[string]ReadyDestination{}
	ids, accounts := map[string]string{}, map[string]string{}
	for _, name := range cfg.DestinationNames {
		d := cfg.Destinations[name]
		if d.Kind == config.KindExcel {
			continue // on the emulated Microsoft Graph: exceltest
		}
		var tabs []string
		for _, t := range cfg.DestinationTables(d) {
			tabs = append(tabs, t.Tab)
		}
		title := d.Spreadsheet.Title
		if title == "" {
			title = "Safeview – " + name
		}
		ids[name] = emu.CreateSpreadsheet(title+" (local)", tabs...)
		accounts[name] = localAccount(name)
		iam.Grant("", accounts[name])
		share := []string{}
		for _, s := range d.Share {
			share = append(share, s.Email)
		}
		kind := d.Kind
		if kind == "" {
			kind = config.KindGoogleSheets
		}
		ready[name] = ReadyDestination{Kind: kind, SpreadsheetID: ids[name], Where: d.Where, Share: share, Account: accounts[name]}
	}
	idsJSON, _ := json.Marshal(ids)
	accountsJSON, _ := json.Marshal(accounts)
	return ready, map[string]string{
		webhookfn.EnvDestinationSpreadsheets: string(idsJSON),
		webhookfn.EnvDestinationAccounts:     string(accountsJSON),
		webhookfn.EnvIAMCredentialsEndpoint:  endpoint,
	}
}

// bootstrap does for each destination what scripts/bootstrap-sheet does
// for a real one, sharing aside (the READY line lists the people): the
// header of each table, then the Today and Summary tabs. It runs as the
// person who bootstraps, a caller of its own.
func bootstrap(ctx context.Context, cfg *config.Config, endpoint string, ready map[string]ReadyDestination) error {
	if len(ready) == 0 {
		return nil
	}
	hc := &http.Client{Transport: as{user: "Bearer localstack-bootstrap"}}
	svc, err := sheets.NewService(ctx, option.WithEndpoint(endpoint), option.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	for _, name := range cfg.DestinationNames {
		d, id := cfg.Destinations[name], ready[name].SpreadsheetID
		if d.Kind == config.KindExcel {
			continue // exceltest prepares its named tables
		}
		var data []*sheets.ValueRange
		for _, t := range cfg.DestinationTables(d) {
			row := []any{}
			for _, h := range cfg.ColumnsFor(d, t) {
				row = append(row, h)
			}
			data = append(data, &sheets.ValueRange{Range: quoteTab(t.Tab) + "!A1", Values: [][]any{row}})
		}
		if _, err := svc.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: data}).Context(ctx).Do(); err != nil {
			return fmt.Errorf("destination %s: %w", name, err)
		}
		if spec, ok := meetingtabs.SpecFor(cfg, d); ok {
			if _, err := meetingtabs.Prepare(ctx, svc, id, spec); err != nil {
				return fmt.Errorf("destination %s: %w", name, err)
			}
		}
	}
	return nil
}

func quoteTab(title string) string {
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

// as sends requests as a quota user of the emulator.
type as struct{ user string }

func (a as) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", a.user)
	return http.DefaultTransport.RoundTrip(r)
}
