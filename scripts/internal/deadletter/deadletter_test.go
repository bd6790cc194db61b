package deadletter

import (
	"bytes"
	"cmp"
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
)

// A dead letter whose destination no subscription of the topic takes (a
// destination removed or renamed since) stays in the dead-letter topic,
// counted by destination: published, it would reach nobody. The others
// move, the main spreadsheet's whatever its attribute says.
func TestMoveLeavesWhatNoSubscriptionTakes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ps := withDeadLetters(ctx, t, 60, []string{"", "lyon"}, "lyon", "gone", queue.MainDestination, "", "gone")
	tally, err := Move(ctx, ps.Client, Options{Project: pubsubtest.Project, Subscription: "dead", Topic: "rows", Wait: 500 * time.Millisecond}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if tally.Moved != 3 || tally.Unrouted["gone"] != 2 || len(tally.Unrouted) != 1 {
		t.Errorf("tally %+v, want 3 moved, 2 of destination gone left", tally)
	}
	var out bytes.Buffer
	tally.Print(&out, false)
	if !strings.Contains(out.String(), "left: 2 of destination gone") {
		t.Errorf("Print = %q, want the 2 left named by destination", out.String())
	}
	// The two of gone are still dead letters, available again.
	again, err := Move(ctx, ps.Client, Options{Project: pubsubtest.Project, Subscription: "dead", Topic: "rows", Wait: 500 * time.Millisecond, DryRun: true}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unrouted["gone"] != 2 || again.Total != 0 {
		t.Errorf("second run %+v, want the 2 of gone still there, nothing else", again)
	}
}

// What a run keeps leased (a dry run's count, the unrouted) comes back
// when its lease ends: counted once, and the run still ends once nothing
// new comes for its wait.
func TestMoveEndsWhenLeasesComeBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Leases of 10 s (Pub/Sub's least), shorter than the run's wait.
	ps := withDeadLetters(ctx, t, 10, []string{""}, "gone", "gone", queue.MainDestination)
	for _, dry := range []bool{true, false} {
		tally, err := Move(ctx, ps.Client, Options{Project: pubsubtest.Project, Subscription: "dead", Topic: "rows", Wait: 12 * time.Second, DryRun: dry}, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("dry run %v: %v (a run that never ends meets the test's deadline)", dry, err)
		}
		want := Tally{Total: 1, Unrouted: map[string]int{"gone": 2}}
		if !dry {
			want.Moved = 1
		}
		if tally.Total != want.Total || tally.Moved != want.Moved || tally.Unrouted["gone"] != 2 {
			t.Errorf("dry run %v: tally %+v, want %+v", dry, tally, want)
		}
	}
}

// withDeadLetters starts a fake Pub/Sub with the topic rows, a
// subscription of it for each destination of subscribed ("" the main
// spreadsheet, filtered as queue.Filter says), and the dead-letter topic
// dead, whose subscription leases for lease seconds, holding a dead
// letter of each destination attribute of dead, in order.
func withDeadLetters(ctx context.Context, t *testing.T, lease int32, subscribed []string, dead ...string) *pubsubtest.Server {
	t.Helper()
	ps, err := pubsubtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	for _, topic := range []string{"rows", "dead"} {
		if err := ps.CreateTopic(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range subscribed {
		if err := ps.CreateSubscription(ctx, "w-"+cmp.Or(d, queue.MainDestination), "rows", queue.Filter(d)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ps.Client.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: pubsubtest.SubscriptionName("dead"), Topic: pubsubtest.TopicName("dead"), AckDeadlineSeconds: lease}); err != nil {
		t.Fatal(err)
	}
	pub := ps.Client.Publisher("dead")
	defer pub.Stop()
	for _, d := range dead {
		attrs := map[string]string{queue.AttrKind: queue.KindRow, queue.AttrDestination: d}
		if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte("{}"), Attributes: attrs}).Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}
