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
// batch it publishes in the order the messages were first published.
//
// It is resumable: stopped at any point (Ctrl-C, a lost connection), it
// has acknowledged only what it published, and a new run moves the rest.
// A message published but not yet acknowledged when it stopped is moved
// twice; the writer writes it once (versions make a duplicate harmless).
//
// -dry-run counts without moving: the messages it pulled are handed back
// at once (their acknowledgement deadline set to zero), and stay dead
// letters. It prints what it counted, never a cell.
//
// Credentials are your Application Default Credentials (gcloud auth
// application-default login), which need roles/pubsub.subscriber on the
// dead-letter subscription and roles/pubsub.publisher on the topic. With
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
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/safeview/safeview/shared/queue"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	project      string
	subscription string // the dead letters', an id or a full name
	topic        string // the writer's, an id or a full name
	dryRun       bool
	max          int // 0: all
	batch        int
	wait         time.Duration // an empty pull this long ends the run
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.project, "project", os.Getenv("GOOGLE_CLOUD_PROJECT"), "the Google Cloud project of the topic and the subscription")
	fs.StringVar(&o.subscription, "subscription", "safeview-dead-letters", "the dead-letter topic's subscription (terraform output dead_letter_subscription)")
	fs.StringVar(&o.topic, "topic", "safeview-rows", "the topic the writer drains (terraform output topic)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "count the dead letters and move nothing")
	fs.IntVar(&o.max, "max", 0, "move at most this many (0: all)")
	fs.IntVar(&o.batch, "batch", 100, "messages pulled at a time (1 to 1000)")
	fs.DurationVar(&o.wait, "wait", 5*time.Second, "stop once a pull finds nothing for this long")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	switch {
	case fs.NArg() > 0:
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.project == "":
		return options{}, errors.New("give -project (or set GOOGLE_CLOUD_PROJECT)")
	case o.batch < 1 || o.batch > 1000:
		return options{}, errors.New("-batch: want 1 to 1000")
	case o.max < 0:
		return options{}, errors.New("-max: want 0 (all) or more")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	c, err := pubsub.NewClient(ctx, o.project)
	if err != nil {
		return fmt.Errorf("pubsub client: %w", err)
	}
	defer c.Close()
	t, err := replay(ctx, c, o, stderr)
	t.print(stdout, o.dryRun)
	return err
}

// tally counts what a run found, by kind, destination and table.
type tally struct {
	total, moved int
	by           map[string]int
}

func (t *tally) add(attrs map[string]string) {
	if t.by == nil {
		t.by = map[string]int{}
	}
	t.total++
	dest := attrs[queue.AttrDestination]
	if dest == "" {
		dest = "main"
	}
	key := attrs[queue.AttrKind] + " " + dest
	if tab := attrs[queue.AttrTable]; tab != "" {
		key += " " + tab
	}
	t.by[key]++
}

func (t tally) print(w io.Writer, dryRun bool) {
	if dryRun {
		fmt.Fprintf(w, "%d dead letters (dry run: none moved)\n", t.total)
	} else {
		fmt.Fprintf(w, "%d dead letters moved back to the topic\n", t.moved)
	}
	keys := make([]string, 0, len(t.by))
	for k := range t.by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-40s %d\n", k, t.by[k])
	}
}

// deadLetterAttrs start the attributes Pub/Sub adds to a dead letter.
const deadLetterAttrs = "CloudPubSubDeadLetter"

// replay moves (or counts) the dead letters, batch after batch, until a
// pull finds nothing for o.wait or o.max are moved.
func replay(ctx context.Context, c *pubsub.Client, o options, progress io.Writer) (tally, error) {
	sub := fullName(o.project, "subscriptions", o.subscription)
	topic := c.Publisher(fullName(o.project, "topics", o.topic))
	defer topic.Stop()
	var t tally
	var counted []string // ack ids a dry run hands back at the end
	defer func() {
		if len(counted) > 0 {
			// Hand them back, with a context of their own: ctx may be done.
			hctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = c.SubscriptionAdminClient.ModifyAckDeadline(hctx, &pubsubpb.ModifyAckDeadlineRequest{Subscription: sub, AckIds: counted})
		}
	}()
	idle := time.Now()
	for o.max == 0 || t.total < o.max {
		n := o.batch
		if o.max > 0 {
			n = min(n, o.max-t.total)
		}
		// No deadline of our own on the pull: one that ended while the
		// answer was on its way would leave its messages leased, unseen,
		// until their ack deadline. Pub/Sub answers an empty pull by itself.
		resp, err := c.SubscriptionAdminClient.Pull(ctx, &pubsubpb.PullRequest{Subscription: sub, MaxMessages: int32(n)})
		if err != nil && ctx.Err() != nil {
			return t, ctx.Err()
		}
		if err != nil {
			return t, fmt.Errorf("pull %s: %w", sub, err)
		}
		if len(resp.ReceivedMessages) == 0 {
			if time.Since(idle) >= o.wait {
				return t, nil
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		idle = time.Now()
		msgs := resp.ReceivedMessages
		slices.SortStableFunc(msgs, func(a, b *pubsubpb.ReceivedMessage) int { return firstPublished(a).Compare(firstPublished(b)) })
		for _, m := range msgs {
			t.add(m.Message.Attributes)
		}
		if o.dryRun {
			// Keep them leased until the end, so that the next pull
			// brings others; then hand them all back.
			for _, m := range msgs {
				counted = append(counted, m.AckId)
			}
			continue
		}
		if err := move(ctx, c, topic, sub, msgs); err != nil {
			return t, err
		}
		t.moved += len(msgs)
		fmt.Fprintf(progress, "replay: %d moved\n", t.moved)
	}
	return t, nil
}

// move publishes a batch in order, then acknowledges the dead letters of
// what Pub/Sub acknowledged. A failed publish stops the run: what was not
// acknowledged stays a dead letter, for the next run.
func move(ctx context.Context, c *pubsub.Client, topic *pubsub.Publisher, sub string, msgs []*pubsubpb.ReceivedMessage) error {
	results := make([]*pubsub.PublishResult, len(msgs))
	for i, m := range msgs {
		attrs := map[string]string{}
		for k, v := range m.Message.Attributes {
			if !strings.HasPrefix(k, deadLetterAttrs) {
				attrs[k] = v
			}
		}
		if _, ok := attrs[queue.AttrPublished]; !ok {
			attrs[queue.AttrPublished] = firstPublished(m).UTC().Format(time.RFC3339Nano)
		}
		results[i] = topic.Publish(ctx, &pubsub.Message{Data: m.Message.Data, Attributes: attrs})
	}
	var acks []string
	var errs []error
	for i, r := range results {
		if _, err := r.Get(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		acks = append(acks, msgs[i].AckId)
	}
	if len(acks) > 0 {
		actx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.SubscriptionAdminClient.Acknowledge(actx, &pubsubpb.AcknowledgeRequest{Subscription: sub, AckIds: acks}); err != nil {
			errs = append(errs, fmt.Errorf("acknowledge: %w", err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("publish to %s: %d of %d not moved (they stay dead letters): %w", topic.ID(), len(msgs)-len(acks), len(msgs), errors.Join(errs...))
	}
	return nil
}

// firstPublished is when a dead letter was first published to the topic.
func firstPublished(m *pubsubpb.ReceivedMessage) time.Time {
	for _, k := range []string{queue.AttrPublished, deadLetterAttrs + "SourceTopicPublishTime"} {
		if t, err := time.Parse(time.RFC3339Nano, m.Message.Attributes[k]); err == nil {
			return t
		}
	}
	return m.Message.PublishTime.AsTime()
}

// fullName is projects/PROJECT/KIND/ID, unless name is already whole.
func fullName(project, kind, name string) string {
	if strings.HasPrefix(name, "projects/") {
		return name
	}
	return "projects/" + project + "/" + kind + "/" + name
}
