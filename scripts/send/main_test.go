package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
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
