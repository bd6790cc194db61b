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

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	base := fs.String("url", envOr("SAFEVIEW_WEBHOOK_BASE", "http://127.0.0.1:8080"), "the function's base URL; /SOURCE is appended")
	platformName := fs.String("platform", "", "the source's platform (default: from -config or -ready, else the source's name)")
	secret := fs.String("secret", os.Getenv("SAFEVIEW_SEND_SECRET"), "the signing secret (default: from -ready, else the platform's demo secret)")
	ready := fs.String("ready", "", "the READY line printed by scripts/dev (or a file holding it)")
	configPath := fs.String("config", "", "a configuration file whose source's scheme and options sign the delivery")
	notificationURL := fs.String("notification-url", "", "the URL Square signs (default: from -ready, else the URL posted to)")
	topic := fs.String("topic", "", "the topic or event type (default: the platform's order created)")
	orderID := fs.String("order-id", "", "the built-in sample's order id (default: a fresh one)")
	status := fs.String("status", "", "the built-in sample's status in the platform's words, e.g. paid, pending, refunded")
	unsigned := fs.Bool("unsigned", false, "send without a signature (to see the 401)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/send [flags] SOURCE [FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return errors.New("want SOURCE and an optional FILE")
	}
	source := fs.Arg(0)
	if *ready != "" {
		var r readyLine
		line := *ready
		if data, err := os.ReadFile(line); err == nil {
			line = string(data)
		}
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "READY"))
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("-ready: not a READY line: %v", err)
		}
		if src, ok := r.Sources[source]; ok {
			*platformName = or(*platformName, src.Platform)
			*secret = or(*secret, src.Secret)
			*notificationURL = or(*notificationURL, src.NotificationURL)
		}
		if r.WebhookBase != "" && !flagSet(fs, "url") {
			*base = r.WebhookBase
		}
	}
	var src *config.Source
	if *configPath != "" {
		c, err := config.Load(*configPath)
		if err != nil {
			return err
		}
		if src = c.Sources[source]; src == nil {
			return fmt.Errorf("-config: no source named %q", source)
		}
		*platformName = or(*platformName, src.Platform)
	}
	*platformName = or(*platformName, source)
	*secret = or(*secret, demo.Secret(*platformName))
	url := strings.TrimRight(*base, "/") + "/" + source
	*notificationURL = or(*notificationURL, url)

	s, err := demo.BuiltIn(*platformName, demo.SampleOptions{Topic: *topic, OrderID: *orderID, Status: *status})
	if err != nil {
		return err
	}
	if fs.NArg() == 2 {
		if s.Body, err = os.ReadFile(fs.Arg(1)); err != nil {
			return err
		}
	}
	if !*unsigned {
		if src != nil {
			err = demo.SignSource(src, *secret, *notificationURL, &s)
		} else {
			err = demo.Sign(*platformName, *secret, *notificationURL, &s)
		}
		if err != nil {
			return err
		}
	}
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
