package main

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Setenv("SAFEVIEW_WEBHOOK_BASE", "")
	t.Setenv("SAFEVIEW_SEND_SECRET", "")
	for _, tt := range []struct {
		args []string
		want options
	}{
		{[]string{"shopify"}, options{url: "http://127.0.0.1:8080", source: "shopify"}},
		{[]string{"-url", "http://f", "-unsigned", "shopify", "order.json"},
			options{url: "http://f", urlSet: true, unsigned: true, source: "shopify", file: "order.json", hasFile: true}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := parse(tt.args, io.Discard)
			if err != nil {
				t.Fatalf("parse(%q) error = %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("parse(%q) mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// fill takes what the command line leaves out from the READY line, but
// never the URL a -url gave.
func TestFill(t *testing.T) {
	t.Parallel()
	const ready = `READY {"webhook_base":"http://ready","sources":{"shop":{"platform":"shopify","secret":"s3cret"}}}`
	for _, tt := range []struct {
		name string
		in   options
		want options
	}{
		{"from the READY line", options{url: "http://default", ready: ready, source: "shop"},
			options{url: "http://ready", ready: ready, source: "shop", platform: "shopify", secret: "s3cret", notificationURL: "http://ready/shop"}},
		{"-url kept", options{url: "http://given/", urlSet: true, ready: ready, source: "shop"},
			options{url: "http://given/", urlSet: true, ready: ready, source: "shop", platform: "shopify", secret: "s3cret", notificationURL: "http://given/shop"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, src, err := fill(tt.in)
			if err != nil || src != nil {
				t.Fatalf("fill() = %v, %v, want no source and no error", src, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("fill() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
