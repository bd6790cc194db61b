package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/webhook"
)

const exampleConfig = "../../functions/webhook/safeview.yaml"

// send signs for every scheme: a server that verifies as the function
// would, with the demo secrets, accepts what it posts.
func TestSendSignsEverySource(t *testing.T) {
	t.Parallel()
	c, err := config.Load(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.Trim(r.URL.Path, "/")
		src := c.Sources[name]
		secret, nu := demo.SourceDemo(name, src, srv.URL)
		scheme, _ := src.SchemeOf()
		v, err := webhook.New(scheme, []string{secret}, demo.Options(src, nu))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := webhook.VerifyRequest(v, body, r); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"result":"written"}`)
	}))
	defer srv.Close()
	for _, name := range c.SourceNames {
		for _, args := range [][]string{
			{"-url", srv.URL, name},
			{"-url", srv.URL, "-config", exampleConfig, name},
			{"-url", srv.URL, "-unsigned", name},
		} {
			var out bytes.Buffer
			if err := run(args, &out); err != nil {
				t.Fatalf("run(%q) error = %v", args, err)
			}
			want := "HTTP 200"
			if args[2] == "-unsigned" {
				want = "HTTP 401"
			}
			if !strings.Contains(out.String(), want) {
				t.Errorf("run(%q) printed %q, want %s", args, out.String(), want)
			}
		}
	}
}

// send signs exactly the bytes it posts, with the secret it was given.
func TestRunSignsAndPosts(t *testing.T) {
	t.Parallel()
	var gotPath string
	var gotBody []byte
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotBody, _ = io.ReadAll(r.Body)
		v, _ := webhook.NewShopify("s3cret")
		verr = v.Verify(gotBody, r.Header)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"result":"written"}`))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(file, []byte(`{"id": 7, "updated_at": "2026-01-01T00:00:00Z"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-url", srv.URL, "-secret", "s3cret", "shopify", file}, &out); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/shopify" || verr != nil {
		t.Errorf("posted to %q, verify = %v, want /shopify and a valid signature", gotPath, verr)
	}
	if string(gotBody) != `{"id": 7, "updated_at": "2026-01-01T00:00:00Z"}`+"\n" {
		t.Errorf("posted body %q, want the file byte for byte", gotBody)
	}
	if !strings.Contains(out.String(), "HTTP 200 OK") || !strings.Contains(out.String(), `{"result":"written"}`) {
		t.Errorf("output = %q, want the status and the answer", out.String())
	}
}

func TestRunReadyLine(t *testing.T) {
	t.Parallel()
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, _ := webhook.NewShopify("from-ready")
		verr = v.Verify(body, r.Header)
	}))
	defer srv.Close()
	ready := `READY {"webhook_base":"` + srv.URL + `","sources":{"shop":{"platform":"shopify","secret":"from-ready"}}}`
	var out bytes.Buffer
	if err := run([]string{"-ready", ready, "shop"}, &out); err != nil {
		t.Fatal(err)
	}
	if verr != nil {
		t.Errorf("signature with the READY line's secret: %v", verr)
	}
}

func TestRunUnsignedAndDefaults(t *testing.T) {
	t.Parallel()
	var sig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig = r.Header.Get(webhook.ShopifyHeader)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{"-url", srv.URL, "-unsigned", "shopify"}, &out); err != nil {
		t.Fatal(err)
	}
	if sig != "" || !strings.Contains(out.String(), "HTTP 401") {
		t.Errorf("unsigned send: signature %q, output %q", sig, out.String())
	}
	if err := run([]string{"-url", srv.URL}, io.Discard); err == nil {
		t.Errorf("run() without SOURCE succeeded")
	}
	if demo.Secret("shopify") == "" {
		t.Errorf("no demo secret")
	}
}
