package deadletter

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"

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
