package deadletter

import (
	"bytes"
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
	ps, err := pubsubtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for _, topic := range []string{"rows", "dead"} {
		if err := ps.CreateTopic(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	for sub, topic := range map[string]string{"w-main": "rows", "w-lyon": "rows", "dead": "dead"} {
		filter := ""
		switch sub {
		case "w-main":
			filter = queue.Filter("")
		case "w-lyon":
			filter = queue.Filter("lyon")
		}
		if err := ps.CreateSubscription(ctx, sub, topic, filter); err != nil {
			t.Fatal(err)
		}
	}
	dead := ps.Client.Publisher("dead")
	defer dead.Stop()
	for _, d := range []string{"lyon", "gone", queue.MainDestination, "", "gone"} {
		attrs := map[string]string{queue.AttrKind: queue.KindRow, queue.AttrDestination: d}
		if _, err := dead.Publish(ctx, &pubsub.Message{Data: []byte("{}"), Attributes: attrs}).Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
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
	ps, err := pubsubtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for _, topic := range []string{"rows", "dead"} {
		if err := ps.CreateTopic(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	if err := ps.CreateSubscription(ctx, "w-main", "rows", queue.Filter("")); err != nil {
		t.Fatal(err)
	}
	// Leases of 10 s (Pub/Sub's least), shorter than the run's wait.
	if _, err := ps.Client.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: pubsubtest.SubscriptionName("dead"), Topic: pubsubtest.TopicName("dead"), AckDeadlineSeconds: 10}); err != nil {
		t.Fatal(err)
	}
	dead := ps.Client.Publisher("dead")
	defer dead.Stop()
	for _, d := range []string{"gone", "gone", queue.MainDestination} {
		attrs := map[string]string{queue.AttrKind: queue.KindRow, queue.AttrDestination: d}
		if _, err := dead.Publish(ctx, &pubsub.Message{Data: []byte("{}"), Attributes: attrs}).Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
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
