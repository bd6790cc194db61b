package terraform_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/webhook"

	// The generated main imports funcframework: importing it here keeps
	// what it needs in go.sum and in the module cache of CI, so that the
	// build below, like the buildpack's, needs no download.
	_ "github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

// zipSpec is what main.tf says goes into the zip of a function.
type zipSpec struct {
	root      string   // the repository root
	common    []string // fileset patterns from the root
	excludes  []*regexp.Regexp
	functions map[string]function
}

type function struct {
	dir        string // the function's package, from the root
	entryPoint string
}

// readZipSpec reads the source_* and functions locals of main.tf: the zip
// is built here from the very lists Terraform uses.
func readZipSpec(t *testing.T) zipSpec {
	t.Helper()
	locals := map[string]cty.Value{}
	for _, b := range loadModule(t, ".").files["main.tf"].Blocks {
		if b.Type != "locals" {
			continue
		}
		for _, name := range []string{"source_common", "source_excludes", "functions"} {
			if a, ok := b.Body.Attributes[name]; ok {
				locals[name] = literal(t, a)
			}
		}
	}
	if len(locals) != 3 {
		t.Fatalf("main.tf: want the locals source_common, source_excludes and functions, found %d", len(locals))
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	spec := zipSpec{root: root, functions: map[string]function{}}
	for _, v := range locals["source_common"].AsValueSlice() {
		spec.common = append(spec.common, v.AsString())
	}
	for _, v := range locals["source_excludes"].AsValueSlice() {
		spec.excludes = append(spec.excludes, regexp.MustCompile(v.AsString()))
	}
	for name, f := range locals["functions"].AsValueMap() {
		spec.functions[name] = function{dir: f.GetAttr("dir").AsString(), entryPoint: f.GetAttr("entry_point").AsString()}
	}
	return spec
}

// files returns the files of a function's zip, path in the zip => path in
// the repository, by the rule of local.function_files in main.tf.
func (s zipSpec) files(t *testing.T, fn function) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range fileset(t, filepath.Join(s.root, fn.dir), "*.go") {
		out[p] = fn.dir + "/" + p
	}
	for _, pattern := range s.common {
		for _, p := range fileset(t, s.root, pattern) {
			out[p] = p
		}
	}
	for zipPath, repoPath := range out {
		if slices.ContainsFunc(s.excludes, func(re *regexp.Regexp) bool { return re.MatchString(repoPath) }) {
			delete(out, zipPath)
		}
	}
	return out
}

// fileset is Terraform's fileset(): the files below root (not the
// directories) whose slash-separated path matches pattern, where * and ?
// do not cross a slash and ** matches any number of directories. Other
// pattern syntax fails the test rather than being read differently.
func fileset(t *testing.T, root, pattern string) []string {
	t.Helper()
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case strings.HasPrefix(pattern[i:], "**/"):
			re.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pattern[i:], "**"):
			re.WriteString(".*")
			i++
		case c == '*':
			re.WriteString("[^/]*")
		case c == '?':
			re.WriteString("[^/]")
		case strings.ContainsRune(`[]{}\`, rune(c)):
			t.Fatalf("fileset pattern %q: %q is not supported by zip_test.go; extend fileset there", pattern, c)
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	match := regexp.MustCompile(re.String())
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && rel == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && match.MatchString(rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// buildZip writes the zip as the archive provider's `source` blocks do:
// entries in name order, created with zip.Writer.Create (no timestamp, no
// mode), the configuration as safeview.yaml.
func (s zipSpec) buildZip(t *testing.T, files map[string]string, config string) []byte {
	t.Helper()
	content := map[string][]byte{}
	for zipPath, repoPath := range files {
		data, err := os.ReadFile(filepath.Join(s.root, repoPath))
		if err != nil {
			t.Fatal(err)
		}
		content[zipPath] = data
	}
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	content["safeview.yaml"] = data
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(content)) {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(content[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webhookZip builds the webhook function's zip with the example
// configuration, as `terraform apply` would with the default config_file.
func webhookZip(t *testing.T) (zipSpec, []byte) {
	t.Helper()
	spec := readZipSpec(t)
	fn, ok := spec.functions["webhook"]
	if !ok {
		t.Fatal(`main.tf: no "webhook" in local.functions`)
	}
	return spec, spec.buildZip(t, spec.files(t, fn), filepath.Join(spec.root, fn.dir, "safeview.yaml"))
}

func TestZipContents(t *testing.T) {
	t.Parallel()
	spec, data := webhookZip(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.IsZero() && f.Modified.Year() > 1980 {
			t.Errorf("%s has a timestamp (%v): the zip would change with every checkout", f.Name, f.Modified)
		}
		if strings.HasSuffix(f.Name, "_test.go") || strings.Contains(f.Name, "testdata/") || strings.HasPrefix(filepath.Base(f.Name), ".") {
			t.Errorf("the zip holds %s, which the function does not need", f.Name)
		}
		if strings.Contains(f.Name, "gsheetstest/") || strings.Contains(f.Name, "secretmanagertest/") {
			t.Errorf("the zip holds the test helper %s", f.Name)
		}
	}
	for _, want := range []string{"function.go", "handler.go", "go.mod", "go.sum", "safeview.yaml", "shared/config/config.go", "shared/secrets/secretmanager.go"} {
		if !slices.Contains(names, want) {
			t.Errorf("the zip lacks %s; it holds %q", want, names)
		}
	}
	// The root holds one package: the function's.
	for _, n := range names {
		if !strings.Contains(n, "/") && strings.HasSuffix(n, ".go") {
			src, _ := os.ReadFile(filepath.Join(spec.root, "functions/webhook", n))
			if !regexp.MustCompile(`(?m)^package webhookfn$`).Match(src) {
				t.Errorf("%s at the root of the zip is not in package webhookfn", n)
			}
		}
	}
	// The same sources give the same bytes, hence the same object name.
	if _, again := webhookZip(t); !bytes.Equal(data, again) {
		t.Error("two builds of the zip differ")
	}
}

// TestZipBuildsAndServes builds the zip exactly as it is uploaded, unpacks
// it the way the Go buildpack lays it out, generates the buildpack's main
// package, compiles it, starts it and serves a signed Shopify delivery into
// the Sheets emulator. About 5 s with a warm build cache (the first run
// compiles the function's dependencies: up to a minute).
func TestZipBuildsAndServes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the function: skipped with -short")
	}
	t.Parallel()
	spec, data := webhookZip(t)
	fn := spec.functions["webhook"]

	// The buildpack moves the upload into serverless_function_source_code
	// and runs the binary from its parent.
	workspace := t.TempDir()
	src := filepath.Join(workspace, "serverless_function_source_code")
	unzip(t, data, src)
	app := filepath.Join(src, "functions.local", "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	module := regexp.MustCompile(`(?m)^module (\S+)`).FindStringSubmatch(string(mustRead(t, filepath.Join(src, "go.mod"))))[1]
	if !strings.Contains(strings.Split(module, "/")[0], ".") {
		t.Fatalf("module path %q: the buildpack wants a dot in its first element", module)
	}
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(fmt.Sprintf(buildpackMain, module)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "function")
	start := time.Now()
	goTool(t, src, "mod", "tidy")
	// The buildpack's go mod tidy must not need a newer Go than the
	// runtime's: go125 builds with Go 1.25.
	if got := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(mustRead(t, filepath.Join(src, "go.mod"))); got == nil || !strings.HasPrefix(string(got[1]), "1.25") {
		t.Errorf("after go mod tidy, go.mod says go %s, want 1.25.x for the go125 runtime", got)
	}
	goTool(t, src, "build", "-o", bin, "./functions.local/app")
	t.Logf("tidy and build: %v", time.Since(start).Round(time.Millisecond))

	// The function as deployed, but with the Sheets emulator for Google
	// and its secrets from the environment (Secret Manager has its own
	// tests): every secret the configuration names gets a demo value.
	emu := gsheetstest.NewServer(t)
	spreadsheet := emu.CreateSpreadsheet("zip test", "Orders")
	cfg, err := config.Load(filepath.Join(src, "safeview.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "zip-test-demo-secret-0123456789abcdef"
	env := []string{
		"FUNCTION_TARGET=" + fn.entryPoint,
		"SAFEVIEW_SECRETS=env",
		"SAFEVIEW_SHEETS_ENDPOINT=" + emu.URL(),
		"SAFEVIEW_SPREADSHEET_ID=" + spreadsheet,
	}
	values := map[string]string{}
	for _, name := range cfg.SecretNames() {
		values[name] = secret
	}
	for _, name := range cfg.SourceNames {
		// Standard Webhooks keys are base64 after whsec_.
		if scheme, err := cfg.Sources[name].SchemeOf(); err == nil && scheme == "standard-webhooks" {
			for _, s := range cfg.Sources[name].Secrets {
				values[s] = "whsec_" + base64.StdEncoding.EncodeToString([]byte(secret))
			}
		}
	}
	for name, v := range values {
		env = append(env, secrets.EnvName(name)+"="+v)
	}
	// The example's Excel destination: Graph, Entra ID and the metadata
	// server emulated, reached through the environment as deployed.
	ms := exceltest.NewStack(t, cfg)
	for k, v := range ms.Env {
		env = append(env, k+"="+v)
	}
	base := startFunction(t, bin, workspace, env)

	// The sample order scripts/send posts: paid, so it enters the sheet.
	order := mustRead(t, filepath.Join(spec.root, "scripts", "internal", "demo", "samples", "shopify_order.json"))
	h := func(signature string) http.Header {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set(platform.ShopifyTopicHeader, "orders/create")
		h.Set(platform.ShopifyShopDomainHeader, "zip-test.myshopify.com")
		h.Set(platform.ShopifyEventIDHeader, "zip-test-event-1")
		if signature != "" {
			h.Set(webhook.ShopifyHeader, signature)
		}
		return h
	}
	for _, tt := range []struct {
		name, path string
		header     http.Header
		want       int
		answer     string
	}{
		{"unknown source", "/nowhere", h(""), http.StatusNotFound, "unknown source"},
		{"forged", "/shopify", h(webhook.SignShopify("not-the-secret", order)), http.StatusUnauthorized, ""},
		{"signed", "/shopify", h(webhook.SignShopify(secret, order)), http.StatusOK, `"result":"written"`},
		{"again", "/shopify", h(webhook.SignShopify(secret, order)), http.StatusOK, `"result":"unchanged"`},
	} {
		got, answer := post(t, base+tt.path, tt.header, order)
		if got != tt.want || !strings.Contains(answer, tt.answer) {
			t.Errorf("%s: POST %s = %d %s, want %d %s", tt.name, tt.path, got, answer, tt.want, tt.answer)
		}
	}

	rows, err := emu.Snapshot(spreadsheet, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !slices.Contains(rows[0], "order_id") || !slices.Contains(rows[1], "820982911946154508") {
		t.Errorf("Orders tab = %q, want the header and the row of order 820982911946154508", rows)
	}
	d := ms.Destinations["compta"]
	ventes, err := ms.Graph.Table(d.DriveID, d.ItemID, d.Tables["Orders"])
	if err != nil {
		t.Fatal(err)
	}
	if len(ventes) != 3 || ventes[2][0] != "820982911946154508" || ms.Metadata.Issued() == 0 {
		t.Errorf("Excel table = %q (%d ID tokens), want Excel's empty first row and order 820982911946154508, signed in with an ID token", ventes, ms.Metadata.Issued())
	}
}

func post(t *testing.T, url string, h http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(answer))
}

// buildpackMain is the main package the Go buildpack generates for a
// function that registers itself with functions.HTTP (its "declarative"
// template), with the module path to import.
const buildpackMain = `// Binary main file implements an HTTP server that loads and runs user's code
// on incoming HTTP requests.
package main

import (
	"log"
	"net/http"
	"os"

	_ %q

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

func main() {
	http.HandleFunc("/robots.txt", http.NotFound)
	http.HandleFunc("/favicon.ico", http.NotFound)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("Function failed to start: %%v\n", err)
	}
}
`

func unzip(t *testing.T, data []byte, dir string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			t.Fatalf("zip entry %q escapes the directory", f.Name)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The entries have no mode, as unzip on the builder sees them.
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// goTool runs the go command in dir as the buildpack would, but offline
// when the module cache has everything (GOPROXY=off), and through the
// module proxy only if it does not.
func goTool(t *testing.T, dir string, args ...string) {
	t.Helper()
	run := func(proxy string) ([]byte, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY="+proxy, "GOWORK=off", "GOTOOLCHAIN=local")
		return cmd.CombinedOutput()
	}
	out, err := run("off")
	if err != nil {
		t.Logf("go %s offline: %v\n%s\nretrying through the module proxy", strings.Join(args, " "), err, out)
		out, err = run("https://proxy.golang.org")
	}
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// startFunction starts the compiled function in dir on a free port, with
// only the given environment (and PATH, HOME), and returns its base URL
// once it accepts connections. Its output goes to the test log.
func startFunction(t *testing.T, bin, dir string, env []string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PORT=" + port}, env...)
	// One writer for both: exec then writes from one goroutine at a time.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		t.Logf("function output:\n%s", out.String())
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) || errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("the function did not listen on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
