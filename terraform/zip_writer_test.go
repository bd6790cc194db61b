package terraform_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
)

// The writer function's zip, as deployed in queued mode (the example
// configuration with mode: queued), built, compiled the way the buildpack
// does, started with no secret at all, and pushed a row as Pub/Sub would:
// refused without the push service account's token, written with it.
func TestWriterZipBuildsAndServes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the function: skipped with -short")
	}
	t.Parallel()
	spec := readZipSpec(t)
	fn, ok := spec.functions["writer"]
	if !ok {
		t.Fatal(`main.tf: no "writer" in local.functions`)
	}
	example, err := os.ReadFile(filepath.Join(spec.root, "functions", "webhook", "safeview.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "safeview.yaml")
	if err := os.WriteFile(cfgPath, append([]byte("mode: queued\n"), example...), 0o644); err != nil {
		t.Fatal(err)
	}
	files := spec.files(t, fn)
	for zipPath := range files {
		if !strings.Contains(zipPath, "/") && strings.HasSuffix(zipPath, ".go") {
			src, _ := os.ReadFile(filepath.Join(spec.root, fn.dir, zipPath))
			if !regexp.MustCompile(`(?m)^package writerfn$`).Match(src) {
				t.Errorf("%s at the root of the writer's zip is not in package writerfn", zipPath)
			}
		}
		if strings.Contains(zipPath, "pubsubtest/") {
			t.Errorf("the writer's zip holds the test helper %s", zipPath)
		}
	}
	data := spec.buildZip(t, files, cfgPath)

	workspace := t.TempDir()
	src := filepath.Join(workspace, "serverless_function_source_code")
	unzip(t, data, src)
	app := filepath.Join(src, "functions.local", "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	module := regexp.MustCompile(`(?m)^module (\S+)`).FindStringSubmatch(string(mustRead(t, filepath.Join(src, "go.mod"))))[1]
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(fmt.Sprintf(buildpackMain, module)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "function")
	start := time.Now()
	goTool(t, src, "mod", "tidy")
	goTool(t, src, "build", "-o", bin, "./functions.local/app")
	t.Logf("tidy and build: %v", time.Since(start).Round(time.Millisecond))

	emu := gsheetstest.NewServer(t)
	spreadsheet := emu.CreateSpreadsheet("writer zip test", "Orders")
	issuer, err := pubsubtest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	certs := httptest.NewServer(issuer)
	t.Cleanup(certs.Close)
	const account = "safeview-push@zip-test.iam.gserviceaccount.com"
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The audience is the deployed URL, whatever port it listens on here.
	env := []string{
		"FUNCTION_TARGET=" + fn.entryPoint,
		"SAFEVIEW_SHEETS_ENDPOINT=" + emu.URL(),
		"SAFEVIEW_SPREADSHEET_ID=" + spreadsheet,
		"SAFEVIEW_PUSH_AUDIENCE=https://europe-west1-zip-test.cloudfunctions.net/safeview-writer",
		"SAFEVIEW_PUSH_SERVICE_ACCOUNT=" + account,
		"SAFEVIEW_PUSH_CERTS_URL=" + certs.URL,
	}
	// The example's Excel destination, which the writer writes in queued
	// mode: Graph, Entra ID and the metadata server emulated.
	ms := exceltest.NewStack(t, cfg)
	for k, v := range ms.Env {
		env = append(env, k+"="+v)
	}
	base := startFunction(t, bin, workspace, env)

	var orders *config.Table
	for _, tb := range cfg.Tables {
		if tb.Tab == "Orders" {
			orders = tb
		}
	}
	row := model.Row{Source: "shopify", Key: "zip-1", Version: 1, Insert: true, Update: true, Cells: make([]model.Cell, len(orders.Columns))}
	for i, c := range orders.Columns {
		if c.Header == orders.Key {
			row.Cells[i] = model.Cell{Text: "zip-1"}
		}
	}
	msg, attrs, err := queue.Encode(queue.Message{Kind: queue.KindRow, Table: "Orders", Row: row})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(queue.Push{Message: queue.PushMessage{Data: msg, Attributes: attrs, MessageID: "1", PublishTime: time.Now()},
		Subscription: "projects/zip-test/subscriptions/safeview-writer", DeliveryAttempt: 1})
	token, err := issuer.Token("https://europe-west1-zip-test.cloudfunctions.net/safeview-writer", account)
	if err != nil {
		t.Fatal(err)
	}
	h := func(auth string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		if auth != "" {
			h.Set("Authorization", "Bearer "+auth)
		}
		return h
	}
	for _, tt := range []struct {
		name   string
		header http.Header
		want   int
		answer string
	}{
		{"no token", h(""), http.StatusUnauthorized, ""},
		{"the push account's token", h(token), http.StatusOK, `"result":"written"`},
		{"again", h(token), http.StatusOK, `"result":"unchanged"`},
	} {
		got, answer := post(t, base+"/", tt.header, body)
		if got != tt.want || !strings.Contains(answer, tt.answer) {
			t.Errorf("%s: push = %d %s, want %d %s", tt.name, got, answer, tt.want, tt.answer)
		}
	}
	rows, err := emu.Snapshot(spreadsheet, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !slices.Contains(rows[1], "zip-1") {
		t.Errorf("Orders tab = %q, want the header and the row of zip-1", rows)
	}
}
