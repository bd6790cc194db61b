// Command backfill puts past orders in the sheet from a platform's export:
// every record goes through the source's preset, the tables' filters and
// the privacy pipeline exactly as a live webhook does (package view, the
// function's own construction), and is upserted by key and version, so
// that a backfilled order and its live deliveries share one row, newest
// version wins.
//
// Usage:
//
//	go run ./scripts/backfill -config safeview.yaml -source shopify -format shopify-csv \
//	  -store cafe-demo.myshopify.com -project PROJECT -spreadsheet SPREADSHEET_ID orders_export.csv
//
// Formats: shopify-csv, woocommerce-csv, lightspeed-xseries-csv and jsonl
// (one webhook body a line). docs/backfill.md says how to make each export,
// what maps where, and what no export can give.
//
// It reads the pseudonym key (privacy.pseudonym_key) through package
// secrets: from Secret Manager in -project by default when -project is
// given, else from the environment (SAFEVIEW_SECRET_...), or -secrets
// file:PATH. It writes with your Application Default Credentials (gcloud
// auth application-default login, with the Sheets scope as in the README),
// which count against your own quota of 60 write requests a minute, not the
// function's; -sheets-endpoint writes to an emulator instead (the local
// stack's, without credentials).
//
// Rows go out in batches: up to two flushes' worth of records are upserted
// at once (-concurrency, default twice sheet.max_rows_per_flush), so each
// write request carries sheet.max_rows_per_flush rows (500) at the pace of
// sheet.write_requests_per_minute (55): about 450 records a second,
// 0.002 write requests a record. 429s and 5xx are retried with backoff; a
// record whose row the sheet has not taken after -retry-for stops the run,
// to be resumed.
//
// Progress goes to standard error: a bar with the rate and the time left
// on a terminal, a line every 10 seconds otherwise. Records that cannot be
// read or written are reported on standard output by line number and
// reason, never with their content, and so is the final summary: records
// read, written, unchanged, stale, filtered, ignored (no table takes them),
// failed.
//
// Interrupted (Ctrl-C, a crash, the sheet unavailable), it resumes: the
// position after the last record whose row, and every row before it, is
// written is kept in a resume file (-resume, default the export's name
// followed by .safeview-resume), and the same command continues from
// there. Ctrl-C waits for the rows in flight; a second Ctrl-C stops at
// once. A finished run removes the file; running it again is harmless
// (rows already there are answered unchanged or stale). -dry-run reads
// the whole export and runs the pipelines (with the pseudonym key, so it
// checks that too) without calling the Sheets API or touching the resume
// file.
//
// Beside the live function, each writer knows the rows that were in the
// tab when it indexed it, and adds again an order the other added since.
// A finished run indexes the tab once more, which merges them; the
// function's instance only merges them at its next index (a new
// instance). Backfill before registering the webhooks when you can:
// docs/backfill.md, "Running it".
//
// Exit status: 0 when every record was read and none failed; 1 when some
// records failed (listed); 2 when the run stopped before the end, or could
// not start: run the same command again to resume.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/cloud"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/view"
)

func main() {
	// The first signal stops gracefully: no new record, the rows in flight
	// written, the position saved. The second ends the rows in flight.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, kill := context.WithCancel(context.Background())
	stop := make(chan struct{})
	go func() {
		<-sigs
		close(stop)
		<-sigs
		kill()
	}()
	d := deps{stop: stop}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		d.terminal = true
		d.width, _, _ = term.GetSize(fd)
	}
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, d)
	code := exitCode(err)
	if code == 2 {
		fmt.Fprintln(os.Stderr, "backfill:", err)
	}
	os.Exit(code)
}

// exitCode maps the run's error to the exit status the package comment
// documents.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFailed):
		return 1
	}
	return 2
}

// Exit statuses beyond 0: see the package comment.
var (
	// errFailed means the run reached the end of the export and some
	// records failed; they were listed.
	errFailed = errors.New("some records failed")
	// errStopped means the run stopped before the end of the export.
	errStopped = errors.New("stopped before the end of the export")
)

// deps are what tests replace.
type deps struct {
	// stop is closed to stop gracefully (a first Ctrl-C): no new record,
	// the rows in flight written. Canceling run's ctx (a second Ctrl-C)
	// ends the rows in flight too.
	stop <-chan struct{}
	// terminal says standard error is a terminal: draw a bar, at most
	// width columns wide.
	terminal bool
	width    int
	// sheets are the options of the Sheets client, replacing
	// Application Default Credentials or -sheets-endpoint.
	sheets []option.ClientOption
	// progressEvery is the period of the progress display: 200ms for the
	// bar, 10s for lines off a terminal.
	progressEvery time.Duration
	// saveEvery is the period of the resume file's updates (1s).
	saveEvery time.Duration
	// afterRecord is called with the number of records done in this run,
	// each time one is.
	afterRecord func(done int)
}

// minRequestTimeout is the least time one API call gets: a flush of 500
// rows takes longer than a delivery's, and a backfill has no platform
// waiting for an answer.
const minRequestTimeout = 30 * time.Second

// run is the command: the command line parsed, then the work.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, d deps) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	return work(ctx, o, stdout, stderr, d)
}

// options are the command line, checked as far as it can be without the
// configuration.
type options struct {
	cloud       cloud.Flags
	path        string // the export
	source      string
	format      string
	store       string
	zone        string // -time-zone
	topic       string
	resume      string // the resume file; empty for the export's path followed by resumeSuffix
	dryRun      bool
	concurrency int // 0 for twice sheet.max_rows_per_flush
	writes      int // -writes-per-minute; 0 for the configuration's
	retryFor    time.Duration
	verbose     bool // -v
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.cloud.Register(fs)
	fs.StringVar(&o.source, "source", "", "the configured source whose orders the export holds (required)")
	fs.StringVar(&o.format, "format", "", "the export's format: "+strings.Join(export.Formats(), ", ")+" (required)")
	fs.StringVar(&o.store, "store", "", "the store live rows name in order.store, which no export names (Shopify: the *.myshopify.com domain; default: the source's store)")
	fs.StringVar(&o.zone, "time-zone", "", "the IANA zone of times the export writes without one, WooCommerce's site's or X-Series' retailer's (default: the source's time_zone)")
	fs.StringVar(&o.topic, "topic", "", "jsonl: the topic each body is decoded as (default: the platform's update topic)")
	fs.StringVar(&o.resume, "resume", "", "the resume file (default: the export's path followed by "+resumeSuffix+")")
	fs.BoolVar(&o.dryRun, "dry-run", false, "read the export and run the pipelines, without calling the Sheets API or touching the resume file")
	fs.IntVar(&o.concurrency, "concurrency", 0, "records upserted at once (default: twice sheet.max_rows_per_flush)")
	fs.IntVar(&o.writes, "writes-per-minute", 0, "write requests a minute (default: sheet.write_requests_per_minute, 55); Google allows 60 per user")
	fs.DurationVar(&o.retryFor, "retry-for", 5*time.Minute, "how long a row may wait for the sheet through 429s and 5xx before the run stops, to be resumed")
	fs.BoolVar(&o.verbose, "v", false, "log the sink's informational lines (reindexing), not only its warnings")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/backfill -config FILE -source NAME -format FORMAT [-store S] [-spreadsheet ID | -sheets-endpoint URL] [-project P] [-resume FILE] [-dry-run] EXPORT")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return options{}, errors.New("want one export file")
	}
	o.path = fs.Arg(0)
	if o.source == "" || o.format == "" {
		fs.Usage()
		return options{}, errors.New("-source and -format are required")
	}
	if !slices.Contains(export.Formats(), o.format) {
		return options{}, fmt.Errorf("-format %q: %w (known: %s)", o.format, export.ErrFormat, strings.Join(export.Formats(), ", "))
	}
	if o.retryFor <= 0 || o.concurrency < 0 || o.writes < 0 {
		return options{}, errors.New("-retry-for, -concurrency and -writes-per-minute must be positive")
	}
	return o, nil
}

// work backfills the export: the job planned from the configuration, the
// view built as the function builds its own, then every record.
func work(ctx context.Context, o options, stdout, stderr io.Writer, d deps) error {
	j, err := plan(o)
	if err != nil {
		return err
	}
	j.con = newConsole(stdout, stderr, d.terminal, d.width)
	j.d = d
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	log := logging.New(j.con, level)

	res, release, err := o.cloud.OpenSecrets(ctx)
	if err != nil {
		return fmt.Errorf("-secrets: %w", err)
	}
	defer release()
	var svc *sheets.Service
	if !o.dryRun {
		if svc, err = sheets.NewService(ctx, sheetsOptions(d.sheets, &o.cloud)...); err != nil {
			return fmt.Errorf("sheets client: %w (run gcloud auth application-default login, see docs/deploy.md)", err)
		}
	}
	j.deps = view.Deps{Config: j.cfg, Secrets: res, Sheets: svc, Graph: o.cloud.Graph(res), Logger: log}
	if j.view, err = view.New(ctx, j.deps); err != nil {
		if j.cfg.Privacy.PseudonymKey != "" && o.cloud.Secrets == "" && o.cloud.Project == "" {
			err = fmt.Errorf("%w (or give -project to read it from Secret Manager)", err)
		}
		return err
	}
	return j.run(ctx)
}

// plan reads the configuration and settles what the options leave to it:
// the spreadsheet, the pace of the writes, the store and the time zone of
// the export.
func plan(o options) (*job, error) {
	cfg, err := config.Load(o.cloud.Config)
	if err != nil {
		return nil, err
	}
	src := cfg.Sources[o.source]
	if src == nil {
		return nil, fmt.Errorf("-source %q: not a source of %s (%s)", o.source, o.cloud.Config, strings.Join(cfg.SourceNames, ", "))
	}
	if o.cloud.Spreadsheet != "" {
		cfg.Spreadsheet.ID = o.cloud.Spreadsheet
	}
	if cfg.Spreadsheet.ID == "" && !o.dryRun {
		return nil, errors.New("no spreadsheet: give -spreadsheet (the id in its URL, between /d/ and /edit)")
	}
	if o.writes > 0 {
		cfg.Sheet.WriteRequestsPerMinute = o.writes
	}
	cfg.Sheet.RequestTimeout = config.Duration(max(time.Duration(cfg.Sheet.RequestTimeout), minRequestTimeout))
	perFlush := cfg.Sheet.MaxRowsPerFlush
	if perFlush <= 0 {
		perFlush = defaultRowsPerFlush
	}
	j := &job{
		cfg: cfg, source: o.source, format: o.format, path: o.path,
		dryRun: o.dryRun, concurrency: o.concurrency, retryFor: o.retryFor, resumePath: o.resume,
	}
	if j.concurrency == 0 {
		j.concurrency = 2 * perFlush
	}
	if j.resumePath == "" {
		j.resumePath = o.path + resumeSuffix
	}

	j.opts = export.Options{Platform: src.Platform, Topic: o.topic, Preset: src.PresetOptions()}
	if o.store != "" {
		j.opts.Preset.Store = o.store
	}
	if j.opts.Preset.Store == "" && o.format != export.JSONL {
		if reads := readsStore(cfg, o.source); len(reads) > 0 {
			return nil, fmt.Errorf("-store is required: %s read order.store, which no export names; give what live rows show there (Shopify: the shop's *.myshopify.com domain; WooCommerce: the site; X-Series: the domain prefix), or set store: in sources.%s",
				strings.Join(reads, ", "), o.source)
		}
	}
	zone := o.zone
	if zone == "" {
		zone = src.TimeZone
	}
	if j.opts.Location, err = time.LoadLocation(zone); err != nil {
		return nil, fmt.Errorf("-time-zone: %w", err)
	}
	return j, nil
}

// defaultRowsPerFlush is the sink's default of sheet.max_rows_per_flush.
const defaultRowsPerFlush = 500

func sheetsOptions(test []option.ClientOption, cf *cloud.Flags) []option.ClientOption {
	if test != nil {
		return test
	}
	return cf.SheetsOptions()
}

// readsStore names the tables fed by the source that read order.store, in
// a column or in their filter.
func readsStore(cfg *config.Config, source string) []string {
	var out []string
	for _, t := range cfg.TablesFor(source, "order") {
		if strings.Contains(t.Filter, "order.store") || slices.ContainsFunc(t.Columns, func(c *config.Column) bool { return c.Field == "order.store" }) {
			out = append(out, fmt.Sprintf("table %q", t.Tab))
		}
	}
	return out
}
