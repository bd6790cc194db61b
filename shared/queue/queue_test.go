package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
	"github.com/safeview/safeview/shared/view"
)

var _ view.Destination = (*queue.Publisher)(nil)

var row = model.Row{Source: "shop", Key: "1001", Version: 42, Insert: true, Update: true, Cells: []model.Cell{
	{Text: "1001"}, {Number: "61.80", FormatType: "CURRENCY", FormatPattern: `#,##0.00 "EUR"`}, {Text: "c_9vackap"}, {},
}}

// A message reads back as it was written, rows and requests alike.
func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	for _, m := range []queue.Message{
		{Kind: queue.KindRow, Destination: "", Table: "Orders", Row: row},
		{Kind: queue.KindRow, Destination: "vancouver", Table: "Orders", Row: model.Row{Source: "shop", Key: "7", Version: 3, Leave: true, Cells: []model.Cell{}}},
		{Kind: queue.KindRequest, Destination: "vancouver", Action: model.Clear, Select: []model.Select{
			{Tab: "Orders", Keys: []string{"1001"}, Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_9vackap"}}}, Sources: []string{"shop"}}}},
		{Kind: queue.KindRequest, Action: model.Delete, Select: []model.Select{{Tab: "Orders", All: true, Sources: []string{"shop"}, Before: 9}}},
	} {
		data, attrs, err := queue.Encode(m)
		if err != nil {
			t.Fatalf("Encode(%+v) error = %v", m, err)
		}
		got, err := queue.Decode(data)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) error = %v", m, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("Decode(Encode()) (-want +got):\n%s", diff)
		}
		dest := m.Destination
		if dest == "" {
			dest = queue.MainDestination
		}
		if attrs[queue.AttrKind] != m.Kind || attrs[queue.AttrDestination] != dest || attrs[queue.AttrTable] != m.Table {
			t.Errorf("attributes = %v, want the kind, destination (%s for the main spreadsheet) and table", attrs, queue.MainDestination)
		}
	}
}

// What is not a message of this format is refused with ErrMalformed, and
// the error never quotes the data.
func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		``, `{}`, `not json secret@example.com`,
		`{"v":2,"kind":"row","destination":"","table":"Orders","row":{"source":"s","key":"1","version":1,"cells":[]}}`,
		`{"v":1,"kind":"row","destination":"","row":{"source":"s","key":"1","version":1,"cells":[]}}`,
		`{"v":1,"kind":"row","destination":"","table":"Orders","row":{"source":"s","key":"","version":1,"cells":[]}}`,
		`{"v":1,"kind":"request","destination":"","action":"drop"}`,
		`{"v":1,"kind":"party","destination":""}`,
		`{"v":1,"kind":"row","destination":"","table":"Orders","payload":"secret@example.com","row":{"source":"s","key":"1","version":1,"cells":[]}}`,
	} {
		_, err := queue.Decode([]byte(data))
		if !errors.Is(err, queue.ErrMalformed) {
			t.Errorf("Decode(%q) error = %v, want ErrMalformed", data, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret@") {
			t.Errorf("Decode(%q) error %q quotes the data", data, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	data, _, _ := queue.Encode(queue.Message{Kind: queue.KindRow, Table: "Orders", Row: row})
	f.Add(data)
	f.Add([]byte(`{"v":1,"kind":"request","destination":"","action":"clear","select":[{"Tab":"Orders","All":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := queue.Decode(data)
		if err != nil {
			return
		}
		again, _, err := queue.Encode(m)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)) error = %v", data, err)
		}
		if m2, err := queue.Decode(again); err != nil || !cmp.Equal(m, m2) {
			t.Fatalf("a decoded message does not survive a round trip: %v", err)
		}
	})
}

// A push delivery's envelope, as Pub/Sub sends it; a replayed message
// keeps its first publish time.
func TestParsePush(t *testing.T) {
	t.Parallel()
	body := `{"message":{"attributes":{"kind":"row"},"data":"eyJ2IjoxfQ==","messageId":"136969346945","message_id":"136969346945",` +
		`"publishTime":"2026-12-05T10:00:00.123456789Z","publish_time":"2026-12-05T10:00:00.123456789Z"},` +
		`"subscription":"projects/p/subscriptions/s","deliveryAttempt":5}`
	p, err := queue.ParsePush([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 5, 10, 0, 0, 123456789, time.UTC)
	if string(p.Message.Data) != `{"v":1}` || p.DeliveryAttempt != 5 || p.Message.MessageID != "136969346945" || !p.Published().Equal(want) {
		t.Errorf("ParsePush() = %+v, published %v", p, p.Published())
	}
	p.Message.Attributes[queue.AttrPublished] = "2026-12-01T08:00:00Z"
	if got := p.Published(); !got.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Published() of a replayed message = %v, want its first publish time", got)
	}
	for _, bad := range []string{`[]`, `{"message":{"data":"e30="}}`, `{"message":{"messageId":"1"}}`} {
		if _, err := queue.ParsePush([]byte(bad)); !errors.Is(err, queue.ErrMalformed) {
			t.Errorf("ParsePush(%q) error = %v, want ErrMalformed", bad, err)
		}
	}
}

// The publisher answers queued once Pub/Sub has the message, and what it
// published is the row the destination is to receive.
func TestPublisher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ps, err := pubsubtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	if err := ps.CreateTopic(ctx, "rows"); err != nil {
		t.Fatal(err)
	}
	topic := ps.Client.Publisher("rows")
	t.Cleanup(topic.Stop)
	p := queue.NewPublisher(topic, "vancouver")
	if res, err := p.Upsert(ctx, "Orders", row); err != nil || res != model.Queued {
		t.Fatalf("Upsert() = %q, %v, want queued", res, err)
	}
	if _, err := p.Apply(ctx, model.Clear, []model.Select{{Tab: "Orders", Keys: []string{"1001"}}}); err != nil {
		t.Fatal(err)
	}
	msgs := ps.Fake.Messages()
	if len(msgs) != 2 || p.Stats().Rows != 2 {
		t.Fatalf("%d messages published, stats %+v, want 2", len(msgs), p.Stats())
	}
	got, err := queue.Decode(msgs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(queue.Message{Kind: queue.KindRow, Destination: "vancouver", Table: "Orders", Row: row}, got); diff != "" {
		t.Errorf("published row (-want +got):\n%s", diff)
	}

	// A topic that is not there: the platform is to retry.
	gone := queue.NewPublisher(ps.Client.Publisher("missing"), "")
	if _, err := gone.Upsert(ctx, "Orders", row); !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("Upsert() to a missing topic error = %v, want ErrUnavailable", err)
	}
}

// The main spreadsheet's attribute is the name no destination may take.
func TestMainDestinationIsConfigsMainName(t *testing.T) {
	t.Parallel()
	if queue.MainDestination != config.MainName {
		t.Errorf("queue.MainDestination = %q, config.MainName = %q: want the same", queue.MainDestination, config.MainName)
	}
}
