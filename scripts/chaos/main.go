// Command chaos proves by hand that a crash loses nothing and doubles
// nothing: it builds and starts the Sheets emulator and the function as
// two processes, sends signed deliveries as a platform does (a delivery
// not answered 2xx is retried with backoff), kills the function with
// SIGKILL at random moments and restarts it, then checks that every order
// is in the sheet once, at its newest version. It runs twice by default:
// with a calm emulator, then with 30% of the Sheets requests failing
// (429, 500, answers lost after the write landed).
//
// Usage:
//
//	go run ./scripts/chaos [-deliveries 1000] [-rate 100] [-kills 3] [-faults 0,0.3] [-retries 8] [-seed N] [-keep]
//
// It exits 1 when an order is missing, doubled or older than sent. The
// logic is scripts/internal/chaos, which its test runs with fewer
// deliveries; docs/operations.md says what it proves.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/safeview/safeview/scripts/internal/chaos"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
}

type options struct {
	run    chaos.Options
	faults []float64
	keep   bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	var faults string
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.run.Deliveries, "deliveries", 1000, "deliveries to send in each run")
	fs.Float64Var(&o.run.Rate, "rate", 100, "deliveries started per second")
	fs.IntVar(&o.run.Kills, "kills", 3, "times the function is killed (SIGKILL) and restarted in each run")
	fs.StringVar(&faults, "faults", "0,0.3", "share of Sheets requests that fail, one run per value")
	fs.IntVar(&o.run.Retries, "retries", 8, "times a platform sends a delivery again when not answered 2xx")
	fs.Uint64Var(&o.run.Seed, "seed", 0, "seed of the orders and the kill moments (0: random; the report says it)")
	fs.BoolVar(&o.keep, "keep", false, "keep the binaries and the processes' logs")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, f := range strings.Split(faults, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || v > 1 {
			return options{}, fmt.Errorf("-faults: %q is not a share between 0 and 1", f)
		}
		o.faults = append(o.faults, v)
	}
	if o.run.Deliveries <= 0 || o.run.Rate <= 0 || o.run.Kills < 0 || o.run.Retries < 0 {
		return options{}, errors.New("-deliveries and -rate must be positive, -kills and -retries not negative")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "safeview-chaos-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "binaries and logs in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(stderr, "building the function and the emulator…")
	if err := chaos.Build(ctx, dir); err != nil {
		return err
	}
	var failed []error
	for i, f := range o.faults {
		ro := o.run
		ro.FaultRate, ro.Bin, ro.Progress = f, dir, stderr
		ro.Dir = fmt.Sprintf("%s/run%d", dir, i+1)
		if err := os.Mkdir(ro.Dir, 0o700); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "== %d deliveries, %d kills, %.0f%% Sheets faults\n", ro.Deliveries, ro.Kills, 100*f)
		rep, err := chaos.Run(ctx, ro)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep.String())
		if err := rep.Err(); err != nil {
			fmt.Fprintln(stdout, "FAIL:", err)
			failed = append(failed, err)
		} else {
			fmt.Fprintln(stdout, "OK: every order once, at its newest version")
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d runs lost, doubled or kept an old version of an order", len(failed), len(o.faults))
	}
	return nil
}
