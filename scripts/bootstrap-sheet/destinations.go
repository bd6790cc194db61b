package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/sheetprep"
	"github.com/safeview/safeview/shared/config"
)

// destinationFlags are the command line of the destinations' preparation.
type destinationFlags struct {
	// names are the destinations to prepare: "all", "none", or names
	// separated by commas.
	names string
	// accounts are the destinations' service accounts, in JSON, name to
	// email (terraform output destinations): each spreadsheet is shared
	// with its own account, as an Editor.
	accounts string
	// ids are the destinations' spreadsheet ids the configuration does
	// not give, in JSON, name to id (var.destination_spreadsheet_ids).
	ids string
	// notify emails the people of share: when their access is granted.
	notify bool
}

// destinations reads the flags into the destinations to prepare.
func (f destinationFlags) destinations(cfg *config.Config) ([]sheetprep.Destination, error) {
	var names []string
	switch f.names {
	case "", "none":
		return nil, nil
	case "all":
		names = cfg.DestinationNames
	default:
		names = strings.Split(f.names, ",")
	}
	accounts, ids := map[string]string{}, map[string]string{}
	for flag, m := range map[string]*map[string]string{"-destination-accounts": &accounts, "-destination-spreadsheets": &ids} {
		raw := map[string]string{"-destination-accounts": f.accounts, "-destination-spreadsheets": f.ids}[flag]
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(raw), m); err != nil {
			return nil, fmt.Errorf("%s: want a JSON object of destination names and values (terraform output destinations)", flag)
		}
		for name := range *m {
			if cfg.Destinations[name] == nil {
				return nil, fmt.Errorf("%s: %q is not a destination of the configuration", flag, name)
			}
		}
	}
	var out []sheetprep.Destination
	for _, name := range names {
		d := cfg.Destinations[strings.TrimSpace(name)]
		if d == nil {
			return nil, fmt.Errorf("-destinations: %q is not a destination of the configuration (it has %s)", name, strings.Join(cfg.DestinationNames, ", "))
		}
		dst := sheetprep.DestinationOf(cfg, name)
		switch {
		case dst == nil && f.names == "all":
			continue // an Excel destination: -excel prepares it
		case dst == nil:
			return nil, fmt.Errorf("-destinations: %q is an Excel workbook: prepare it with -excel %s", name, name)
		}
		dst.Account = accounts[name]
		if id := ids[name]; id != "" {
			dst.ID = id
		}
		if dst.Account != "" && !strings.HasSuffix(dst.Account, ".gserviceaccount.com") {
			return nil, fmt.Errorf("-destination-accounts: %q of %s is not a service account email", dst.Account, name)
		}
		out = append(out, *dst)
	}
	return out, nil
}

// prepareDestinations prepares each destination, then prints the ids of
// the spreadsheets the configuration does not name, as Terraform takes
// them.
func prepareDestinations(ctx context.Context, dests []sheetprep.Destination, svc *sheets.Service, dsvc func() (*drive.Service, error), notify bool, out io.Writer) error {
	made := map[string]string{}
	for _, d := range dests {
		id, err := d.Prepare(ctx, svc, dsvc, notify, out)
		if id != "" && id != d.ID {
			made[d.Name] = id
		}
		if err != nil {
			return err
		}
	}
	if len(made) > 0 {
		js, _ := json.Marshal(made)
		fmt.Fprintf(out, "set in terraform.tfvars, then terraform apply (and pass it as -destination-spreadsheets next time):\n  destination_spreadsheet_ids = %s\n", js)
	}
	return nil
}
