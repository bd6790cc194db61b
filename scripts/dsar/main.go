// Command dsar answers a data subject's request by hand: what does the
// sheet hold about this person (access), and erase it (erase). The sheet
// holds no direct identifier: the person is found by every pseudonym the
// configuration could have produced for the email, customer id or phone
// you give, computed with the shop's pseudonym key, exactly as the
// function computes them (package erasure).
//
// Usage:
//
//	go run ./scripts/dsar access -email - -project PROJECT -config safeview.yaml -spreadsheet ID > answer.csv
//	go run ./scripts/dsar access -customer-id 191167 -platform shopify -project PROJECT ...
//	go run ./scripts/dsar erase  -email - -dry-run -project PROJECT ...
//	go run ./scripts/dsar erase  -email - -project PROJECT ...
//
// A value "-" is read from standard input (without echo on a terminal),
// so that the email stays out of the shell history and of ps: give it that
// way. The value is never printed, logged, or put in an error.
//
// access prints, as CSV on standard output, every row of every tab that
// holds one of the person's pseudonyms, whole (the team's columns too, the
// hidden version column too), as the sheet shows it: a header row first,
// with a "tab" column. That is what the sheet holds about the person; it
// holds the pseudonym and operational data, not the email you gave. The
// count goes to standard error.
//
// erase clears, in those rows, every personal column (customer.* fields
// whatever their operator, columns marked personal: true), marks the rows
// erased so that the function's later updates keep them empty, and prints
// the count; -dry-run prints what it would clear and changes nothing. It is
// one write request, and running it again changes nothing. It writes beside
// the function, not through its queue: an update of one of these orders in
// the same second can bring its cells back, so check with access
// afterwards, or send the request to the function's erasure source, which
// serializes it with its own writes (docs/privacy.md, "Erasure and access
// requests").
//
// The pseudonym key is read through shared/secrets: from Secret Manager in
// -project (the default when -project is given), from the environment
// (SAFEVIEW_SECRET_SAFEVIEW_PSEUDONYM_KEY, -secrets env) or from a file
// (-secrets file:PATH). The spreadsheet is read and written with your
// Application Default Credentials (gcloud auth application-default login
// with the spreadsheets scope, as for scripts/bootstrap-sheet), or at
// -sheets-endpoint, an emulator, without credentials.
//
// The configuration's other destinations are erased too, and their counts
// printed one line each. An Excel destination is reached as the function
// reaches it: with its ID token (-service-account, impersonated, and
// -entra-tenant-id, -entra-client-id) or the destination's client secret,
// or at -graph-endpoint, an emulator (docs/excel.md).
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/cloud"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/view"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dsar:", err)
		os.Exit(1)
	}
}

// timeout bounds a whole run: an index, a read and a write.
const timeout = 2 * time.Minute

// run is the command: the command line parsed, then the work.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	return work(ctx, o, stdin, stdout, stderr)
}

// options are the command line. The person's values are as given: "-"
// is read from standard input by work, after the configuration.
type options struct {
	cloud      cloud.Flags
	cmd        string // access or erase
	email      string
	customerID string // -customer-id
	phone      string
	platform   string
	dryRun     bool
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("dsar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.cloud.Register(fs)
	fs.StringVar(&o.email, "email", "", "the person's email address, or - to read it from standard input")
	fs.StringVar(&o.customerID, "customer-id", "", "the person's customer id on -platform, or - to read it from standard input")
	fs.StringVar(&o.phone, "phone", "", "the person's phone number as the platform holds it, or - to read it from standard input")
	fs.StringVar(&o.platform, "platform", "", "the platform of -customer-id, e.g. shopify (default: the configuration's, when it has one)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "erase: print what would be cleared, change nothing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/dsar access|erase -email -|ADDRESS | -customer-id ID [-platform NAME] | -phone NUMBER [flags]")
		fs.PrintDefaults()
	}
	if len(args) == 0 || (args[0] != "access" && args[0] != "erase") {
		fs.Usage()
		return options{}, errors.New("want access or erase first")
	}
	o.cmd = args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return options{}, err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.dryRun && o.cmd != "erase" {
		return options{}, errors.New("-dry-run is for erase")
	}
	return o, nil
}

// work answers the request: the person's pseudonyms computed as the
// function computes them, their rows found, then read or cleared.
func work(ctx context.Context, o options, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, id, err := o.cloud.Load()
	if err != nil {
		return err
	}
	who, err := identity(stdin, stderr, map[string]*string{"email": &o.email, "customer-id": &o.customerID, "phone": &o.phone})
	if err != nil {
		return err
	}
	sources, err := sourcesOf(cfg, who.ID, o.platform)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, release, err := o.cloud.OpenSecrets(ctx)
	if err != nil {
		return fmt.Errorf("-secrets: %w", err)
	}
	defer release()
	svc, err := sheets.NewService(ctx, o.cloud.SheetsOptions()...)
	if err != nil {
		return fmt.Errorf("sheets client: %w (run gcloud auth application-default login, see -h)", err)
	}
	cfg.Spreadsheet.ID = id
	// The same tables, pseudonyms and sink as the function's. The sink's
	// lines carry counts and row numbers, never a cell.
	v, err := view.New(ctx, view.Deps{Config: cfg, Secrets: res, Sheets: svc, Graph: o.cloud.Graph(res), Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		return err
	}
	var done view.Done
	if o.cmd == "erase" {
		done, err = v.Erase(ctx, erasure.Request{Scope: platform.EraseCustomer, Customer: who, Sources: sources}, o.dryRun)
	} else {
		done, err = v.Access(ctx, erasure.Request{Scope: platform.AccessRequest, Customer: who, Sources: sources}, true)
	}
	if err != nil {
		return fmt.Errorf("the spreadsheet %s: %w", id, err)
	}
	if err := report(o, done.Report, stdout, stderr); err != nil {
		return err
	}
	if o.cmd == "erase" {
		// An erasure reaches every destination, each its copies of the
		// rows. An access request reads the main spreadsheet alone: the
		// others hold nothing it does not.
		for _, name := range slices.Sorted(maps.Keys(done.Destinations)) {
			fmt.Fprintf(stdout, "destination %s: ", name)
			if err := report(o, done.Destinations[name], stdout, stderr); err != nil {
				return err
			}
		}
		for _, name := range v.Pending() {
			fmt.Fprintf(stdout, "destination %s: no spreadsheet id yet, nothing to clear\n", name)
		}
	}
	return nil
}

// report prints what was found or cleared: access's rows as CSV on
// stdout with their count on stderr, erase's count on stdout.
func report(o options, rep model.Report, stdout, stderr io.Writer) error {
	switch {
	case o.cmd == "access":
		if err := writeCSV(stdout, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d rows in %s\n", rep.Selected(), tabCounts(rep, func(t model.TabReport) int { return t.Selected }))
	case o.dryRun:
		fmt.Fprintf(stdout, "dry run: would clear %d rows (%s) of %d found; nothing was changed\n",
			rep.Changed(), tabCounts(rep, func(t model.TabReport) int { return t.Changed }), rep.Selected())
	default:
		fmt.Fprintf(stdout, "cleared %d rows (%s)\n", rep.Changed(), tabCounts(rep, func(t model.TabReport) int { return t.Changed }))
	}
	return nil
}

// identity reads the person's values; "-" is read from stdin, for one of
// them at most. At least one is required.
func identity(stdin io.Reader, stderr io.Writer, flags map[string]*string) (platform.Customer, error) {
	var fromStdin []string
	for name, v := range flags {
		if *v == "-" {
			fromStdin = append(fromStdin, name)
		}
	}
	switch len(fromStdin) {
	case 0:
	case 1:
		v, err := readLine(stdin, stderr, fromStdin[0])
		if err != nil {
			return platform.Customer{}, err
		}
		*flags[fromStdin[0]] = v
	default:
		slices.Sort(fromStdin)
		return platform.Customer{}, fmt.Errorf("only one of -%s can be read from standard input", strings.Join(fromStdin, ", -"))
	}
	c := platform.Customer{Email: strings.TrimSpace(*flags["email"]), ID: strings.TrimSpace(*flags["customer-id"]), Phone: strings.TrimSpace(*flags["phone"])}
	if c == (platform.Customer{}) {
		return c, errors.New("say who: -email, -customer-id or -phone (- reads it from standard input)")
	}
	return c, nil
}

// readLine reads one value: from a terminal without echo, else the first
// line of stdin.
func readLine(stdin io.Reader, stderr io.Writer, name string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "%s (not shown), then Enter: ", name)
		v, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("reading -%s: %w", name, err)
		}
		return strings.TrimSpace(string(v)), nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 4096))
	if err != nil {
		return "", fmt.Errorf("reading -%s: %w", name, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("-%s -: standard input is empty", name)
	}
	return line, nil
}

// sourcesOf returns the sources a customer id belongs to: those of the
// platform given, or of the configuration's only platform.
func sourcesOf(cfg *config.Config, customerID, platformName string) ([]string, error) {
	var names []string
	platforms := map[string]bool{}
	for _, n := range cfg.SourceNames {
		p := cfg.Sources[n].Platform
		if p == config.ErasurePlatform {
			continue
		}
		platforms[p] = true
		if platformName == "" || p == platformName {
			names = append(names, n)
		}
	}
	switch {
	case platformName != "" && len(names) == 0:
		return nil, fmt.Errorf("-platform %s: no source of the configuration has that platform", platformName)
	case platformName == "" && customerID != "" && len(platforms) > 1:
		return nil, errors.New("a customer id is per platform: give -platform (shopify, woocommerce, …)")
	case platformName == "" && customerID == "":
		return nil, nil // an email or a phone: anywhere
	}
	return names, nil
}

// writeCSV prints the rows found, under one header: "tab", then every
// header of the tabs in the order met; a cell goes under its header.
func writeCSV(w io.Writer, rep model.Report) error {
	header := []string{"tab"}
	names := make([][]string, len(rep.Tabs)) // each tab's column names
	for i, t := range rep.Tabs {
		if len(t.Rows) == 0 {
			continue
		}
		seen := map[string]int{}
		for c, h := range t.Header {
			if h == "" {
				h = "(column " + gsheets.ColumnLetters(c) + ")"
			}
			if seen[h]++; seen[h] > 1 {
				h = fmt.Sprintf("%s (%d)", h, seen[h])
			}
			names[i] = append(names[i], h)
			if !slices.Contains(header, h) {
				header = append(header, h)
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, t := range rep.Tabs {
		for _, r := range t.Rows {
			out := make([]string, len(header))
			out[0] = t.Tab
			for c, v := range r {
				if c < len(names[i]) {
					out[slices.Index(header, names[i][c])] = v
				}
			}
			if err := cw.Write(out); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// tabCounts says a count per tab: "Orders 2, Bookings 1".
func tabCounts(rep model.Report, n func(model.TabReport) int) string {
	var parts []string
	for _, t := range rep.Tabs {
		parts = append(parts, fmt.Sprintf("%s %d", t.Tab, n(t)))
	}
	if len(parts) == 0 {
		return "no tab holds a pseudonym of this person"
	}
	return strings.Join(parts, ", ")
}
