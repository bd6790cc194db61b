package localstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	writerfn "github.com/safeview/safeview/functions/writer"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
)

// Names of queued mode's topics and subscriptions on the fake Pub/Sub,
// as Terraform names them (with the default name_prefix). The writer's
// subscriptions are one per destination (WriterSubscriptionOf).
const (
	Topic                  = "safeview-rows"
	DeadLetterTopic        = "safeview-dead-letters"
	DeadLetterSubscription = "safeview-dead-letters"
	PushServiceAccount     = "safeview-push@" + pubsubtest.Project + ".iam.gserviceaccount.com"
)

// WriterSubscriptionOf is the writer's subscription of a destination ("",
// the main spreadsheet, is config.MainName), filtered on it
// (queue.Filter), as Terraform names it.
func WriterSubscriptionOf(destination string) string {
	if destination == "" {
		destination = config.MainName
	}
	return "safeview-writer-" + destination
}

// QueueOptions tune the Pump of queued mode; zero values are Pub/Sub's
// (as Terraform configures the subscription): 20 attempts, a backoff
// from 10 s to 600 s, 60 s to answer, 100 pushes at once.
type QueueOptions struct {
	MaxAttempts            int
	MinBackoff, MaxBackoff time.Duration
	AckDeadline            time.Duration
	Concurrency            int
	// PushDeadline bounds the writer's work on one push (its
	// SAFEVIEW_PUSH_DEADLINE; default 30 s).
	PushDeadline time.Duration
	// Pump, when set, is called with the Pump before it runs (to set
	// OnDone).
	Pump func(*pubsubtest.Pump)
	// PubSub, when set, is the host:port of a fake Pub/Sub running
	// already (pstest, empty), such as one in a process of its own;
	// else the stack starts one in this process.
	PubSub string
}

// queued is the part of a stack that runs queued mode.
type queued struct {
	Server *pubsubtest.Server
	Pump   *pubsubtest.Pump
	subs   []string // the writer's, one per destination
	issuer *pubsubtest.Issuer
	certs  *http.Server // the issuer's key set, read by the writer's validator
	writer *http.Server
	stop   context.CancelFunc
	done   chan struct{}
}

// queueEnv starts the fake Pub/Sub with the topics and subscriptions of
// queued mode, and the key set of the push tokens, and adds to env what
// the two functions read. The writer listens on wln.
func (st *Stack) queueEnv(ctx context.Context, cfg *config.Config, wln net.Listener, o QueueOptions, env map[string]string) error {
	if !cfg.Queued() {
		return errors.New("localstack: the queue runs a configuration of mode: queued")
	}
	issuer, err := pubsubtest.NewIssuer()
	if err != nil {
		return err
	}
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("push tokens' key set: %w", err)
	}
	certsURL := "http://" + cln.Addr().String() + "/oidc/certs"
	certs := &http.Server{Handler: issuer, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idleTimeout}
	go func() { _ = certs.Serve(cln) }()
	var ps *pubsubtest.Server
	if o.PubSub != "" {
		ps, err = pubsubtest.Connect(ctx, o.PubSub)
	} else {
		ps, err = pubsubtest.Start(ctx)
	}
	if err != nil {
		certs.Close()
		return err
	}
	st.Queue = &queued{Server: ps, issuer: issuer, certs: certs}
	for _, t := range []string{Topic, DeadLetterTopic} {
		if err := ps.CreateTopic(ctx, t); err != nil {
			return fmt.Errorf("pubsub topic %s: %w", t, err)
		}
	}
	st.Queue.subs = nil
	for _, d := range append([]string{""}, cfg.DestinationNames...) {
		id := WriterSubscriptionOf(d)
		if err := ps.CreateSubscription(ctx, id, Topic, queue.Filter(d)); err != nil {
			return fmt.Errorf("pubsub subscription %s: %w", id, err)
		}
		st.Queue.subs = append(st.Queue.subs, id)
	}
	if err := ps.CreateSubscription(ctx, DeadLetterSubscription, DeadLetterTopic, ""); err != nil {
		return err
	}
	writerURL := "http://" + wln.Addr().String() + "/"
	env["PUBSUB_EMULATOR_HOST"] = ps.Addr()
	env["SAFEVIEW_PROJECT"] = pubsubtest.Project
	env["SAFEVIEW_TOPIC"] = Topic
	env[writerfn.EnvPushAudience] = writerURL
	env[writerfn.EnvPushServiceAccount] = PushServiceAccount
	env[writerfn.EnvPushCertsURL] = certsURL
	if o.PushDeadline > 0 {
		env[writerfn.EnvPushDeadline] = o.PushDeadline.String()
	}
	if o.MaxAttempts > 0 {
		env[writerfn.EnvMaxDeliveryAttempts] = fmt.Sprint(o.MaxAttempts)
	}
	if o.Concurrency > 0 {
		// The pump's pushes in flight are the writer's requests at once.
		env[writerfn.EnvConcurrency] = fmt.Sprint(o.Concurrency)
	}
	st.Ready.WriterURL, st.Ready.PubSubHost, st.Ready.Topic = writerURL, ps.Addr(), pubsubtest.TopicName(Topic)
	st.Ready.DeadLetterSubscription = pubsubtest.SubscriptionName(DeadLetterSubscription)
	return nil
}

// startQueue serves the writer function on wln and starts the Pump that
// pushes to it.
func (st *Stack) startQueue(ctx context.Context, wln net.Listener, o QueueOptions) error {
	h, err := writerfn.NewFromEnv(ctx)
	if err != nil {
		return err
	}
	q := st.Queue
	q.writer = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idleTimeout}
	go func() { _ = q.writer.Serve(wln) }()
	q.Pump = &pubsubtest.Pump{Server: q.Server, Subscriptions: q.subs, DeadLetterTopic: DeadLetterTopic,
		Endpoint: st.Ready.WriterURL, ServiceAccount: PushServiceAccount, Issuer: q.issuer,
		MaxAttempts: o.MaxAttempts, MinBackoff: o.MinBackoff, MaxBackoff: o.MaxBackoff, AckDeadline: o.AckDeadline, Concurrency: o.Concurrency}
	if o.Pump != nil {
		o.Pump(q.Pump)
	}
	pctx, stop := context.WithCancel(context.Background())
	q.stop, q.done = stop, make(chan struct{})
	go func() {
		defer close(q.done)
		if err := q.Pump.Run(pctx); err != nil {
			st.errc <- fmt.Errorf("push pump: %w", err)
		}
	}()
	return nil
}

// close stops the Pump, the writer and the fake Pub/Sub.
func (q *queued) close() {
	if q.stop != nil {
		q.stop()
		<-q.done
	}
	if q.writer != nil {
		q.writer.Close()
	}
	q.certs.Close()
	q.Server.Close()
}
