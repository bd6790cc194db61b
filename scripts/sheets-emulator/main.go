// Command sheets-emulator serves the in-memory emulator of the Google
// Sheets v4 API alone, with a spreadsheet prepared as the local stack's
// (one tab per table of the configuration), so that the function can run
// in a process of its own against it, and be killed and restarted while
// the spreadsheet lives on (scripts/chaos does).
//
// Usage:
//
//	go run ./scripts/sheets-emulator [-addr 127.0.0.1:8081] [-config functions/webhook/safeview.yaml]
//	    [-rate429 P] [-rate500 P] [-rate-slow P] [-rate-lost P] [-slow DURATION]
//	    [-latency DURATION] [-jitter DURATION] [-write-quota N] [-read-quota N]
//
// When it listens it prints one line
//
//	READY {"sheets_endpoint":...,"spreadsheet_id":...,"view_url":...}
//
// and `go run ./scripts/dev -sheets-endpoint URL -spreadsheet ID` runs the
// function against it. The faults can be changed while it runs:
//
//	curl -d '{"rate429":0.1,"rate500":0.1,"rate_lost":0.1}' {sheets_endpoint}_admin/faults
//
// (GET reads them; the fields are gsheetstest.Faults'). Rates are
// probabilities per request; a lost response is a write applied whose
// answer never comes. It holds no real data and listens on loopback by
// default: never expose it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sheets-emulator:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	addr, config string
	faults       gsheetstest.Faults
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	var slow, latency, jitter time.Duration
	fs := flag.NewFlagSet("sheets-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "host:port to listen on (port 0 picks a free one)")
	fs.StringVar(&o.config, "config", localstack.DefaultConfig(), "the configuration whose tables become the spreadsheet's tabs")
	fs.Float64Var(&o.faults.Rate429, "rate429", 0, "probability that a request is answered 429 (per-user quota)")
	fs.Float64Var(&o.faults.Rate500, "rate500", 0, "probability that a request is answered 500")
	fs.Float64Var(&o.faults.RateSlow, "rate-slow", 0, "probability that a request is held for -slow")
	fs.Float64Var(&o.faults.RateLost, "rate-lost", 0, "probability that a request is applied and its answer lost")
	fs.DurationVar(&slow, "slow", time.Minute, "how long a slow request is held")
	fs.DurationVar(&latency, "latency", 0, "latency added to every request")
	fs.DurationVar(&jitter, "jitter", 0, "random latency added on top, up to this")
	fs.IntVar(&o.faults.WritesPerMinute, "write-quota", 0, "write requests per minute per user; 0 none (Google's: 60)")
	fs.IntVar(&o.faults.ReadsPerMinute, "read-quota", 0, "read requests per minute per user; 0 none (Google's: 60)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.faults.SlowMS, o.faults.LatencyMS, o.faults.JitterMS = int(slow.Milliseconds()), int(latency.Milliseconds()), int(jitter.Milliseconds())
	if err := o.faults.Validate(); err != nil {
		return options{}, err
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Load(o.config)
	if err != nil {
		return err
	}
	emu, err := localstack.StartEmulator(cfg, o.addr)
	if err != nil {
		return err
	}
	defer emu.Close()
	if err := emu.Server.SetFaults(o.faults); err != nil {
		return err
	}
	line, _ := json.Marshal(emu.Ready)
	fmt.Fprintf(stdout, "READY %s\n", line)
	fmt.Fprintf(stderr, "Sheets emulator on %s; faults: %s%s\n", emu.Ready.SheetsEndpoint, emu.Ready.SheetsEndpoint, localstack.AdminPath[1:])
	<-ctx.Done()
	return nil
}
