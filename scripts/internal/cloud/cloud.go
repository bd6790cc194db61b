// Package cloud holds what the programs that work on a shop's real
// spreadsheet from a laptop (scripts/backfill, scripts/dsar,
// scripts/bootstrap-sheet) share: their flags, defined once so that each
// means the same in every program, the resolver of the pseudonym key and
// the options of the Sheets client.
package cloud

import (
	"context"
	"flag"
	"io"
	"os"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/secrets"
)

// Flags are the values of the flags that say which spreadsheet a program
// works on and how it reaches it. Register or RegisterSheet defines them
// on a program's own flag set.
type Flags struct {
	Config         string // -config: the configuration file
	Spreadsheet    string // -spreadsheet: the id; empty for the configuration's
	Project        string // -project: the Google Cloud project
	Secrets        string // -secrets: where the pseudonym key comes from
	SheetsEndpoint string // -sheets-endpoint: an emulator's URL, or empty for Google
	GraphFlags            // Excel destinations (graph.go)
}

// Register defines -config, -spreadsheet, -project, -secrets and
// -sheets-endpoint on fs, for a program that reads the pseudonym key and
// the rows (backfill, dsar).
func (f *Flags) Register(fs *flag.FlagSet) {
	f.register(fs, "the Google Cloud project: of the pseudonym key in Secret Manager, and billed for the Sheets API calls")
	fs.StringVar(&f.Secrets, "secrets", "", "where the pseudonym key comes from: secretmanager, env or file:PATH (default: secretmanager with -project, else env)")
	fs.StringVar(&f.SheetsEndpoint, "sheets-endpoint", "", "call the Sheets emulator at this URL, without credentials (the local stack's READY line gives it)")
	f.RegisterGraph(fs)
}

// RegisterSheet defines -config, -spreadsheet and -project alone on fs,
// for a program that reads no key and calls Google only
// (bootstrap-sheet): its -project is only billed.
func (f *Flags) RegisterSheet(fs *flag.FlagSet) {
	f.register(fs, "the Google Cloud project billed for the API calls (the deployment's)")
}

// register defines the flags every program has; what -project is for
// depends on the program.
func (f *Flags) register(fs *flag.FlagSet, project string) {
	fs.StringVar(&f.Config, "config", "functions/webhook/safeview.yaml", "the Safeview configuration, as deployed")
	fs.StringVar(&f.Spreadsheet, "spreadsheet", "", "the spreadsheet id (default: spreadsheet.id of the configuration)")
	fs.StringVar(&f.Project, "project", os.Getenv("GOOGLE_CLOUD_PROJECT"), project)
}

// Load reads the configuration at -config and returns it with the
// spreadsheet to work on: -spreadsheet, else the configuration's.
func (f *Flags) Load() (*config.Config, string, error) {
	cfg, err := config.Load(f.Config)
	if err != nil {
		return nil, "", err
	}
	id, err := cfg.SpreadsheetFor(f.Spreadsheet)
	if err != nil {
		return nil, "", err
	}
	return cfg, id, nil
}

// SecretsSpec returns -secrets, or by default secretmanager when a
// project is given and env otherwise.
func (f *Flags) SecretsSpec() string {
	switch {
	case f.Secrets != "":
		return f.Secrets
	case f.Project != "":
		return "secretmanager"
	}
	return "env"
}

// OpenSecrets opens the resolver SecretsSpec names; release closes a
// Secret Manager client.
func (f *Flags) OpenSecrets(ctx context.Context) (r secrets.Resolver, release func(), err error) {
	r, err = secrets.Open(ctx, f.SecretsSpec(), secrets.SecretManagerOptions{Project: f.Project})
	if err != nil {
		return nil, nil, err
	}
	release = func() {}
	if c, ok := r.(io.Closer); ok {
		release = func() { _ = c.Close() }
	}
	return r, release, nil
}

// SheetsOptions are the options of the Sheets client: the emulator at
// -sheets-endpoint, without credentials; else the user's application
// default credentials with the Sheets scope, the calls billed to -project.
func (f *Flags) SheetsOptions() []option.ClientOption {
	if f.SheetsEndpoint != "" {
		return []option.ClientOption{option.WithEndpoint(f.SheetsEndpoint), option.WithoutAuthentication()}
	}
	opts := []option.ClientOption{option.WithScopes(sheets.SpreadsheetsScope)}
	if f.Project != "" {
		opts = append(opts, option.WithQuotaProject(f.Project))
	}
	return opts
}
