// Package deadletter moves the dead letters of queued mode back to the
// topic the writer drains (scripts/replay, and the benchmark's outage
// run): each is published again with its data and attributes, less those
// Pub/Sub added when it dead-lettered it, plus queue.AttrPublished, its
// first publish time, and queue.AttrReplay, the run's id; and the dead
// letter is acknowledged only once Pub/Sub acknowledged its copy, so that
// a run stopped anywhere leaves the rest for the next one.
package deadletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/iterator"

	"github.com/safeview/safeview/shared/queue"
)

// Options say what to move, and how.
type Options struct {
	Project      string
	Subscription string // the dead letters', an id or a full name
	Topic        string // the writer's, an id or a full name
	DryRun       bool   // count, move nothing
	Max          int    // 0: all
	Batch        int    // pulled at a time, 1 to 1000
	// Wait ends the run once a pull has found nothing for this long.
	Wait time.Duration
}

// Tally counts what a run found, by kind, destination and table.
type Tally struct {
	Total, Moved int
	By           map[string]int
	// Again counts the dead letters seen that this run had moved (handed
	// back, not moved again): the run stopped there.
	Again int
	// Unrouted counts, by destination, the dead letters left where they
	// are because no subscription of the topic takes their destination
	// (removed or renamed since): published, they would reach nobody.
	Unrouted map[string]int
}

func (t *Tally) add(attrs map[string]string) {
	if t.By == nil {
		t.By = map[string]int{}
	}
	t.Total++
	key := attrs[queue.AttrKind] + " " + destinationOf(attrs)
	if tab := attrs[queue.AttrTable]; tab != "" {
		key += " " + tab
	}
	t.By[key]++
}

// Print writes the tally: the count, then a line per kind, destination
// and table; never a cell.
func (t Tally) Print(w io.Writer, dryRun bool) {
	if dryRun {
		fmt.Fprintf(w, "%d dead letters (dry run: none moved)\n", t.Total)
	} else {
		fmt.Fprintf(w, "%d dead letters moved back to the topic\n", t.Moved)
	}
	if t.Again > 0 {
		fmt.Fprintf(w, "stopped: %d came back dead while this run moved them; fix what fails them, then run again\n", t.Again)
	}
	for _, d := range slices.Sorted(maps.Keys(t.Unrouted)) {
		fmt.Fprintf(w, "left: %d of destination %s, which no subscription of the topic takes (removed or renamed?); put it back in the configuration and apply, then run again\n", t.Unrouted[d], d)
	}
	keys := make([]string, 0, len(t.By))
	for k := range t.By {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-40s %d\n", k, t.By[k])
	}
}

// deadLetterAttrs start the attributes Pub/Sub adds to a dead letter.
const deadLetterAttrs = "CloudPubSubDeadLetter"

// Move moves (or, with DryRun, counts) the dead letters, batch after
// batch, until a pull finds nothing for o.Wait or o.Max are seen; its
// progress goes to progress.
//
// A move stops at the first dead letter it moved itself (its
// queue.AttrReplay is this run's id), and hands it back: while the cause
// persists, what it moved comes back dead after its attempts, and moving
// it again would go on for ever. The next run moves it, once the cause
// is fixed. The run's id, not a time, tells them apart: the local clock
// and Pub/Sub's need not agree.
func Move(ctx context.Context, c *pubsub.Client, o Options, progress io.Writer) (Tally, error) {
	run := strconv.FormatUint(rand.Uint64(), 36)
	if o.Batch == 0 {
		o.Batch = 100
	}
	sub := fullName(o.Project, "subscriptions", o.Subscription)
	topicName := fullName(o.Project, "topics", o.Topic)
	routed, err := routes(ctx, c, topicName)
	if err != nil {
		return Tally{}, err
	}
	topic := c.Publisher(topicName)
	defer topic.Stop()
	var t Tally
	var counted []string      // ack ids handed back at the end: a dry run's, and the unrouted
	seen := map[string]bool{} // message ids counted and kept (dry run, unrouted)
	defer func() {
		if len(counted) > 0 {
			_ = handBack(c, sub, counted)
		}
	}()
	idle := time.Now()
	for o.Max == 0 || t.Total < o.Max {
		n := o.Batch
		if o.Max > 0 {
			n = min(n, o.Max-t.Total)
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
			if time.Since(idle) >= o.Wait {
				return t, nil
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		// What a run keeps leased comes back when its lease ends (the
		// subscription's ack deadline, 60 s): counted once, and no reason
		// to go on, or a long run would never end.
		var msgs []*pubsubpb.ReceivedMessage
		for _, m := range resp.ReceivedMessages {
			if seen[m.Message.MessageId] {
				counted = append(counted, m.AckId)
				continue
			}
			msgs = append(msgs, m)
		}
		if len(msgs) == 0 {
			if time.Since(idle) >= o.Wait {
				return t, nil
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		idle = time.Now()
		if !o.DryRun {
			var again []string
			msgs = slices.DeleteFunc(msgs, func(m *pubsubpb.ReceivedMessage) bool {
				if m.Message.Attributes[queue.AttrReplay] == run {
					again = append(again, m.AckId)
					return true
				}
				return false
			})
			if len(again) > 0 {
				t.Again = len(again)
				if err := handBack(c, sub, again); err != nil {
					fmt.Fprintf(progress, "replay: %d stay leased until their ack deadline: %v\n", len(again), err)
				}
			}
		}
		// Kept leased until the end, like a dry run's: handed back now,
		// the next pull would bring them again.
		msgs = slices.DeleteFunc(msgs, func(m *pubsubpb.ReceivedMessage) bool {
			if routed(m.Message.Attributes) {
				return false
			}
			counted = append(counted, m.AckId)
			seen[m.Message.MessageId] = true
			if t.Unrouted == nil {
				t.Unrouted = map[string]int{}
			}
			t.Unrouted[destinationOf(m.Message.Attributes)]++
			return true
		})
		slices.SortStableFunc(msgs, func(a, b *pubsubpb.ReceivedMessage) int { return firstPublished(a).Compare(firstPublished(b)) })
		for _, m := range msgs {
			t.add(m.Message.Attributes)
		}
		if o.DryRun {
			// Keep them leased until the end, so that the next pull
			// brings others; then hand them all back.
			for _, m := range msgs {
				counted = append(counted, m.AckId)
				seen[m.Message.MessageId] = true
			}
			continue
		}
		if len(msgs) > 0 {
			if err := move(ctx, c, topic, sub, run, msgs); err != nil {
				return t, err
			}
			t.Moved += len(msgs)
			fmt.Fprintf(progress, "replay: %d moved\n", t.Moved)
		}
		if t.Again > 0 {
			return t, nil
		}
	}
	return t, nil
}

// destinationOf names a message's destination in the tally: main for
// the main spreadsheet.
func destinationOf(attrs map[string]string) string {
	return cmp.Or(queue.DestinationOf(attrs), queue.MainDestination)
}

// routes reads the topic's subscriptions and reports whether one of them
// takes a message of these attributes: one without a filter, or with the
// filter queue.Filter gives its destination (Terraform writes the same).
func routes(ctx context.Context, c *pubsub.Client, topic string) (func(map[string]string) bool, error) {
	filters := map[string]bool{}
	it := c.TopicAdminClient.ListTopicSubscriptions(ctx, &pubsubpb.ListTopicSubscriptionsRequest{Topic: topic})
	for {
		name, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list the subscriptions of %s (replay needs roles/pubsub.viewer to see where each dead letter would go): %w", topic, err)
		}
		s, err := c.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: name})
		if err != nil {
			return nil, fmt.Errorf("read subscription %s (replay needs roles/pubsub.viewer): %w", name, err)
		}
		filters[squeeze(s.Filter)] = true
	}
	return func(attrs map[string]string) bool {
		return filters[""] || filters[squeeze(queue.Filter(queue.DestinationOf(attrs)))]
	}, nil
}

// squeeze drops a filter's spaces: Pub/Sub may give back a filter spaced
// otherwise than it was written.
func squeeze(filter string) string {
	return strings.Join(strings.Fields(filter), "")
}

// handBack makes leased messages available again at once, with a
// context of its own: the run's may be done.
func handBack(c *pubsub.Client, sub string, ackIDs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.SubscriptionAdminClient.ModifyAckDeadline(ctx, &pubsubpb.ModifyAckDeadlineRequest{Subscription: sub, AckIds: ackIDs})
}

// move publishes a batch in order, then acknowledges the dead letters of
// what Pub/Sub acknowledged. A failed publish stops the run: what was not
// acknowledged stays a dead letter, for the next run.
func move(ctx context.Context, c *pubsub.Client, topic *pubsub.Publisher, sub, run string, msgs []*pubsubpb.ReceivedMessage) error {
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
		attrs[queue.AttrReplay] = run
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
