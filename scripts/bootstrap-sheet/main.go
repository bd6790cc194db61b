// Command bootstrap-sheet prepares a spreadsheet for Safeview, with your own
// Google credentials: it creates a tab for every table of the
// configuration, writes the header row (the configured column headers),
// freezes it, protects it with a warning, and shares the spreadsheet with
// the function's service account as an Editor. Running it again changes
// nothing that is already in place, so it is also how a new table or
// column gets its header before the first order arrives.
//
// Then it prepares every destination of the configuration (-destinations):
// it creates the spreadsheet of one that has no id yet (titled from the
// configuration; the ids to set in terraform.tfvars are printed), gives it
// its tables' tabs in the columns it keeps, a Today and a Summary tab
// (package meetingtabs: live formulas and a pivot table, which Safeview
// never writes; a tab the team edited is left as it is), and shares it
// with the destination's own service account as an Editor
// (-destination-accounts) and with the people of its share: in their
// role, without a notification email unless -notify.
//
// Usage:
//
//	gcloud auth application-default login \
//	  --scopes=openid,https://www.googleapis.com/auth/userinfo.email,https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/drive
//	go run ./scripts/bootstrap-sheet -project PROJECT -config safeview.yaml \
//	  -spreadsheet SPREADSHEET_ID -share SERVICE_ACCOUNT_EMAIL \
//	  [-destination-accounts '{"lyon": "EMAIL"}'] [-destination-spreadsheets '{"lyon": "ID"}']
//
// `terraform output next_steps` prints this command with your values.
//
// With -excel NAME it prepares the workbook of the configuration's Excel
// destination NAME instead, through Microsoft Graph: it creates each
// missing named table, on a worksheet of its name, with its header (or
// checks an existing one, adding the columns it lacks at its end), as the
// function itself, whose Google identity it borrows with
// -service-account (roles/iam.serviceAccountOpenIdTokenCreator on it), or
// with the destination's client secret:
//
//	go run ./scripts/bootstrap-sheet -config safeview.yaml -excel compta \
//	  -service-account SERVICE_ACCOUNT_EMAIL -entra-tenant-id TENANT -entra-client-id CLIENT
//
// It prints the workbook's drive and item ids (useful when the
// configuration names it by site and path).
// -dry-run checks the configuration and prints the plan without calling
// Google. -share "" skips the share (do it by hand: Share, paste the
// service account's email, Editor, untick Notify).
//
// The header protection is a warning, not a lock: whoever edits a header
// is asked to confirm, since Safeview finds its columns by their headers,
// but nobody is blocked, the team can still sort and filter, and the
// function (which adds missing columns at the end of the header, and its
// hidden version column) writes as usual. The Drive scope is needed only
// to share; -project sets the quota project, whose Sheets and Drive APIs
// terraform apply enables.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/cloud"
	"github.com/safeview/safeview/scripts/internal/sheetprep"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, clients{}); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap-sheet:", err)
		os.Exit(1)
	}
}

// clients replace the API endpoints in tests; empty means Google's with
// Application Default Credentials.
type clients struct {
	sheets []option.ClientOption
	drive  []option.ClientOption
}

// run is the command: the command line parsed, then the work.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, c clients) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	return work(ctx, o, stdout, c)
}

// options are the command line.
type options struct {
	cloud  cloud.Flags
	share  string // the service account's email; empty to skip
	dryRun bool
	excel  string // -excel: the Excel destination to prepare instead
	dest   destinationFlags
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bootstrap-sheet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.cloud.RegisterSheet(fs)
	fs.StringVar(&o.share, "share", "", "the function's service account email, to share the spreadsheet with as an Editor (terraform output service_account_email); empty to skip")
	fs.BoolVar(&o.dryRun, "dry-run", false, "check the configuration and print the plan, without calling Google")
	fs.StringVar(&o.excel, "excel", "", "prepare the workbook of this Excel destination instead: create its named tables with their header, or check them (docs/excel.md)")
	o.cloud.RegisterGraph(fs)
	fs.StringVar(&o.dest.names, "destinations", "all", `the destinations of the configuration to prepare: "all", "none", or names separated by commas`)
	fs.StringVar(&o.dest.accounts, "destination-accounts", "", `the destinations' service accounts, JSON {"NAME": "EMAIL"} (terraform output destinations): each spreadsheet is shared with its own`)
	fs.StringVar(&o.dest.ids, "destination-spreadsheets", "", `spreadsheet ids of destinations the configuration gives none, JSON {"NAME": "ID"} (var.destination_spreadsheet_ids); a destination without one gets a new spreadsheet`)
	fs.BoolVar(&o.dest.notify, "notify", false, "email the people of each destination's share: when their access is granted")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/bootstrap-sheet -project PROJECT -config FILE -spreadsheet ID -share EMAIL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// work prepares the spreadsheet for the configuration's tables and
// shares it, or with -dry-run prints the plan.
func work(ctx context.Context, o options, stdout io.Writer, c clients) error {
	if o.excel != "" {
		return workExcel(ctx, o, stdout)
	}
	cfg, id, err := o.cloud.Load()
	if err != nil {
		return err
	}
	if o.share != "" && !strings.HasSuffix(o.share, ".gserviceaccount.com") {
		return fmt.Errorf("-share %q is not a service account email (terraform output service_account_email)", o.share)
	}

	var tabs []sheetprep.Tab
	for _, t := range cfg.Tables {
		tb := sheetprep.Tab{Title: t.Tab}
		for _, col := range t.Columns {
			tb.Headers = append(tb.Headers, col.Header)
		}
		tabs = append(tabs, tb)
	}
	dests, err := o.dest.destinations(cfg)
	if err != nil {
		return err
	}
	if o.dryRun {
		for _, t := range tabs {
			fmt.Fprintf(stdout, "tab %q: header %s, frozen, protected with a warning\n", t.Title, strings.Join(t.Headers, " | "))
		}
		if o.share != "" {
			fmt.Fprintf(stdout, "share with %s as an Editor\n", o.share)
		}
		for _, d := range dests {
			d.Plan(stdout)
		}
		fmt.Fprintln(stdout, "dry run: the configuration is valid; nothing was changed")
		return nil
	}

	svc, err := sheets.NewService(ctx, googleOptions(c.sheets, sheets.SpreadsheetsScope, o.cloud.Project)...)
	if err != nil {
		return fmt.Errorf("sheets client: %w (run gcloud auth application-default login, see -h)", err)
	}
	if err := sheetprep.Tabs(ctx, svc, id, tabs, stdout); err != nil {
		return sheetprep.Explain(err, "the spreadsheet "+id)
	}

	var dsvc *drive.Service
	driveClient := func() (*drive.Service, error) {
		if dsvc != nil {
			return dsvc, nil
		}
		var err error
		if dsvc, err = drive.NewService(ctx, googleOptions(c.drive, drive.DriveScope, o.cloud.Project)...); err != nil {
			return nil, fmt.Errorf("drive client: %w", err)
		}
		return dsvc, nil
	}
	if o.share == "" {
		fmt.Fprintln(stdout, "not shared (-share is empty): share the spreadsheet with the function's service account as an Editor")
	} else {
		ds, err := driveClient()
		if err != nil {
			return err
		}
		// No notification: a service account reads no mail.
		if err := sheetprep.Share(ctx, ds, id, o.share, "writer", false, stdout); err != nil {
			return sheetprep.Explain(err, "sharing the spreadsheet")
		}
	}
	return prepareDestinations(ctx, dests, svc, driveClient, o.dest.notify, stdout)
}

// googleOptions are the options of a client: the test's, or Application
// Default Credentials with the scope, billed to the project.
func googleOptions(test []option.ClientOption, scope, project string) []option.ClientOption {
	if test != nil {
		return test
	}
	opts := []option.ClientOption{option.WithScopes(scope)}
	if project != "" {
		opts = append(opts, option.WithQuotaProject(project))
	}
	return opts
}
