// Command archive moves older rows of the live spreadsheet to an archive
// spreadsheet, whole (the team's columns too), before the live one
// reaches Google's limit of 10 million cells (the function warns from
// 80%: docs/operations.md).
//
// Usage:
//
//	go run ./scripts/archive -config safeview.yaml -project PROJECT -spreadsheet LIVE_ID \
//	  (-before 2026-01-01 | -keep-rows 50000) [-archive ARCHIVE_ID] [-table Orders] [-dry-run]
//
// -before DATE moves the rows whose date column (-date-column; default
// the table's first column with the datetime or date operator, such as
// order_date) is before DATE, in the spreadsheet's time zone; -keep-rows
// N keeps the N newest rows by that column and moves the others. Rows
// whose date cannot be read stay.
//
// The archive is -archive, else the one a previous run recorded in the
// live spreadsheet, else a new spreadsheet "TITLE (archive)" created with
// your credentials (share it as you share the live one). Each batch of
// -batch rows (500) costs three write requests: the copy to the archive
// (a row already there at its version is not copied again, an older copy
// is replaced), the list of moved rows in the live spreadsheet's hidden
// tab _safeview_archived, and the deletion from the live tab (a row
// updated since it was read stays, and the next run moves it). Every step
// can be repeated, so a run stopped anywhere (Ctrl-C, a crash, a quota)
// is resumed by running the same command again; no resume file is needed.
//
// An order moved to the archive is never created again in the live sheet:
// the function reads the list and answers a later delivery of it `stale`,
// with a log line, and the archive keeps the version it was moved with
// (docs/operations.md says why).
//
// -dry-run reads and reports what would move, without writing anything.
// Progress goes to standard error (a bar on a terminal), the summary to
// standard output. Exit status: 0 done, 1 some rows were left (updated
// during the run: run again), 2 the run stopped or could not start: run
// it again to resume.
package main

import (
	"cmp"
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
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := deps{}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		d.terminal = true
	}
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, d)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return
	case errors.Is(err, errLeft):
		fmt.Fprintln(os.Stderr, "archive:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "archive:", err)
	os.Exit(2)
}

// errLeft means rows were updated while the run moved them: they stayed
// in the live sheet, and the next run moves them.
var errLeft = errors.New("some rows were updated during the run and stayed: run again to move them")

// deps are what tests replace.
type deps struct {
	terminal bool                  // draw a bar on standard error
	sheets   []option.ClientOption // replace the cloud flags' client options
	// writesPerMinute replaces the configuration's pacing (benchmarks).
	writesPerMinute int
}

// options are the command line.
type options struct {
	cloud    cloud.Flags
	archive  string
	table    string
	dateCol  string
	before   time.Time
	keepRows int
	batch    int
	dryRun   bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	var before string
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.cloud.RegisterSheet(fs)
	fs.StringVar(&o.cloud.SheetsEndpoint, "sheets-endpoint", "", "call the Sheets emulator at this URL, without credentials (the local stack's READY line gives it)")
	fs.StringVar(&o.archive, "archive", "", "the archive spreadsheet's id (default: the one a previous run recorded, else a new one)")
	fs.StringVar(&o.table, "table", "", "the table to archive (default: every table)")
	fs.StringVar(&o.dateCol, "date-column", "", "the column whose date decides (default: the table's first datetime or date column)")
	fs.StringVar(&before, "before", "", "move the rows dated before this day, YYYY-MM-DD")
	fs.IntVar(&o.keepRows, "keep-rows", -1, "keep this many newest rows, move the others")
	fs.IntVar(&o.batch, "batch", 500, "rows per batch (three write requests each)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "report what would move; write nothing")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if (before == "") == (o.keepRows < 0) {
		return options{}, errors.New("give exactly one of -before DATE and -keep-rows N")
	}
	if before != "" {
		t, err := time.Parse(time.DateOnly, before)
		if err != nil {
			return options{}, fmt.Errorf("-before: %q is not a day YYYY-MM-DD", before)
		}
		o.before = t
	}
	if o.batch <= 0 || o.batch > 5000 {
		return options{}, errors.New("-batch: between 1 and 5000 rows")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, d deps) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	cfg, liveID, err := o.cloud.Load()
	if err != nil {
		return err
	}
	opts := d.sheets
	if opts == nil {
		opts = o.cloud.SheetsOptions()
	}
	svc, err := sheets.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("sheets client: %w", err)
	}
	var tables []*config.Table
	for _, t := range cfg.Tables {
		if o.table == "" || t.Tab == o.table {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		return fmt.Errorf("-table: no table %q in %s", o.table, o.cloud.Config)
	}
	var mt []model.Table
	for _, t := range tables {
		var hs []string
		for _, c := range t.Columns {
			hs = append(hs, c.Header)
		}
		mt = append(mt, model.Table{Tab: t.Tab, Headers: hs, Key: t.Key})
	}
	writes := cfg.Sheet.WriteRequestsPerMinute
	reads := cfg.Sheet.ReadRequestsPerMinute
	if d.writesPerMinute > 0 {
		writes, reads = d.writesPerMinute, d.writesPerMinute
	}
	sink, err := gsheets.New(svc, liveID, mt, gsheets.Options{
		Logger:                 logging.New(stderr, slog.LevelWarn),
		WriteRequestsPerMinute: writes, ReadRequestsPerMinute: reads,
		RequestTimeout: time.Minute,
	})
	if err != nil {
		return err
	}
	zone, err := time.LoadLocation(cfg.Spreadsheet.TimeZone)
	if err != nil {
		return fmt.Errorf("spreadsheet.time_zone: %w", err)
	}
	archiveID := o.archive
	if archiveID == "" {
		if archiveID, err = gsheets.ArchiveOf(ctx, svc, liveID); err != nil {
			return err
		}
	}
	left := 0
	for _, t := range tables {
		col := o.dateCol
		if col == "" {
			i := slices.IndexFunc(t.Columns, func(c *config.Column) bool { return c.Op == "datetime" || c.Op == "date" })
			if i < 0 {
				return fmt.Errorf("table %s: no datetime or date column: name the column that dates a row with -date-column", t.Tab)
			}
			col = t.Columns[i].Header
		}
		if archiveID == "" && !o.dryRun {
			title := "Safeview (archive)"
			if ss, err := svc.Spreadsheets.Get(liveID).Fields("properties(title)").Context(ctx).Do(); err == nil && ss.Properties != nil {
				title = ss.Properties.Title + " (archive)"
			}
			if archiveID, err = gsheets.CreateArchive(ctx, svc, title); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "created the archive spreadsheet %s (%q): share it with the team\n", archiveID, title)
		}
		n, err := archiveTable(ctx, o, sink, svc, t.Tab, col, archiveID, zone, stdout, newProgress(stderr, d.terminal))
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Tab, err)
		}
		left += n
	}
	if left > 0 {
		return errLeft
	}
	return nil
}

// archiveTable moves one table's rows; it returns how many were left.
func archiveTable(ctx context.Context, o options, sink *gsheets.Sink, svc *sheets.Service, tab, col, archiveID string, zone *time.Location, stdout io.Writer, p *progress) (int, error) {
	id := archiveID
	if id == "" {
		id = "(dry run: none yet)"
	}
	var a *gsheets.Archiver
	var err error
	if o.dryRun && archiveID == "" {
		a, err = gsheets.NewArchiver(svc, sink, tab, "dry-run")
	} else {
		a, err = gsheets.NewArchiver(svc, sink, tab, archiveID)
	}
	if err != nil {
		return 0, err
	}
	header, rows, err := a.Read(ctx)
	if err != nil {
		return 0, err
	}
	c := slices.Index(header, col)
	if c < 0 {
		return 0, fmt.Errorf("no column %q in the tab's header", col)
	}
	moving, undated := choose(rows, c, o, zone)
	cells := len(moving) * len(header)
	fmt.Fprintf(stdout, "%s: %d rows, %d to move to %s (about %d cells), %d without a date in %s (they stay)\n",
		tab, len(rows), len(moving), id, cells, undated, col)
	if o.dryRun || len(moving) == 0 {
		return 0, nil
	}
	var total gsheets.Moved
	start := time.Now()
	for i := 0; i < len(moving); i += o.batch {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("stopped after %d of %d rows (run again to resume): %w", total.Moved, len(moving), err)
		}
		m, err := a.Move(ctx, header, moving[i:min(i+o.batch, len(moving))])
		total.Copied += m.Copied
		total.Moved += m.Moved
		total.Left += m.Left
		total.Writes += m.Writes
		total.Already += m.Already
		if err != nil {
			return 0, fmt.Errorf("stopped after %d of %d rows (run again to resume): %w", total.Moved, len(moving), err)
		}
		p.show(tab, min(i+o.batch, len(moving)), len(moving), start)
	}
	p.done()
	took := time.Since(start)
	fmt.Fprintf(stdout, "%s: %d rows moved (%d copied, %d already in the archive), %d updated meanwhile and left, %d write requests (%.1f per 1,000 rows), %.0f rows/s\n",
		tab, total.Moved, total.Copied, total.Already, total.Left, total.Writes, 1000*float64(total.Writes)/float64(len(moving)), float64(total.Moved)/took.Seconds())
	return total.Left, nil
}

// choose picks the rows to move, oldest first, and counts the rows
// without a date (which stay).
func choose(rows []gsheets.ArchiveRow, col int, o options, zone *time.Location) (moving []gsheets.ArchiveRow, undated int) {
	type dated struct {
		r  gsheets.ArchiveRow
		at float64
	}
	var ds []dated
	for _, r := range rows {
		at, ok := serial(r.Cells, col)
		if !ok {
			undated++
			continue
		}
		ds = append(ds, dated{r, at})
	}
	slices.SortStableFunc(ds, func(a, b dated) int { return cmp.Compare(a.at, b.at) })
	if o.keepRows >= 0 {
		ds = ds[:max(0, len(ds)-max(0, o.keepRows-undated))]
	} else {
		cut := toSerial(time.Date(o.before.Year(), o.before.Month(), o.before.Day(), 0, 0, 0, 0, zone), zone)
		ds = slices.DeleteFunc(ds, func(d dated) bool { return d.at >= cut })
	}
	for _, d := range ds {
		moving = append(moving, d.r)
	}
	return moving, undated
}

// serialEpoch is day 0 of Google's date serial numbers.
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// toSerial is t as a date serial number in zone, as the sheet stores the
// datetime and date columns.
func toSerial(t time.Time, zone *time.Location) float64 {
	l := t.In(zone)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	return wall.Sub(serialEpoch).Hours() / 24
}

// serial reads a date cell: a serial number, or text starting with a day.
func serial(cells []*sheets.CellData, col int) (float64, bool) {
	if col >= len(cells) || cells[col] == nil || cells[col].UserEnteredValue == nil {
		return 0, false
	}
	v := cells[col].UserEnteredValue
	if v.NumberValue != nil {
		return *v.NumberValue, true
	}
	if v.StringValue != nil && len(*v.StringValue) >= 10 {
		if t, err := time.Parse(time.DateOnly, (*v.StringValue)[:10]); err == nil {
			return toSerial(t, time.UTC), true
		}
	}
	return 0, false
}

// progress draws a bar on a terminal, a line per batch otherwise.
type progress struct {
	w        io.Writer
	terminal bool
}

func newProgress(w io.Writer, terminal bool) *progress { return &progress{w: w, terminal: terminal} }

func (p *progress) show(tab string, done, total int, start time.Time) {
	const width = 30
	fill := width * done / max(total, 1)
	rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
	line := fmt.Sprintf("%s [%s%s] %d/%d rows, %.0f rows/s", tab, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), done, total, rate)
	if p.terminal {
		fmt.Fprint(p.w, "\r"+line+"\033[K")
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) done() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}
