package writerfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/pstest"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
)

const queuedYAML = `
mode: queued
spreadsheet: {id: main}
privacy: {pseudonym_key: pseudonym-key}
sheet: {write_requests_per_minute: 3000, read_requests_per_minute: 3000}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
`

const pushAccount = "push@test-project.iam.gserviceaccount.com"

// queueStack is the writer behind a push pump, on Pub/Sub's fake server,
// writing to the Sheets emulator: queued mode from the topic on.
type queueStack struct {
	t       *testing.T
	emu     *gsheetstest.Server
	id      string
	ps      *pubsubtest.Server
	topic   *pubsub.Publisher
	pump    *pubsubtest.Pump
	handler *Handler
	logs    *syncBuffer
	main    *queue.Publisher
	issuer  *pubsubtest.Issuer
	url     string // the writer's
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newQueueStack starts it all; attempts is the dead-letter policy's.
func newQueueStack(t *testing.T, attempts int) *queueStack {
	t.Helper()
	ctx := t.Context()
	cfg, err := config.Parse("safeview.yaml", []byte(queuedYAML))
	if err != nil {
		t.Fatal(err)
	}
	s := &queueStack{t: t, emu: gsheetstest.NewServer(t), logs: &syncBuffer{}}
	s.id = s.emu.CreateSpreadsheet("queued", "Orders")
	cfg.Spreadsheet.ID = s.id
	svc, err := s.emu.Service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := pubsubtest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	certs := httptest.NewServer(issuer)
	t.Cleanup(certs.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	auth, err := NewAuth(ctx, srv.URL+"/", pushAccount, certs.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.handler, err = New(ctx, Deps{Config: cfg, Sheets: svc, Auth: auth, Logger: logging.New(s.logs, slog.LevelDebug),
		MaxDeliveryAttempts: attempts, PushDeadline: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", s.handler)
	s.issuer, s.url = issuer, srv.URL+"/"

	if s.ps, err = pubsubtest.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.ps.Close)
	for _, topic := range []string{"rows", "dead"} {
		if err := s.ps.CreateTopic(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	for sub, topic := range map[string]string{"writer": "rows", "dead": "dead"} {
		if err := s.ps.CreateSubscription(ctx, sub, topic, ""); err != nil {
			t.Fatal(err)
		}
	}
	s.topic = s.ps.Client.Publisher("rows")
	s.main = queue.NewPublisher(s.topic, "")
	s.pump = &pubsubtest.Pump{Server: s.ps, Subscription: "writer", DeadLetterTopic: "dead", Endpoint: srv.URL + "/",
		ServiceAccount: pushAccount, Issuer: issuer, MaxAttempts: attempts, MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond, AckDeadline: 5 * time.Second, Concurrency: 20}
	pctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.pump.Run(pctx); err != nil {
			t.Errorf("Pump.Run() error = %v", err)
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		s.topic.Stop()
	})
	return s
}

// order is a row of the Orders table at a version.
func order(id string, version int64, status, ref string) model.Row {
	return model.Row{Source: "shop", Key: id, Version: version, Insert: status == "paid", Update: true,
		Cells: []model.Cell{{Text: id}, {Text: status}, {Text: ref}}}
}

func (s *queueStack) publish(r model.Row) {
	s.t.Helper()
	if res, err := s.main.Upsert(s.t.Context(), "Orders", r); err != nil || res != model.Queued {
		s.t.Fatalf("Upsert(%s) = %q, %v, want queued", r.Key, res, err)
	}
}

// rows reads the tab as the team sees it, by order id, without the header.
func (s *queueStack) rows() map[string][]string {
	s.t.Helper()
	all, err := s.emu.Snapshot(s.id, "Orders")
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range all[min(1, len(all)):] {
		out[r[0]] = r
	}
	return out
}

// waitFor polls until done reports true, or fails after 20 s.
func (s *queueStack) waitFor(what string, done func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !done(); {
		if time.Now().After(deadline) {
			s.t.Fatalf("gave up waiting for %s; pump %+v\n%s", what, s.pump.Stats(), s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Rows pushed arrive in any order, twice over: each order ends on one
// row at its newest version, and every message is acknowledged.
func TestWriterWritesPushedRows(t *testing.T) {
	t.Parallel()
	// Attempts without end: on a machine loaded enough for five pushes
	// in a row to miss their 300 ms deadline, a message dead-lettered is
	// the machine's, not the writer's.
	s := newQueueStack(t, 1000)
	for _, r := range []model.Row{
		order("1", 2, "paid", "c_a"), order("1", 1, "paid", "c_a"), order("2", 1, "paid", "c_b"),
		order("2", 1, "paid", "c_b"), order("3", 1, "pending", "c_c"),
	} {
		s.publish(r)
	}
	s.waitFor("5 messages acknowledged", func() bool { return s.pump.Stats().Acked == 5 })
	rows := s.rows()
	if len(rows) != 2 || rows["1"][3] != "shop:2" || rows["2"][3] != "shop:1" {
		t.Errorf("rows = %v, want order 1 at version 2 and order 2 at version 1", rows)
	}
	// A push may fail once on a busy machine (its 300 ms deadline) and
	// be delivered again: each message is still acknowledged once.
	time.Sleep(100 * time.Millisecond)
	if st := s.pump.Stats(); st.Acked != 5 || st.DeadLettered != 0 {
		t.Errorf("pump = %+v, want 5 messages acknowledged once, none dead-lettered", st)
	}
}

// While the spreadsheet answers 503, pushes fail and are delivered again
// with backoff; once it is back, every row lands.
func TestWriterOutlivesAnOutage(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 1000)
	s.emu.FailRandomly(func(string) bool { return true }, 1, gsheetstest.FaultUnavailable)
	for i := range 10 {
		s.publish(order(string(rune('a'+i)), 1, "paid", "c_x"))
	}
	s.waitFor("failed pushes", func() bool { return s.pump.Stats().Failed >= 20 })
	if n := len(s.rows()); n != 0 {
		t.Fatalf("%d rows written during the outage", n)
	}
	s.emu.ClearFaults()
	s.waitFor("10 messages acknowledged", func() bool { return s.pump.Stats().Acked == 10 })
	if n := len(s.rows()); n != 10 {
		t.Errorf("%d rows after the outage, want 10", n)
	}
}

// A message that fails its every attempt goes to the dead-letter topic,
// whole, with Pub/Sub's attributes.
func TestWriterDeadLetters(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 3)
	s.emu.FailRandomly(func(string) bool { return true }, 1, gsheetstest.FaultUnavailable)
	s.publish(order("9", 1, "paid", "c_x"))
	s.waitFor("a dead letter", func() bool { return s.pump.Stats().DeadLettered == 1 })
	if st := s.pump.Stats(); st.Pushes != 3 || st.Acked != 0 {
		t.Errorf("pump = %+v, want 3 pushes, none acknowledged", st)
	}
	var dead []*pstest.Message
	for _, m := range s.ps.Fake.Messages() {
		if m.Attributes[pubsubtest.AttrDeadLetterDeliveryCount] != "" {
			dead = append(dead, m)
		}
	}
	if len(dead) != 1 || dead[0].Attributes[pubsubtest.AttrDeadLetterDeliveryCount] != "3" || dead[0].Attributes[queue.AttrKind] != queue.KindRow {
		t.Fatalf("dead letters = %+v, want the row once, after 3 attempts", dead)
	}
	if m, err := queue.Decode(dead[0].Data); err != nil || m.Row.Key != "9" {
		t.Errorf("dead letter = %+v, %v, want order 9", m, err)
	}
}

// An erasure published after a row applies after it, even when the row
// is held up (its writes fail) and the request could go first: the
// request waits, then clears the row. Without the hold, the request would
// find nothing to clear and the row would land with its pseudonym.
func TestWriterAppliesRequestsAfterEarlierRows(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 1000)
	// A first row sets the tab up: then a request that finds nothing
	// writes nothing, and would go through while writes fail.
	s.publish(order("1", 1, "paid", "c_other"))
	s.waitFor("the first row", func() bool { return s.pump.Stats().Acked == 1 })
	s.emu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	s.publish(order("77", 1, "paid", "c_erase_me"))
	s.waitFor("the row's first failed push", func() bool { return s.pump.Stats().Failed >= 1 })
	sel := []model.Select{{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_erase_me"}}}, Sources: []string{"shop"}}}
	if _, err := s.main.Apply(t.Context(), model.Clear, sel); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the request is pushed meanwhile, more than once
	s.emu.ClearFaults()
	s.waitFor("every message acknowledged", func() bool { return s.pump.Stats().Acked == 3 })
	row := s.rows()["77"]
	if len(row) < 3 || row[1] != "paid" || row[2] != "" {
		t.Errorf("order 77 = %q, want it paid, its customer_ref cleared", row)
	}
	if !strings.Contains(s.logs.String(), `"action":"clear","rows":1`) {
		t.Errorf("no log line of the request clearing 1 row:\n%s", s.logs.String())
	}
}

// A request waits for its settle time: a row published just before it
// may not have been pushed yet.
func TestWriterSettlesRequests(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	h := &Handler{settle: 10 * time.Second, now: func() time.Time { return now }, hold: newHold()}
	push := queue.Push{Message: queue.PushMessage{MessageID: "1", PublishTime: now.Add(-3 * time.Second)}}
	m := queue.Message{Kind: queue.KindRequest, Action: model.Count}
	if _, err := h.request(t.Context(), nil, push, m); err == nil || !strings.Contains(err.Error(), "settles after 10s") {
		t.Errorf("request() of a 3 s old request error = %v, want it held", err)
	}
	h.hold.begin("0", "", now.Add(-time.Minute), now)
	push.Message.PublishTime = now.Add(-20 * time.Second)
	if _, err := h.request(t.Context(), nil, push, m); err == nil || !strings.Contains(err.Error(), "1 rows") {
		t.Errorf("request() behind a pending row error = %v, want it held", err)
	}
}

// A request waits while its destination's backlog, in Pub/Sub, reaches
// back before it: the rows pushed lately were published before it. It
// goes once rows published after it are pushed, or once the destination
// is quiet (no backlog: Pub/Sub would be pushing it).
func TestWriterHoldsRequestsBehindABacklog(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	h := &Handler{settle: 10 * time.Second, now: func() time.Time { return now }, hold: newHold()}
	req := now.Add(-time.Minute) // published a minute ago
	push := queue.Push{Message: queue.PushMessage{MessageID: "req", PublishTime: req}}
	m := queue.Message{Kind: queue.KindRequest, Destination: "compta", Action: model.Count}
	written := func(i int, published time.Time) {
		id := fmt.Sprint(i)
		h.hold.begin(id, "compta", published, now)
		h.hold.end(id, true)
	}
	// A backlog of 5 minutes: the rows pushed now were published 5
	// minutes ago, 3 of the last 31 out of order, after the request.
	for i := range 31 {
		p := now.Add(-5*time.Minute + time.Duration(i)*time.Second)
		if i%10 == 0 {
			p = now.Add(-time.Second)
		}
		written(i, p)
	}
	if _, err := h.request(t.Context(), nil, push, m); err == nil || !strings.Contains(err.Error(), "backlog reaches back before it") {
		t.Errorf("request() behind a backlog error = %v, want it held", err)
	}
	// Another destination's backlog holds nothing back here.
	if h.hold.behind("lyon", req, now) {
		t.Error("behind(lyon), whose rows are all pushed, = true, want false")
	}
	// The backlog passes the request: rows published after it.
	for i := range 20 {
		written(100+i, req.Add(time.Duration(i)*time.Second))
	}
	if h.hold.behind("compta", req, now) {
		t.Error("behind() once the rows pushed were published after the request = true, want false")
	}
	// A quiet destination has no backlog.
	for i := range 31 {
		written(200+i, now.Add(-5*time.Minute))
	}
	if !h.hold.behind("compta", req, now) {
		t.Error("behind() with a backlog again = false, want true")
	}
	if h.hold.behind("compta", req, now.Add(lately)) {
		t.Error("behind() of a destination quiet for 10 s = true, want false")
	}
	// Sparse rows, pushed as they come: the old ones pushed long ago say
	// nothing of a backlog.
	h.hold = newHold()
	for i := range 31 {
		at := now.Add(-time.Duration(31-i) * 2 * time.Second)
		h.hold.begin(fmt.Sprint(300+i), "compta", at.Add(-100*time.Millisecond), at)
	}
	if h.hold.behind("compta", now.Add(-10*time.Second), now) {
		t.Error("behind() of a row every 2 s, pushed at once = true, want false")
	}
}

// push delivers one message to the writer as Pub/Sub would, and returns
// the answer's status.
func (s *queueStack) push(m queue.Message, id string, published time.Time) int {
	s.t.Helper()
	data, attrs, err := queue.Encode(m)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := json.Marshal(queue.Push{Message: queue.PushMessage{Data: data, Attributes: attrs, MessageID: id, PublishTime: published},
		Subscription: "projects/p/subscriptions/writer", DeliveryAttempt: 1})
	token, err := s.issuer.Token(s.url, pushAccount)
	if err != nil {
		s.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// pushUntilWritten pushes m again, as Pub/Sub would, while the writer
// answers 503 (its push deadline is 300 ms: a busy machine may miss it),
// and returns the last status.
func (s *queueStack) pushUntilWritten(m queue.Message, id string, published time.Time) int {
	s.t.Helper()
	got := 0
	for range 50 {
		if got = s.push(m, id, published); got != http.StatusServiceUnavailable {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	return got
}

// The same, step by step: a request pushed while a row published before
// it is failing is answered 429 (delivered again later), and applied once
// the row is written.
func TestWriterHoldsRequestsBehindFailingRows(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 1000)
	t0 := time.Now().Add(-time.Minute)
	row := queue.Message{Kind: queue.KindRow, Table: "Orders", Row: order("77", 1, "paid", "c_erase_me")}
	clear := queue.Message{Kind: queue.KindRequest, Action: model.Clear, Select: []model.Select{
		{Tab: "Orders", Any: []model.Cells{{Header: "customer_ref", Values: []string{"c_erase_me"}}}, Sources: []string{"shop"}}}}
	if got := s.pushUntilWritten(queue.Message{Kind: queue.KindRow, Table: "Orders", Row: order("1", 1, "paid", "c_x")}, "r0", t0); got != http.StatusOK {
		t.Fatalf("first row: status %d, want 200", got)
	}
	s.emu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	if got := s.push(row, "r1", t0.Add(time.Second)); got != http.StatusServiceUnavailable {
		t.Fatalf("row during the outage: status %d, want 503", got)
	}
	if got := s.push(clear, "q1", t0.Add(2*time.Second)); got != http.StatusTooManyRequests {
		t.Fatalf("request behind the failing row: status %d, want 429", got)
	}
	s.emu.ClearFaults()
	// The sink may still be backing off from the outage.
	if got := s.pushUntilWritten(row, "r1", t0.Add(time.Second)); got != http.StatusOK {
		t.Fatalf("row after the outage: status %d, want 200", got)
	}
	// Its destination was just pushed rows published before it (the two
	// above, pushed a minute late): it may be behind a backlog, and the
	// request waits until that is 10 s old (hold.behind).
	got := 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if got = s.push(clear, "q1", t0.Add(2*time.Second)); got != http.StatusTooManyRequests {
			break
		}
	}
	if got != http.StatusOK {
		t.Fatalf("request after the row: status %d, want 200", got)
	}
	if row := s.rows()["77"]; len(row) < 3 || row[2] != "" {
		t.Errorf("order 77 = %q, want its customer_ref cleared", row)
	}
}

// What the writer cannot write is never acknowledged: a malformed message
// (400) or one for a destination the configuration lacks (500) is
// delivered again, then dead-lettered for a person to look at.
func TestWriterRefusesWhatItCannotWrite(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 5)
	if got := s.push(queue.Message{Kind: queue.KindRow, Destination: "gone", Table: "Orders", Row: order("1", 1, "paid", "")}, "x1", time.Now()); got != http.StatusInternalServerError {
		t.Errorf("row for an unknown destination: status %d, want 500", got)
	}
	token, _ := s.issuer.Token(s.url, pushAccount)
	for _, body := range []string{`{"message":{"data":"bm90IGpzb24=","messageId":"1","publishTime":"2026-12-05T10:00:00Z"}}`, `[]`} {
		req, _ := http.NewRequest(http.MethodPost, s.url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("push %s: status %d, want 400", body, resp.StatusCode)
		}
	}
	if n := len(s.rows()); n != 0 {
		t.Errorf("%d rows written, want none", n)
	}
}
