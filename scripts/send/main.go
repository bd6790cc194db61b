// Command send signs a webhook delivery and posts it to Safeview, as the
// platform would, then prints the HTTP status and the function's answer.
//
// Usage:
//
//	go run ./scripts/send [flags] SOURCE [FILE]
//
// SOURCE is the name of a configured source (the URL path). Without FILE a
// built-in sample of the source's platform is sent (an order; a booking
// for generic, or for square with -topic booking.created), with a fresh
// id unless -order-id is given; FILE is sent as is (the exact bytes are
// signed). Against the local stack (go run ./scripts/dev) no other flag is
// needed: the platform and the demo secret are taken from the source's
// name, or from the READY line given with -ready.
//
// Every scheme signs: shopify, woocommerce, stripe, square (which signs
// the notification URL: -notification-url, default the URL posted to),
// standard-webhooks, lightspeed-ecom, hmac and token. Signing options
// (the hmac header, a token in the query…) come from -config's source when
// given, else from the example configuration's defaults.
//
// Examples:
//
//	go run ./scripts/send shopify
//	go run ./scripts/send -order-id 1001 -status refunded -topic orders/updated shopify
//	go run ./scripts/send -topic booking.created square
//	go run ./scripts/send -config functions/webhook/safeview.yaml generic
//	go run ./scripts/send -url https://REGION-PROJECT.cloudfunctions.net/safeview-webhook -secret "$KEY" shopify order.json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/shared/config"
)

type readyLine struct {
	WebhookBase string `json:"webhook_base"`
	Sources     map[string]struct {
		Platform        string `json:"platform"`
		Secret          string `json:"secret"`
		NotificationURL string `json:"notification_url"`
	} `json:"sources"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
		os.Exit(1)
	}
}

// run is the command: the command line parsed, then the work.
func run(args []string, out io.Writer) error {
	o, err := parse(args, os.Stderr)
	if err != nil {
		return err
	}
	return work(o, out)
}

// options are the command line; fill completes them.
type options struct {
	url             string // the function's base URL
	urlSet          bool   // -url was given: -ready does not replace it
	platform        string
	secret          string
	ready           string // a READY line, or a file holding one
	config          string
	notificationURL string
	topic           string
	orderID         string
	status          string
	unsigned        bool
	source          string
	file            string // the body to send, when hasFile
	hasFile         bool   // else the built-in sample is sent
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", envOr("SAFEVIEW_WEBHOOK_BASE", "http://127.0.0.1:8080"), "the function's base URL; /SOURCE is appended")
	fs.StringVar(&o.platform, "platform", "", "the source's platform (default: from -config or -ready, else the source's name)")
	fs.StringVar(&o.secret, "secret", os.Getenv("SAFEVIEW_SEND_SECRET"), "the signing secret (default: from -ready, else the platform's demo secret)")
	fs.StringVar(&o.ready, "ready", "", "the READY line printed by scripts/dev (or a file holding it)")
	fs.StringVar(&o.config, "config", "", "a configuration file whose source's scheme and options sign the delivery")
	fs.StringVar(&o.notificationURL, "notification-url", "", "the URL Square signs (default: from -ready, else the URL posted to)")
	fs.StringVar(&o.topic, "topic", "", "the topic or event type (default: the platform's order created)")
	fs.StringVar(&o.orderID, "order-id", "", "the built-in sample's order id (default: a fresh one)")
	fs.StringVar(&o.status, "status", "", "the built-in sample's status in the platform's words, e.g. paid, pending, refunded")
	fs.BoolVar(&o.unsigned, "unsigned", false, "send without a signature (to see the 401)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/send [flags] SOURCE [FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return options{}, errors.New("want SOURCE and an optional FILE")
	}
	o.source = fs.Arg(0)
	if fs.NArg() == 2 {
		o.file, o.hasFile = fs.Arg(1), true
	}
	o.urlSet = flagSet(fs, "url")
	return o, nil
}

// work signs the delivery as the source's platform would, posts it, and
// prints the status and the answer.
func work(o options, out io.Writer) error {
	o, src, err := fill(o)
	if err != nil {
		return err
	}
	s, err := demo.BuiltIn(o.platform, demo.SampleOptions{Topic: o.topic, OrderID: o.orderID, Status: o.status})
	if err != nil {
		return err
	}
	if o.hasFile {
		if s.Body, err = os.ReadFile(o.file); err != nil {
			return err
		}
	}
	if !o.unsigned {
		if src != nil {
			err = demo.SignSource(src, o.secret, o.notificationURL, &s)
		} else {
			err = demo.Sign(o.platform, o.secret, o.notificationURL, &s)
		}
		if err != nil {
			return err
		}
	}
	url := o.postURL()
	target := url
	if len(s.Query) > 0 {
		target += "?" + s.Query.Encode()
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(s.Body))
	if err != nil {
		return err
	}
	req.Header = s.Header
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	// The URL is printed without its query: it may hold a token.
	fmt.Fprintf(out, "POST %s\nHTTP %s\n%s\n", url, resp.Status, strings.TrimSpace(string(answer)))
	return nil
}

// fill completes the options: what the command line leaves out comes from
// -ready, then from -config's source (returned, to sign with its
// options), then from the source's name and the platform's demo secret.
func fill(o options) (options, *config.Source, error) {
	if o.ready != "" {
		var r readyLine
		line := o.ready
		if data, err := os.ReadFile(line); err == nil {
			line = string(data)
		}
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "READY"))
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return o, nil, fmt.Errorf("-ready: not a READY line: %v", err)
		}
		if src, ok := r.Sources[o.source]; ok {
			o.platform = or(o.platform, src.Platform)
			o.secret = or(o.secret, src.Secret)
			o.notificationURL = or(o.notificationURL, src.NotificationURL)
		}
		if r.WebhookBase != "" && !o.urlSet {
			o.url = r.WebhookBase
		}
	}
	var src *config.Source
	if o.config != "" {
		c, err := config.Load(o.config)
		if err != nil {
			return o, nil, err
		}
		if src = c.Sources[o.source]; src == nil {
			return o, nil, fmt.Errorf("-config: no source named %q", o.source)
		}
		o.platform = or(o.platform, src.Platform)
	}
	o.platform = or(o.platform, o.source)
	o.secret = or(o.secret, demo.Secret(o.platform))
	o.notificationURL = or(o.notificationURL, o.postURL())
	return o, src, nil
}

// postURL is the URL the delivery is posted to, without its query.
func (o options) postURL() string {
	return strings.TrimRight(o.url, "/") + "/" + o.source
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
