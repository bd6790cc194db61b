// Package localstack runs the whole of Safeview on one machine, for the
// local stack (scripts/dev) and the benchmark (scripts/bench): the real
// HTTP function served by functions-framework-go, an in-memory emulator of
// the Google Sheets v4 API holding the spreadsheet and one per destination
// of the configuration, an emulator of the IAM Credentials API through
// which the function writes each destination as its own service account
// (so that per-user quotas count each apart), and a read-only web page
// that shows every spreadsheet's tabs as tables.
//
// The function's address is a front of Safeview's own, with timeouts sized
// from the function's deadline, which forwards to the framework on a
// loopback port: the framework serves without timeouts (see front.go).
//
// The function reads its configuration from the environment, as when
// deployed; Start sets that environment, with demo secrets (see
// scripts/internal/demo), never real ones. functions-framework-go serves
// the functions registered in the process, so one process runs one stack.
package localstack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"go.yaml.in/yaml/v3"

	webhookfn "github.com/safeview/safeview/functions/webhook" // registers the function "Webhook"
	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
	"github.com/safeview/safeview/shared/items/itemstest"
	"github.com/safeview/safeview/shared/secrets"
)

// Ready describes a running stack; scripts/dev prints it as its READY
// line.
type Ready struct {
	WebhookBase    string                 `json:"webhook_base"`
	SheetsEndpoint string                 `json:"sheets_endpoint"`
	SpreadsheetID  string                 `json:"spreadsheet_id"`
	ViewURL        string                 `json:"view_url"`
	Sources        map[string]ReadySource `json:"sources"`
	// Destinations are the configuration's other destinations by name:
	// a partner's spreadsheet, or where Graph serves an Excel one's tables.
	Destinations map[string]ReadyDestination `json:"destinations,omitempty"`
	// ItemsEndpoint is the fake of the platforms' read-only APIs the
	// sources read line items from (package items).
	ItemsEndpoint string `json:"items_endpoint,omitempty"`
	// Queued mode only (-queue): the writer function, the fake Pub/Sub
	// (PUBSUB_EMULATOR_HOST), the topic, and the dead letters' pull
	// subscription (scripts/replay).
	WriterURL              string `json:"writer_url,omitempty"`
	PubSubHost             string `json:"pubsub_emulator_host,omitempty"`
	Topic                  string `json:"topic,omitempty"`
	DeadLetterSubscription string `json:"dead_letter_subscription,omitempty"`
}

// ReadySource is one source in the READY line.
type ReadySource struct {
	Platform        string `json:"platform"`
	Secret          string `json:"secret"`
	NotificationURL string `json:"notification_url,omitempty"`
}

// Options say where the stack listens and how the emulator behaves.
type Options struct {
	// Addr is the function's host:port (its front's); port 0 picks a free
	// one.
	Addr string
	// Config is the configuration file; DefaultConfig when empty.
	Config string
	// SheetsAddr is the host:port of the emulator and the view.
	SheetsAddr string
	// Emulator configures the Sheets emulator: latency, quotas, faults.
	Emulator []gsheetstest.Option
	// GraphAddr is the host:port of the Graph emulator, when the
	// configuration has Excel destinations; Graph configures it.
	GraphAddr string
	Graph     []graphtest.Option
	// NoDestinations leaves the configuration's destinations pending (no
	// spreadsheet, not written): the benchmark's main-spreadsheet runs.
	NoDestinations bool
	// SheetsEndpoint, when set, is an emulator of your own (such as
	// scripts/sheets-emulator's) holding SpreadsheetID: the stack starts
	// none, and SheetsAddr and Emulator are unused.
	SheetsEndpoint string
	SpreadsheetID  string
	// Queue runs queued mode (the configuration's mode set to queued): a
	// fake Pub/Sub, the writer function and a push pump (queue.go).
	Queue bool
	// QueueOptions tune the push pump.
	QueueOptions QueueOptions
}

// Stack is a running stack.
type Stack struct {
	Ready Ready
	// Emulator is the Sheets emulator, for inspection (Snapshot, Stats)
	// and for changing its behaviour while the stack runs; nil with an
	// emulator of your own (Options.SheetsEndpoint).
	Emulator *gsheetstest.Server
	// IAM is the IAM Credentials emulator through which the function acts
	// as each destination's service account.
	IAM *iamcredentialstest.Server
	// Config is the configuration the function runs with.
	Config *config.Config
	// Microsoft is the emulated Graph, Entra ID and metadata server of the
	// Excel destinations; nil when there are none.
	Microsoft *exceltest.Stack
	// Items is the fake of the platforms' read-only APIs (line items).
	Items *itemstest.Server
	// Queue is queued mode's part (Options.Queue), else nil.
	Queue *queued

	emu   *Emulator    // the emulator and the view; nil with one of your own
	front *http.Server // the function's
	fln   net.Listener // the front's, until it serves
	errc  chan error
	tmp   []string // the configuration copies, removed by Close
}

// ErrStarted is Start's answer when a stack was started in this process
// already: functions-framework-go serves until the process ends, and the
// function keeps the handler of the first stack (a second one would send
// its deliveries to the first stack's emulator).
var ErrStarted = errors.New("localstack: a stack was started in this process already; the functions framework cannot be started twice")

var started atomic.Bool

// Start starts the emulator, the view and the function, and returns once
// the function accepts connections and its dependencies were built (so
// that a bad configuration fails here rather than at the first delivery).
func Start(ctx context.Context, o Options) (*Stack, error) {
	if !started.CompareAndSwap(false, true) {
		return nil, ErrStarted
	}
	if o.Config == "" {
		o.Config = DefaultConfig()
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.SheetsAddr == "" {
		o.SheetsAddr = "127.0.0.1:0"
	}
	var queuedCopy string
	var err error
	if o.Queue {
		// The same configuration, in queued mode.
		if queuedCopy, err = withMode(o.Config, config.ModeQueued); err != nil {
			return nil, err
		}
		o.Config = queuedCopy
	}
	cfg, err := config.Load(o.Config)
	if err != nil {
		os.Remove(queuedCopy)
		return nil, err
	}

	st := &Stack{Config: cfg, errc: make(chan error, 3)}
	if queuedCopy != "" {
		st.tmp = append(st.tmp, queuedCopy)
	}
	// With an emulator of your own, the destinations stay pending.
	var dests map[string]ReadyDestination
	var destEnv map[string]string
	sheetsBase, id := o.SheetsEndpoint, o.SpreadsheetID
	if sheetsBase == "" {
		// The emulator, the view and the admin endpoint share one listener.
		ecfg := cfg
		if o.NoDestinations {
			c := *cfg
			c.Destinations, c.DestinationNames = nil, nil
			ecfg = &c
		}
		emu, err := StartEmulator(ecfg, o.SheetsAddr, o.Emulator...)
		if err != nil {
			os.Remove(queuedCopy)
			return nil, err
		}
		st.emu, st.Emulator = emu, emu.Server
		sheetsBase, id = emu.Ready.SheetsEndpoint, emu.Ready.SpreadsheetID
		st.IAM, dests, destEnv = emu.IAM, emu.Destinations, emu.destEnv
	} else if id == "" {
		return nil, errors.New("a Sheets endpoint of your own needs the id of its spreadsheet")
	}

	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("function address: %w", err)
	}
	fln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("function: %w", err)
	}
	st.fln = fln
	_, port, _ := net.SplitHostPort(fln.Addr().String())
	st.Ready = Ready{WebhookBase: "http://" + net.JoinHostPort(host, port), SheetsEndpoint: sheetsBase, SpreadsheetID: id,
		ViewURL: sheetsBase, Sources: map[string]ReadySource{}, Destinations: dests}
	env := map[string]string{
		webhookfn.EnvConfig:         o.Config,
		webhookfn.EnvSpreadsheetID:  id,
		webhookfn.EnvSecrets:        "env",
		webhookfn.EnvSheetsEndpoint: sheetsBase,
		"FUNCTION_TARGET":           "Webhook",
	}
	maps.Copy(env, destEnv)
	st.Items = startItems()
	st.Ready.ItemsEndpoint = st.Items.URL
	env[webhookfn.EnvItemsEndpoint] = st.Items.URL
	itemsSecret, itemsAdded := itemsReads(cfg)
	for _, sec := range itemsSecret {
		env[secrets.EnvName(sec)] = itemsKey
	}
	urls := map[string]string{}
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		secret, nu := demo.SourceDemo(name, src, st.Ready.WebhookBase)
		for _, s := range src.Secrets {
			env[secrets.EnvName(s)] = secret
		}
		if nu != "" {
			urls[name] = nu
		}
		st.Ready.Sources[name] = ReadySource{Platform: src.Platform, Secret: secret, NotificationURL: nu}
	}
	if len(urls) > 0 || len(itemsAdded) > 0 {
		// Square signs the exact URL it posts to, which depends on the
		// address: run the function with a copy of the configuration that
		// names it, and that reads the line items of the demo orders.
		path, err := editConfig(o.Config, func(root *yaml.Node) error {
			if err := withNotificationURLs(root, urls); err != nil {
				return err
			}
			return withItems(root, itemsSecret, itemsAdded)
		})
		if err != nil {
			st.Close()
			return nil, err
		}
		st.tmp = append(st.tmp, path)
		env[webhookfn.EnvConfig] = path
	}
	if k := cfg.Privacy.PseudonymKey; k != "" {
		env[secrets.EnvName(k)] = demo.PseudonymKey
	}
	if hasExcel(cfg) {
		if o.GraphAddr == "" {
			o.GraphAddr = "127.0.0.1:0"
		}
		ms, err := exceltest.Start(cfg, o.GraphAddr, o.Graph...)
		if err != nil {
			st.Close()
			return nil, err
		}
		st.Microsoft = ms
		// A map of its own: the spreadsheets' map is also the view's.
		st.Ready.Destinations = maps.Clone(st.Ready.Destinations)
		if st.Ready.Destinations == nil {
			st.Ready.Destinations = map[string]ReadyDestination{}
		}
		for name, d := range ms.Destinations {
			st.Ready.Destinations[name] = ReadyDestination{Kind: d.Kind, GraphEndpoint: d.GraphEndpoint, DriveID: d.DriveID, ItemID: d.ItemID, Tables: d.Tables}
		}
		maps.Copy(env, ms.Env)
	}
	var wln net.Listener
	if o.Queue {
		if wln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			st.Close()
			return nil, fmt.Errorf("writer: %w", err)
		}
		if err := st.queueEnv(ctx, cfg, wln, o.QueueOptions, env); err != nil {
			wln.Close()
			st.Close()
			return nil, err
		}
	}
	for k, val := range env {
		if err := os.Setenv(k, val); err != nil {
			st.Close()
			return nil, err
		}
	}

	if st.front, err = ServeWebhook(ctx, fln, time.Duration(cfg.Limits.Deadline), st.errc); err != nil {
		st.Close()
		return nil, err
	}
	if _, err := webhookfn.NewFromEnv(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if o.Queue {
		if err := st.startQueue(ctx, wln, o.QueueOptions); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

// ServeWebhook serves the webhook function on ln as Start does: the
// front, with its timeouts sized from the function's deadline, before
// the functions framework on a loopback port (ServeFunction). It returns
// once the framework accepts connections; errc receives why either
// stopped.
func ServeWebhook(ctx context.Context, ln net.Listener, deadline time.Duration, errc chan<- error) (*http.Server, error) {
	fw, err := ServeFunction(ctx, errc)
	if err != nil {
		return nil, err
	}
	front := newFront(&url.URL{Scheme: "http", Host: fw}, deadline)
	go func() { errc <- front.Serve(ln) }()
	return front, nil
}

// ServeFunction serves the function of FUNCTION_TARGET with the
// functions framework on a free loopback port, and returns its address
// once it accepts connections; errc receives why it stopped. The
// function reads its settings from the environment, which must hold them
// already (Start sets them; a process of its own inherits them).
func ServeFunction(ctx context.Context, errc chan<- error) (string, error) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		return "", err
	}
	stopped := make(chan error, 1)
	go func() {
		err := funcframework.StartHostPort("127.0.0.1", port)
		stopped <- err
		errc <- err
	}()
	addr := net.JoinHostPort("127.0.0.1", port)
	if err := waitListening(ctx, addr, stopped); err != nil {
		return "", err
	}
	return addr, nil
}

// Wait blocks until ctx ends (nil) or the function stops serving.
func (s *Stack) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.errc:
		return err
	}
}

// Close stops the front, the emulator and the view. functions-framework-go
// cannot be stopped: the function stops with the process.
func (s *Stack) Close() {
	for _, p := range s.tmp {
		os.Remove(p)
	}
	if s.Queue != nil {
		s.Queue.close()
	}
	if s.Items != nil {
		s.Items.Close()
	}
	if s.front != nil {
		s.front.Close()
	} else if s.fln != nil {
		s.fln.Close()
	}
	if s.emu != nil {
		s.emu.Close()
	}
	if s.Microsoft != nil {
		s.Microsoft.Close()
	}
}

// hasExcel reports whether a configuration has an Excel destination.
func hasExcel(cfg *config.Config) bool {
	for _, d := range cfg.Destinations {
		if d.Kind == config.KindExcel {
			return true
		}
	}
	return false
}

// DefaultConfig finds the example configuration from the repository root
// or from wherever this package's source lives.
func DefaultConfig() string {
	const rel = "functions/webhook/safeview.yaml"
	if _, err := os.Stat(rel); err == nil {
		return rel
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		return filepath.Join(filepath.Dir(file), "..", "..", "..", rel)
	}
	return rel
}

func freePort(host string) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// waitListening waits until the function accepts connections.
func waitListening(ctx context.Context, addr string, errc <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			return fmt.Errorf("function: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("function did not start listening on " + addr)
}

// withNotificationURLs replaces the notification_url of the given
// sources in the configuration's YAML.
func withNotificationURLs(root *yaml.Node, urls map[string]string) error {
	sources := child(root, "sources")
	for name, u := range urls {
		src := child(sources, name)
		if src == nil {
			return fmt.Errorf("no source %q", name)
		}
		if v := child(src, "notification_url"); v != nil {
			v.Value = u
		} else {
			src.Content = append(src.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: "notification_url"},
				&yaml.Node{Kind: yaml.ScalarNode, Value: u})
		}
	}
	return nil
}

// withMode writes a copy of the configuration file with its mode set.
func withMode(path, mode string) (string, error) {
	return editConfig(path, func(root *yaml.Node) error {
		if v := child(root, "mode"); v != nil {
			v.Value = mode
			return nil
		}
		root.Content = append([]*yaml.Node{{Kind: yaml.ScalarNode, Value: "mode"}, {Kind: yaml.ScalarNode, Value: mode}}, root.Content...)
		return nil
	})
}

// editConfig writes a copy of the configuration file changed by edit,
// keeping every other byte of meaning (comments included), to a temporary
// file whose name it returns.
func editConfig(path string, edit func(root *yaml.Node) error) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return "", fmt.Errorf("%s: not YAML", path)
	}
	if err := edit(doc.Content[0]); err != nil {
		return "", err
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "safeview-dev-*.yaml")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(out); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// child returns the value of key in a YAML mapping node, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
