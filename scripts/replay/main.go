// Command replay moves the dead letters of queued mode back to the topic
// the writer drains, once the cause of their failure is fixed (the
// spreadsheet shared again, a quota raised, a configuration corrected).
//
// Usage:
//
//	go run ./scripts/replay -project PROJECT -dry-run    # count them, by kind, destination and table
//	go run ./scripts/replay -project PROJECT             # move them all back
//	go run ./scripts/replay -project PROJECT -max 1      # move one, to try the fix
//
// It pulls the dead-letter subscription (default safeview-dead-letters),
// publishes each message to the topic (default safeview-rows) with its
// data and attributes, less those Pub/Sub added when it dead-lettered it,
// plus "published", the time it was first published (the writer orders
// erasure and access requests among rows by it), and acknowledges the dead
// letter only once Pub/Sub has acknowledged the new message. Within each
// batch it publishes in the order the messages were first published. The
// work is package scripts/internal/deadletter's, which the benchmark's
// outage run measures.
//
// It is resumable: stopped at any point (Ctrl-C, a lost connection), it
// has acknowledged only what it published, and a new run moves the rest.
// A message published but not yet acknowledged when it stopped is moved
// twice; the writer writes it once (versions make a duplicate harmless).
//
// -dry-run counts without moving: the messages it pulled are handed back
// at the end (their acknowledgement deadline set to zero), and stay dead
// letters. It prints what it counted, never a cell.
//
// Credentials are your Application Default Credentials (gcloud auth
// application-default login), which need roles/pubsub.subscriber on the
// dead-letter subscription, roles/pubsub.publisher on the topic, and
// roles/pubsub.viewer to read the topic's subscriptions: a dead letter
// whose destination none of them takes (removed or renamed) is left where
// it is, and counted. With
// PUBSUB_EMULATOR_HOST set (the local stack's READY line gives it as
// pubsub_emulator_host), it talks to that emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2"

	"github.com/safeview/safeview/scripts/internal/deadletter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (deadletter.Options, error) {
	var o deadletter.Options
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Project, "project", os.Getenv("GOOGLE_CLOUD_PROJECT"), "the Google Cloud project of the topic and the subscription")
	fs.StringVar(&o.Subscription, "subscription", "safeview-dead-letters", "the dead-letter topic's subscription (terraform output dead_letter_subscription)")
	fs.StringVar(&o.Topic, "topic", "safeview-rows", "the topic the writer drains (terraform output topic)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "count the dead letters and move nothing")
	fs.IntVar(&o.Max, "max", 0, "move at most this many (0: all)")
	fs.IntVar(&o.Batch, "batch", 100, "messages pulled at a time (1 to 1000)")
	fs.DurationVar(&o.Wait, "wait", 5*time.Second, "stop once a pull finds nothing for this long")
	if err := fs.Parse(args); err != nil {
		return deadletter.Options{}, err
	}
	switch {
	case fs.NArg() > 0:
		return deadletter.Options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.Project == "":
		return deadletter.Options{}, errors.New("give -project (or set GOOGLE_CLOUD_PROJECT)")
	case o.Batch < 1 || o.Batch > 1000:
		return deadletter.Options{}, errors.New("-batch: want 1 to 1000")
	case o.Max < 0:
		return deadletter.Options{}, errors.New("-max: want 0 (all) or more")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	c, err := pubsub.NewClient(ctx, o.Project)
	if err != nil {
		return fmt.Errorf("pubsub client: %w", err)
	}
	defer c.Close()
	t, err := deadletter.Move(ctx, c, o, stderr)
	t.Print(stdout, o.DryRun)
	return err
}
