package pubsubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
)

// Pump delivers the messages of a subscription to an HTTP endpoint as
// Pub/Sub's push delivery does for a push subscription with a retry
// policy and a dead-letter policy:
//
//   - each message is POSTed alone, wrapped in Pub/Sub's envelope
//     ({"message": {"data", "attributes", "messageId", "publishTime"},
//     "subscription", "deliveryAttempt"}), with an OIDC token of the push
//     service account for the audience in its Authorization header;
//   - a 2xx answer within the ack deadline acknowledges it; anything else,
//     or no answer in time, has it delivered again after an exponential
//     backoff, from MinBackoff doubling up to MaxBackoff;
//   - after MaxAttempts failed deliveries it is published to the
//     dead-letter topic, with the attributes Pub/Sub adds there, and
//     acknowledged.
//
// Concurrency bounds the pushes in flight, as Pub/Sub's push flow control
// and the writer's request concurrency do. A Pump may deliver several
// subscriptions of a topic to one endpoint, as queued mode's one
// subscription per destination (each filtered on the destination): each
// then has its own window of Concurrency over their number (at least 1,
// so more subscriptions than Concurrency push more at once), so that one
// subscription's backlog never waits in front of another's. Pub/Sub
// widens a subscription's window while its pushes succeed and narrows it
// when they fail; the even split is where that settles when every
// destination is busy.
type Pump struct {
	Server *Server
	// Subscription is the id of the one subscription delivered, or
	// Subscriptions the ids of several.
	Subscription    string
	Subscriptions   []string
	DeadLetterTopic string // id; "" keeps retrying for ever
	Endpoint        string // the URL pushed to
	Audience        string // of the tokens; default Endpoint
	ServiceAccount  string // the email in the tokens
	Issuer          *Issuer
	MaxAttempts     int           // default 20
	MinBackoff      time.Duration // default 10s
	MaxBackoff      time.Duration // default 600s
	AckDeadline     time.Duration // default 60s
	Concurrency     int           // default 100
	// Streams is the StreamingPull streams the pump pulls with (default
	// 16). pstest hands each stream at most one message every 10 ms, so
	// that one stream, the client's default, delivers about 100 messages
	// a second however many pushes may be in flight: a backlog that real
	// Pub/Sub, which scales its pushes, does not have.
	Streams int
	// Hold takes each message off the fake server as soon as it is
	// pulled (acknowledges it there) and keeps it in the pump until the
	// endpoint acknowledges it or it is dead-lettered, as Pub/Sub keeps a
	// backlog. pstest scans every message it holds every 10 ms under one
	// lock, and evaluates each subscription's filter on each: with a
	// backlog of 200,000 (60,000 events a minute for a minute, four
	// destinations over their capacity), its publishes took seconds and
	// it handed each subscription about 120 messages a second. A message
	// held when the pump stops (Run returns) is lost: Dropped counts them.
	// For the benchmark; tests keep pstest's leases.
	Hold bool
	// OnDone, when set, is called as a message is settled, before its
	// acknowledgement: written (status is the 2xx that did it) or
	// dead-lettered (the last failed status, 0 for no answer). Whoever
	// sees it acknowledged finds it recorded.
	OnDone func(m *pubsub.Message, status, attempts int, deadLettered bool)

	mu    sync.Mutex
	stats PumpStats
}

// PumpStats count what a Pump did.
type PumpStats struct {
	Pushes       int // HTTP requests
	Acked        int // messages acknowledged by a 2xx
	Failed       int // pushes answered otherwise, or not in time
	DeadLettered int // messages moved to the dead-letter topic
	Holding      int // messages held (Hold) and not yet settled
	Dropped      int // messages held when the pump stopped, lost
}

// Stats returns the counts so far.
func (p *Pump) Stats() PumpStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *Pump) count(f func(*PumpStats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// Attributes Pub/Sub adds to a dead letter.
const (
	AttrDeadLetterDeliveryCount = "CloudPubSubDeadLetterSourceDeliveryCount"
	AttrDeadLetterSubscription  = "CloudPubSubDeadLetterSourceSubscription"
	AttrDeadLetterProject       = "CloudPubSubDeadLetterSourceSubscriptionProject"
	AttrDeadLetterPublishTime   = "CloudPubSubDeadLetterSourceTopicPublishTime"
)

// Backoff is the wait before the delivery that follows failed attempt n
// (from 1): lo doubled n-1 times, at most hi.
func Backoff(n int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// Run delivers until ctx ends. Messages being retried then are left
// unacknowledged (nacked), as when a push subscription is detached.
func (p *Pump) Run(ctx context.Context) error {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 20
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = 10 * time.Second
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 600 * time.Second
	}
	if p.AckDeadline == 0 {
		p.AckDeadline = 60 * time.Second
	}
	if p.Concurrency == 0 {
		p.Concurrency = 100
	}
	if p.Streams == 0 {
		p.Streams = 16
	}
	if p.Audience == "" {
		p.Audience = p.Endpoint
	}
	client := &http.Client{Timeout: p.AckDeadline, Transport: &http.Transport{MaxIdleConnsPerHost: p.Concurrency}}
	var dead *pubsub.Publisher
	if p.DeadLetterTopic != "" {
		dead = p.Server.Client.Publisher(p.DeadLetterTopic)
		defer dead.Stop()
	}
	subs := p.Subscriptions
	if len(subs) == 0 {
		subs = []string{p.Subscription}
	}
	window := max(1, p.Concurrency/len(subs))
	// One subscription that fails stops the others: the pump is down.
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, len(subs))
	for _, id := range subs {
		go func() { errc <- p.receive(rctx, client, dead, id, window) }()
	}
	var first error
	for range subs {
		if err := <-errc; err != nil && first == nil {
			first = err
			stop()
		}
	}
	return first
}

// receive delivers one subscription, at most window pushes at once,
// until ctx ends.
func (p *Pump) receive(ctx context.Context, client *http.Client, dead *pubsub.Publisher, id string, window int) error {
	sem := make(chan struct{}, window)
	sub := p.Server.Client.Subscriber(id)
	// Every message pulled stays leased while it is retried: pstest drops
	// a message left unacknowledged for ten minutes.
	sub.ReceiveSettings.NumGoroutines = p.Streams
	sub.ReceiveSettings.MaxOutstandingMessages = -1
	sub.ReceiveSettings.MaxOutstandingBytes = -1
	sub.ReceiveSettings.MaxExtension = 24 * time.Hour
	// Leases of 60 s rather than the client's default of 10 s at first:
	// a lease that lapses while the machine stalls makes the message
	// available again, and pstest then drops it if it is older than ten
	// minutes (an outage's first messages).
	sub.ReceiveSettings.MinDurationPerAckExtension = 60 * time.Second
	err := sub.Receive(ctx, func(ctx context.Context, m *pubsub.Message) {
		settled := false // written or dead-lettered
		if p.Hold {
			// Counted before pstest sees it acknowledged: whoever waits
			// for both never sees neither.
			p.count(func(s *PumpStats) { s.Holding++ })
			defer p.count(func(s *PumpStats) {
				s.Holding--
				if !settled {
					s.Dropped++
				}
			})
			m.Ack() // the pump keeps it from here
		}
		for attempt := 1; ; attempt++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				m.Nack()
				return
			}
			status := p.push(ctx, client, id, m, attempt)
			<-sem
			if status >= 200 && status < 300 {
				settled = true
				p.count(func(s *PumpStats) { s.Acked++ })
				if p.OnDone != nil {
					p.OnDone(m, status, attempt, false)
				}
				m.Ack()
				return
			}
			p.count(func(s *PumpStats) { s.Failed++ })
			if ctx.Err() != nil {
				m.Nack()
				return
			}
			if dead != nil && attempt >= p.MaxAttempts {
				if err := p.deadLetter(ctx, dead, id, m, attempt); err != nil {
					m.Nack()
					return
				}
				settled = true
				p.count(func(s *PumpStats) { s.DeadLettered++ })
				if p.OnDone != nil {
					p.OnDone(m, status, attempt, true)
				}
				m.Ack()
				return
			}
			t := time.NewTimer(Backoff(attempt, p.MinBackoff, p.MaxBackoff))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				m.Nack()
				return
			}
		}
	})
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("subscription %s: %w", id, err)
}

// envelope is the push request's body.
type envelope struct {
	Message struct {
		Data        []byte            `json:"data,omitempty"`
		Attributes  map[string]string `json:"attributes,omitempty"`
		MessageID   string            `json:"messageId"`
		MessageID2  string            `json:"message_id"`
		PublishTime string            `json:"publishTime"`
		PublishTim2 string            `json:"publish_time"`
	} `json:"message"`
	Subscription    string `json:"subscription"`
	DeliveryAttempt int    `json:"deliveryAttempt,omitempty"`
}

// push delivers m once and returns the answer's status, 0 for none.
func (p *Pump) push(ctx context.Context, client *http.Client, sub string, m *pubsub.Message, attempt int) int {
	p.count(func(s *PumpStats) { s.Pushes++ })
	var e envelope
	e.Message.Data, e.Message.Attributes = m.Data, m.Attributes
	e.Message.MessageID, e.Message.MessageID2 = m.ID, m.ID
	e.Message.PublishTime = m.PublishTime.UTC().Format(time.RFC3339Nano)
	e.Message.PublishTim2 = e.Message.PublishTime
	e.Subscription = SubscriptionName(sub)
	if p.DeadLetterTopic != "" {
		e.DeliveryAttempt = attempt // only with a dead-letter policy
	}
	body, _ := json.Marshal(e)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if p.Issuer != nil {
		token, err := p.Issuer.Token(p.Audience, p.ServiceAccount)
		if err != nil {
			return 0
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// deadLetter publishes m to the dead-letter topic as Pub/Sub does.
func (p *Pump) deadLetter(ctx context.Context, dead *pubsub.Publisher, sub string, m *pubsub.Message, attempts int) error {
	attrs := map[string]string{}
	for k, v := range m.Attributes {
		attrs[k] = v
	}
	attrs[AttrDeadLetterDeliveryCount] = strconv.Itoa(attempts)
	attrs[AttrDeadLetterSubscription] = sub
	attrs[AttrDeadLetterProject] = Project
	attrs[AttrDeadLetterPublishTime] = m.PublishTime.UTC().Format(time.RFC3339Nano)
	if _, err := dead.Publish(ctx, &pubsub.Message{Data: m.Data, Attributes: attrs}).Get(ctx); err != nil {
		return fmt.Errorf("dead letter: %w", err)
	}
	return nil
}
