// Command dev runs the whole of Safeview on one machine: the real HTTP
// function served by functions-framework-go, an in-memory emulator of the
// Google Sheets v4 API holding the spreadsheet, and a read-only web page
// that shows the spreadsheet's tabs as tables and refreshes itself.
//
// Usage:
//
//	go run ./scripts/dev [-addr 127.0.0.1:8080] [-config functions/webhook/safeview.yaml] [-queue] [-unlimited]
//	go run ./scripts/dev -sheets-endpoint URL -spreadsheet ID
//
// The second form runs the function against an emulator of your own
// (scripts/sheets-emulator), so that the function can be killed and
// restarted while the spreadsheet lives on.
//
// -queue runs queued mode: the configuration's mode set to queued, the
// function publishing to Pub/Sub's fake server (pstest) through the real
// client, and a push pump delivering to the writer function as Pub/Sub's
// push does; the READY line then also gives writer_url,
// pubsub_emulator_host, topic and dead_letter_subscription.
//
// It uses demo secrets (see scripts/internal/demo), never real ones. When
// everything is up it prints one line
//
//	READY {"webhook_base":...,"sheets_endpoint":...,"spreadsheet_id":...,"view_url":...,"sources":{...},"destinations":{...}}
//
// that scripts and tests rely on: webhook_base is the URL to which
// /{source} is appended, sheets_endpoint the base URL to hand to
// option.WithEndpoint, and sources maps each source to its platform and
// demo secret (and, for Square, the exact notification URL), and
// destinations maps each destination of the configuration to where it is
// read: a partner's emulated spreadsheet ("destinations":{"lyon":
// {"kind":"google-sheets","spreadsheet_id":...,"where":...,"share":[...],
// "account":...}}), or for an Excel destination where an emulated
// Microsoft Graph serves its named tables:
// {graph_endpoint}/drives/{drive_id}/items/{item_id}/workbook/tables/{name}/rows
// (docs/excel.md). The emulator enforces Google's quotas per caller, the
// function being one caller for the main spreadsheet and one per
// destination's service account (-unlimited lifts them). The stack
// itself is scripts/internal/localstack, which the benchmark shares.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// Ready is the READY line's JSON.
type Ready = localstack.Ready

// ReadySource is one source in the READY line.
type ReadySource = localstack.ReadySource

// tabData is one tab of the live view.
type tabData = localstack.TabData

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

// run is the command: the command line parsed, then the work.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	return work(ctx, o, stdout, stderr)
}

// parse reads the command line into the stack's options; the usage and
// the flags' errors go to stderr.
func parse(args []string, stderr io.Writer) (localstack.Options, error) {
	var o localstack.Options
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "host:port of the function (port 0 picks a free one)")
	fs.StringVar(&o.Config, "config", localstack.DefaultConfig(), "the configuration file")
	fs.StringVar(&o.SheetsAddr, "sheets-addr", "127.0.0.1:0", "host:port of the Sheets emulator and the view")
	fs.StringVar(&o.GraphAddr, "graph-addr", "127.0.0.1:0", "host:port where the Graph emulator serves the Excel destinations' tables to readers, and its view")
	unlimited := fs.Bool("unlimited", false, "no Sheets quotas (by default Google's: 60 requests a minute per account, 300 per project)")
	fs.StringVar(&o.SheetsEndpoint, "sheets-endpoint", "", "an emulator of your own (go run ./scripts/sheets-emulator): its sheets_endpoint; none is started")
	fs.StringVar(&o.SpreadsheetID, "spreadsheet", "", "with -sheets-endpoint: the id of its spreadsheet")
	fs.BoolVar(&o.Queue, "queue", false, "queued mode: the function publishes to a fake Pub/Sub (pstest), a push pump delivers to the writer function (docs/queued.md)")
	if err := fs.Parse(args); err != nil {
		return localstack.Options{}, err
	}
	if (o.SheetsEndpoint == "") != (o.SpreadsheetID == "") {
		return localstack.Options{}, errors.New("-sheets-endpoint and -spreadsheet go together")
	}
	if !*unlimited {
		// Per caller: the function writes the main spreadsheet as itself
		// and each destination as its own account.
		o.Emulator = append(o.Emulator, gsheetstest.WithQuotas(gsheetstest.GoogleQuotas()))
	}
	return o, nil
}

// work starts the stack, prints the READY line, and serves until ctx is
// done.
func work(ctx context.Context, o localstack.Options, stdout, stderr io.Writer) error {
	st, err := localstack.Start(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	line, _ := json.Marshal(st.Ready)
	fmt.Fprintf(stdout, "READY %s\n", line)
	fmt.Fprintf(stderr, "Safeview is running. Live view: %s\nSend a sample order: go run ./scripts/send shopify\n", st.Ready.ViewURL)
	return st.Wait(ctx)
}
