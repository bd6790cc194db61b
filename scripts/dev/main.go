// Command dev runs the whole of Safeview on one machine: the real HTTP
// function served by functions-framework-go, an in-memory emulator of the
// Google Sheets v4 API holding the spreadsheet, and a read-only web page
// that shows the spreadsheet's tabs as tables and refreshes itself.
//
// Usage:
//
//	go run ./scripts/dev [-addr 127.0.0.1:8080] [-config functions/webhook/safeview.yaml]
//
// It uses demo secrets (see scripts/internal/demo), never real ones. When
// everything is up it prints one line
//
//	READY {"webhook_base":...,"sheets_endpoint":...,"spreadsheet_id":...,"view_url":...,"sources":{...}}
//
// that scripts and tests rely on: webhook_base is the URL to which
// /{source} is appended, sheets_endpoint the base URL to hand to
// option.WithEndpoint, and sources maps each source to its platform and
// demo secret (and, for Square, the exact notification URL).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"go.yaml.in/yaml/v3"

	webhookfn "github.com/safeview/safeview/functions/webhook" // registers the function "Webhook"
	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/sheetstest"
)

// Ready is the READY line's JSON.
type Ready struct {
	WebhookBase    string                 `json:"webhook_base"`
	SheetsEndpoint string                 `json:"sheets_endpoint"`
	SpreadsheetID  string                 `json:"spreadsheet_id"`
	ViewURL        string                 `json:"view_url"`
	Sources        map[string]ReadySource `json:"sources"`
}

// ReadySource is one source in the READY line.
type ReadySource struct {
	Platform        string `json:"platform"`
	Secret          string `json:"secret"`
	NotificationURL string `json:"notification_url,omitempty"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "host:port of the function (port 0 picks a free one)")
	cfgPath := fs.String("config", defaultConfig(), "the configuration file")
	sheetsAddr := fs.String("sheets-addr", "127.0.0.1:0", "host:port of the Sheets emulator and the view")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}

	// The emulator and the view share one listener.
	emu := sheetstest.New()
	ln, err := net.Listen("tcp", *sheetsAddr)
	if err != nil {
		return fmt.Errorf("sheets emulator: %w", err)
	}
	sheetsBase := "http://" + ln.Addr().String() + "/"
	var tabs []string
	for _, t := range cfg.Tables {
		tabs = append(tabs, t.Tab)
	}
	id := emu.CreateSpreadsheet("Safeview (local)", tabs...)
	mux := http.NewServeMux()
	mux.Handle("/v4/", emu.Handler())
	v := &view{endpoint: sheetsBase, spreadsheetID: id}
	mux.Handle("/", v)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if port == "0" {
		if port, err = freePort(host); err != nil {
			return err
		}
	}
	webhookBase := "http://" + net.JoinHostPort(host, port)

	ready := Ready{WebhookBase: webhookBase, SheetsEndpoint: sheetsBase, SpreadsheetID: id,
		ViewURL: sheetsBase, Sources: map[string]ReadySource{}}
	env := map[string]string{
		webhookfn.EnvConfig:         *cfgPath,
		webhookfn.EnvSpreadsheetID:  id,
		webhookfn.EnvSecrets:        "env",
		webhookfn.EnvSheetsEndpoint: sheetsBase,
		"FUNCTION_TARGET":           "Webhook",
	}
	urls := map[string]string{}
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		secret, nu := demo.SourceDemo(name, src, webhookBase)
		for _, s := range src.Secrets {
			env[secrets.EnvName(s)] = secret
		}
		if nu != "" {
			urls[name] = nu
		}
		ready.Sources[name] = ReadySource{Platform: src.Platform, Secret: secret, NotificationURL: nu}
	}
	if len(urls) > 0 {
		// Square signs the exact URL it posts to, which depends on -addr:
		// run the function with a copy of the configuration that names it.
		path, err := withNotificationURLs(*cfgPath, urls)
		if err != nil {
			return err
		}
		defer os.Remove(path)
		env[webhookfn.EnvConfig] = path
	}
	if k := cfg.Privacy.PseudonymKey; k != "" {
		env[secrets.EnvName(k)] = demo.PseudonymKey
	}
	for k, val := range env {
		if err := os.Setenv(k, val); err != nil {
			return err
		}
	}

	errc := make(chan error, 1)
	go func() { errc <- funcframework.StartHostPort(host, port) }()
	if err := waitListening(ctx, net.JoinHostPort(host, port), errc); err != nil {
		return err
	}
	// Build the function's dependencies now, so that a bad configuration
	// fails here rather than at the first delivery.
	if _, err := webhookfn.NewFromEnv(ctx); err != nil {
		return err
	}
	line, _ := json.Marshal(ready)
	fmt.Fprintf(stdout, "READY %s\n", line)
	fmt.Fprintf(stderr, "Safeview is running. Live view: %s\nSend a sample order: go run ./scripts/send shopify\n", ready.ViewURL)
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// withNotificationURLs writes a copy of the configuration file in which
// the given sources have their notification_url replaced, keeping every
// other byte of meaning (comments included).
func withNotificationURLs(path string, urls map[string]string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return "", fmt.Errorf("%s: not YAML", path)
	}
	sources := child(doc.Content[0], "sources")
	for name, url := range urls {
		src := child(sources, name)
		if src == nil {
			return "", fmt.Errorf("%s: no source %q", path, name)
		}
		if v := child(src, "notification_url"); v != nil {
			v.Value = url
		} else {
			src.Content = append(src.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: "notification_url"},
				&yaml.Node{Kind: yaml.ScalarNode, Value: url})
		}
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

// defaultConfig finds the example configuration from the repository root
// or from wherever the command's source lives.
func defaultConfig() string {
	const rel = "functions/webhook/safeview.yaml"
	if _, err := os.Stat(rel); err == nil {
		return rel
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		return filepath.Join(filepath.Dir(file), "..", "..", rel)
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
