package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2/pstest"

	"github.com/safeview/safeview/scripts/internal/localstack"
)

// The queued run's processes. In production the webhook function runs on
// instances of its own, and Pub/Sub is Google's: neither shares a CPU
// with the writer. In one process with the whole harness (Pub/Sub's fake
// server, the push pump, the writer, both emulators), a delivery's
// goroutines and the fake server's answer to its publish waited in the
// Go scheduler's queue behind the harness's: at 10,000 events a minute,
// acks took 150 to 200 ms at their p99, in bursts lasting seconds, while
// the process used less than half the machine's CPU on average; at
// 60,000 a minute, 0.7 to 3.8 s (December 2026). So the queued run
// starts two children, the same binary again with roleEnv set, which
// inherit the stack's environment:
//
//   - the edge: the platform's sender and the webhook function, served by
//     the functions framework as Start serves it (without the stack's
//     front: in production Google's front end stands there);
//   - the Pub/Sub fake (pstest), with an endpoint that lists a topic's
//     messages not yet acknowledged (for the drain).
//
// The harness (pump, writer, emulators) then lowers its own priority
// (yieldToChildren): where the machine has not CPU enough for everything,
// the function and Pub/Sub have it first, and the writer falls behind,
// which is what a queue is for.

// roleEnv, set, makes the binary one of the children (runRole).
const roleEnv = "SAFEVIEW_BENCH_ROLE"

const (
	roleEdge   = "edge"
	rolePubSub = "pubsub"
)

// runRole runs the binary as the child roleEnv names; it reports false
// when none is named. main and TestMain call it first.
func runRole(ctx context.Context) (bool, error) {
	switch r := os.Getenv(roleEnv); r {
	case "":
		return false, nil
	case roleEdge:
		return true, runEdge(ctx, os.Stdin, os.Stdout)
	case rolePubSub:
		return true, runPubSub(os.Stdin, os.Stdout)
	default:
		return true, fmt.Errorf("%s: no role %q", roleEnv, r)
	}
}

// child is the parent's side of a child: requests go to its standard
// input as JSON, answers come from its standard output. Closing its input
// ends it.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *json.Decoder
}

// spawn starts the binary as role, in this process's environment
// (localstack.Start set the stack's in it), and decodes its first
// answer, which says where it listens, into hello.
func spawn(ctx context.Context, role string, hello any) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), roleEnv+"="+role)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	c := &child{cmd: cmd, in: in, out: json.NewDecoder(bufio.NewReader(out))}
	// A child that never says where it listens is killed, rather than
	// hold the run for ever.
	t := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	defer t.Stop()
	if err := c.out.Decode(hello); err != nil {
		c.close()
		return nil, fmt.Errorf("%s: no address: %w", role, err)
	}
	return c, nil
}

// close ends the child: its input closed, it stops.
func (c *child) close() {
	c.in.Close()
	done := make(chan struct{})
	go func() {
		_ = c.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// edgeRequest is one run of deliveries the edge is to send.
type edgeRequest struct {
	Secret     string         `json:"secret"`
	RetryCap   time.Duration  `json:"retry_cap"`
	GiveUp     time.Duration  `json:"give_up"`
	Deliveries []wireDelivery `json:"deliveries"`
}

type wireDelivery struct {
	Order   string        `json:"order"`
	Version time.Time     `json:"version"`
	Topic   string        `json:"topic"`
	At      time.Duration `json:"at"`
	Kind    string        `json:"kind"`
}

type wireOutcome struct {
	Acks       []time.Duration `json:"acks"`
	ReceiptRow time.Duration   `json:"receipt_row"`
	Due        time.Time       `json:"due"`
	Status     int             `json:"status"`
	Result     string          `json:"result"`
	Err        string          `json:"err,omitempty"`
}

// edgeHello is the edge's first answer: where its function listens.
type edgeHello struct {
	Base string `json:"base"`
}

// edge is the parent's side of the edge.
type edge struct {
	*child
	base string
}

func startEdge(ctx context.Context) (*edge, error) {
	var h edgeHello
	c, err := spawn(ctx, roleEdge, &h)
	if err != nil {
		return nil, err
	}
	return &edge{child: c, base: h.Base}, nil
}

// replay has the edge send ds (see replay) and returns what it measured.
func (e *edge) replay(secret string, ds []delivery, retryCap, giveUp time.Duration) ([]outcome, error) {
	req := edgeRequest{Secret: secret, RetryCap: retryCap, GiveUp: giveUp, Deliveries: make([]wireDelivery, len(ds))}
	for i, d := range ds {
		req.Deliveries[i] = wireDelivery{Order: d.order, Version: d.version, Topic: d.topic, At: d.at, Kind: d.kind}
	}
	if err := json.NewEncoder(e.in).Encode(req); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	var ws []wireOutcome
	if err := e.out.Decode(&ws); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	if len(ws) != len(ds) {
		return nil, fmt.Errorf("edge: %d outcomes for %d deliveries", len(ws), len(ds))
	}
	out := make([]outcome, len(ws))
	for i, w := range ws {
		out[i] = outcome{acks: w.Acks, receiptRow: w.ReceiptRow, due: w.Due, status: w.Status, result: w.Result}
		if w.Err != "" {
			out[i].err = errors.New(w.Err)
		}
	}
	return out, nil
}

// runEdge is the edge's main: it serves the webhook function from the
// environment, says where on stdout, then sends each request read on
// stdin and answers its outcomes, until stdin ends.
func runEdge(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	addr, err := localstack.ServeFunction(ctx, make(chan error, 1))
	if err != nil {
		return err
	}
	base := "http://" + addr
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(edgeHello{Base: base}); err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReader(stdin))
	for {
		var req edgeRequest
		if err := dec.Decode(&req); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		ds := make([]delivery, len(req.Deliveries))
		for i, w := range req.Deliveries {
			ds[i] = delivery{order: w.Order, version: w.Version, topic: w.Topic, at: w.At, kind: w.Kind}
		}
		sender := newWebhookSender(base, req.Secret)
		out := replay(ctx, ds, sender.send, req.RetryCap, req.GiveUp)
		ws := make([]wireOutcome, len(out))
		for i, o := range out {
			ws[i] = wireOutcome{Acks: o.acks, ReceiptRow: o.receiptRow, Due: o.due, Status: o.status, Result: o.result}
			if o.err != nil {
				ws[i].Err = o.err.Error()
			}
		}
		if err := enc.Encode(ws); err != nil {
			return err
		}
		sender.client.CloseIdleConnections()
	}
}

// pubsubHello is the Pub/Sub child's first answer: the fake server's
// address, and the endpoint that lists the ids of a topic's messages not
// yet acknowledged (?topic=projects/P/topics/T).
type pubsubHello struct {
	Addr    string `json:"addr"`
	Unacked string `json:"unacked"`
}

// pubsubChild is the parent's side of the Pub/Sub child.
type pubsubChild struct {
	*child
	pubsubHello
	client *http.Client
}

func startPubSub(ctx context.Context) (*pubsubChild, error) {
	p := &pubsubChild{client: &http.Client{Timeout: 30 * time.Second}}
	c, err := spawn(ctx, rolePubSub, &p.pubsubHello)
	if err != nil {
		return nil, err
	}
	p.child = c
	return p, nil
}

// unacked lists the ids of the messages of topic (its full name) that
// the fake server has not seen acknowledged.
func (p *pubsubChild) unacked(ctx context.Context, topic string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Unacked+"?topic="+topic, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return nil, fmt.Errorf("pubsub: %s: %s", resp.Status, b)
	}
	var ids []string
	err = json.NewDecoder(resp.Body).Decode(&ids)
	return ids, err
}

// runPubSub is the Pub/Sub child's main: pstest, empty, and the counting
// endpoint, until stdin ends.
func runPubSub(stdin io.Reader, stdout io.Writer) error {
	// pstest keeps every message it was ever given (for Messages): the
	// heap grows with the run, and each collection marks all of it. Fewer
	// collections, as Pub/Sub's servers would not have them at all.
	debug.SetGCPercent(400)
	fake := pstest.NewServerWithAddress("127.0.0.1:0")
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		topic, ids := r.URL.Query().Get("topic"), []string{}
		for _, m := range fake.Messages() { // copies every message, under the server's lock
			if m.Topic == topic && m.Acks == 0 {
				ids = append(ids, m.ID)
			}
		}
		_ = json.NewEncoder(w).Encode(ids)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	if err := json.NewEncoder(stdout).Encode(pubsubHello{Addr: fake.Addr, Unacked: "http://" + ln.Addr().String() + "/unacked"}); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, stdin)
	return err
}

// yieldToChildren lowers the priority of every thread of this process
// (on Linux a thread's nice value is its own; threads started later
// inherit it from the thread that starts them). The children, started
// before, keep theirs. Where the system says no, the run goes on as it
// is, and says so.
func yieldToChildren(progress io.Writer) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err == nil {
		for _, t := range tasks {
			tid, convErr := strconv.Atoi(t.Name())
			if convErr != nil {
				continue
			}
			if err = syscall.Setpriority(syscall.PRIO_PROCESS, tid, harnessNice); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintf(progress, "bench: the harness keeps the priority of the function and Pub/Sub (%v)\n", err)
	}
}

// harnessNice is the harness's nice value once the children run.
const harnessNice = 10
