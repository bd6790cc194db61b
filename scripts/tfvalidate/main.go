// Command tfvalidate runs `tofu validate` on terraform/ and on each root
// module of terraform/examples, against the schemas of the google and
// archive providers as their cdktf bindings on npm publish them, on a
// machine that reaches npm and the Go module proxy but not the Terraform or
// OpenTofu registries (this one, and CI).
//
// Usage:
//
//	go run ./scripts/tfvalidate [-cache DIR] [-keep]
//
// It fetches the bindings (npm pack, into the cache), builds OpenTofu from
// its Go module (once, into the cache: minutes on a cold cache), reads the
// schemas of the resource and data source types the modules use out of the
// bindings (package tfschema), and serves each as a provider plugin from a
// filesystem mirror: a copy of this program run with -serve-provider. It
// validates a copy of the repository, in which an override file pins the
// providers to the versions the schemas are of: google 6.50.0, one major
// version behind versions.tf (docs/deploy.md says what 7.0 changed for
// the resources used). A canary module comes first, with an argument no
// resource has: unless tofu refuses it, the run stops, since the schema
// served would not be what tofu checks. It prints tofu's diagnostics, one a line, and exits
// 0 when every module is valid, 1 when one is not, 2 when it cannot run.
// -keep leaves the temporary folder for a look.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safeview/safeview/scripts/internal/tfschema"
)

// tofuModule is the OpenTofu release built to validate: a 1.10 satisfies
// versions.tf's required_version (>= 1.9, < 2.0).
const tofuModule = "github.com/opentofu/opentofu@v1.10.10"

// binding is an npm package of cdktf bindings, with the integrity npm's
// registry publishes for it, so that a tarball that changed under the same
// version is refused.
type binding struct {
	name, version, integrity string
	// provider is the provider's local name in the modules, the prefix of
	// its resource types.
	provider string
}

// bindings are the newest published bindings of the two providers:
// @cdktf/provider-google 16.12.1 is generated from google 6.50.0 (cdktf's
// prebuilt providers stopped before google 7.0), @cdktf/provider-archive
// 11.0.1 from archive 2.7.1.
var bindings = []binding{
	{"@cdktf/provider-google", "16.12.1", "sha512-KqNA/5RiFT07r0PSZ6/07cJ2zESUgbj1JchVj21iBFBZVUbD+578xA/k8eq/r0cbyEgLmg9eYWeVslaYah4DCQ==", "google"},
	{"@cdktf/provider-archive", "11.0.1", "sha512-2Plwhj1hVUOYmQrxNbBvy2nrw/gyHZKnQFauPCwjhQX+MpRImF7cceKgX8zZgBPvB5YEP75MIFPbr4sjxDWeHw==", "archive"},
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-serve-provider" {
		if err := serve(os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "tfvalidate: %v\n", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// serve is the provider plugin tofu starts from the mirror.
func serve(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var p tfschema.Provider
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return tfschema.Serve(&p)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfvalidate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache := fs.String("cache", defaultCache(), "folder that keeps the npm tarballs and the tofu binary between runs")
	keep := fs.Bool("keep", false, "leave the temporary folder (the copy, the mirror, the schemas) and print its path")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: go run ./scripts/tfvalidate [-cache DIR] [-keep]")
		return 2
	}
	v := &validator{cache: *cache, stdout: stdout, stderr: stderr}
	tmp, err := os.MkdirTemp("", "tfvalidate-")
	if err != nil {
		fmt.Fprintf(stderr, "tfvalidate: %v\n", err)
		return 2
	}
	if *keep {
		defer fmt.Fprintf(stdout, "tfvalidate: kept %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	v.tmp = tmp
	invalid, err := v.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "tfvalidate: %v\n", err)
		return 2
	}
	if invalid > 0 {
		fmt.Fprintf(stdout, "tfvalidate: %d module(s) invalid\n", invalid)
		return 1
	}
	return 0
}

func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "safeview-tfvalidate")
}

type validator struct {
	cache, tmp     string
	stdout, stderr io.Writer
}

func (v *validator) run(ctx context.Context) (invalid int, err error) {
	root, err := repoRoot()
	if err != nil {
		return 0, err
	}
	modules, err := rootModules(root)
	if err != nil {
		return 0, err
	}
	types, err := usedTypes(root, modules)
	if err != nil {
		return 0, err
	}
	tofu, err := step(v, "build OpenTofu "+strings.TrimPrefix(tofuModule, "github.com/opentofu/opentofu@"), func() (string, error) { return v.tofu(ctx) })
	if err != nil {
		return 0, err
	}
	versions := map[string]string{}
	if len(types["google"].resources) == 0 {
		return 0, errors.New("no google resource in the modules: nothing for the canary")
	}
	canaryType := slices.Min(slices.Collect(maps.Keys(types["google"].resources)))
	for _, b := range bindings {
		p, err := step(v, "read the schema of "+b.name+"@"+b.version, func() (*tfschema.Provider, error) { return v.schema(ctx, b, types[b.provider]) })
		if err != nil {
			return 0, err
		}
		if err := v.mirror(p); err != nil {
			return 0, err
		}
		versions[b.provider] = p.Version
		delete(types, b.provider)
	}
	for prefix := range types {
		return 0, fmt.Errorf("no bindings for the provider of %s_* resources", prefix)
	}
	constraint, err := providerConstraint(filepath.Join(root, "terraform"), "google")
	if err != nil {
		return 0, err
	}
	behind := "NOT THE VERSION"
	if first := regexp.MustCompile(`\d+`).FindString(constraint); first != "" && strings.HasPrefix(versions["google"], fmt.Sprint(atoi(first)-1)+".") {
		behind = "ONE MAJOR VERSION BEHIND"
	}
	fmt.Fprintf(v.stdout, `tfvalidate: NOTE: the google provider's schema is that of google %s, %s
  that terraform/versions.tf asks for (%q): no machine-readable schema of a newer google is
  reachable from here. An override file pins google to %s and archive to %s in the copy
  validated. docs/deploy.md lists what google 7.0 changed for the resources used.
`, versions["google"], behind, constraint, versions["google"], versions["archive"])

	if err := v.canary(ctx, tofu, canaryType, versions); err != nil {
		return 0, err
	}

	repo := filepath.Join(v.tmp, "repo")
	if err := copyRepo(root, repo); err != nil {
		return 0, err
	}
	for _, m := range modules {
		if err := pinProviders(filepath.Join(repo, m), versions); err != nil {
			return 0, err
		}
	}
	for _, m := range modules {
		ok, err := v.validate(ctx, tofu, repo, m)
		if err != nil {
			return 0, err
		}
		if !ok {
			invalid++
		}
	}
	return invalid, nil
}

// step runs one slow step and says how long it took.
func step[T any](v *validator, what string, f func() (T, error)) (T, error) {
	start := time.Now()
	t, err := f()
	if err == nil {
		fmt.Fprintf(v.stdout, "tfvalidate: %s: %.1fs\n", what, time.Since(start).Seconds())
	}
	return t, err
}

// repoRoot is the folder of go.mod, from the current directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "terraform", "versions.tf")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the repository: no go.mod with terraform/versions.tf above the current directory")
		}
		dir = parent
	}
}

// run runs a command, its output kept for the error it may return.
func runCmd(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out, nil
}

// tofu returns the path of the tofu binary, built into the cache if it is
// not there. go install refuses OpenTofu's module (its go.mod has replace
// directives), so it is built inside the downloaded module, which needs no
// write access: the output goes to the cache.
func (v *validator) tofu(ctx context.Context) (string, error) {
	version := strings.TrimPrefix(tofuModule, "github.com/opentofu/opentofu@")
	bin := filepath.Join(v.cache, "tofu-"+version+"-"+runtime.GOOS+"-"+runtime.GOARCH, "tofu")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(v.stdout, "tfvalidate: building OpenTofu %s from the Go module proxy (minutes, once per cache)\n", version)
	// The module's own go.mod, not this repository's or a workspace.
	env := []string{"GOWORK=off", "GOFLAGS=-mod=mod"}
	out, err := runCmd(ctx, v.tmp, env, "go", "mod", "download", "-json", tofuModule)
	if err != nil {
		return "", err
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s %v", tofuModule, mod.Error, err)
	}
	partial := bin + ".partial"
	if _, err := runCmd(ctx, mod.Dir, env, "go", "build", "-trimpath", "-ldflags=-X github.com/opentofu/opentofu/version.dev=no", "-o", partial, "./cmd/tofu"); err != nil {
		return "", err
	}
	return bin, os.Rename(partial, bin)
}

// schema fetches the bindings into the cache if need be, and extracts the
// schema of the types named from the files of the tarball it needs.
func (v *validator) schema(ctx context.Context, b binding, types typeSet) (*tfschema.Provider, error) {
	tgz, err := v.fetch(ctx, b)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(v.tmp, "npm", b.provider)
	resources, data := slices.Sorted(maps.Keys(types.resources)), slices.Sorted(maps.Keys(types.data))
	want := func(path string) bool {
		if path == "package/package.json" || path == "package/lib/provider/index.js" {
			return true
		}
		lib, ok := strings.CutPrefix(path, "package/lib/")
		folder, file, _ := strings.Cut(lib, "/")
		code := file == "index.js" || strings.HasPrefix(file, "index-structs/") && strings.HasSuffix(file, ".js")
		return ok && code && (types.resources[typeOf(b.provider, folder, false)] || types.data[typeOf(b.provider, folder, true)])
	}
	if err := untar(tgz, dir, want); err != nil {
		return nil, fmt.Errorf("%s: %w", tgz, err)
	}
	pkg, err := tfschema.OpenPackage(filepath.Join(dir, "package"))
	if err != nil {
		return nil, err
	}
	return pkg.Extract(resources, data)
}

// typeOf is the type a folder of lib/ binds, the inverse of
// tfschema's naming: pubsub-topic is google_pubsub_topic, and
// data-google-project the data source google_project.
func typeOf(provider, folder string, data bool) string {
	if data {
		rest, ok := strings.CutPrefix(folder, "data-")
		if !ok {
			return ""
		}
		return strings.ReplaceAll(rest, "-", "_")
	}
	return provider + "_" + strings.ReplaceAll(folder, "-", "_")
}

// fetch returns the path of the npm tarball of b in the cache, packing it
// with npm if it is not there, and checks its integrity.
func (v *validator) fetch(ctx context.Context, b binding) (string, error) {
	dir := filepath.Join(v.cache, "npm")
	tgz := filepath.Join(dir, strings.TrimPrefix(strings.ReplaceAll(b.name, "/", "-"), "@")+"-"+b.version+".tgz")
	if _, err := os.Stat(tgz); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		fmt.Fprintf(v.stdout, "tfvalidate: npm pack %s@%s\n", b.name, b.version)
		if _, err := runCmd(ctx, dir, nil, "npm", "pack", "--silent", b.name+"@"+b.version); err != nil {
			return "", err
		}
	}
	if err := checkIntegrity(tgz, b.integrity); err != nil {
		return "", fmt.Errorf("%s: %w (delete it to fetch it again)", tgz, err)
	}
	return tgz, nil
}

// mirror writes the schema of p and, in the filesystem mirror, a provider
// executable of its address and version that serves it: a script that
// runs this very program with -serve-provider.
func (v *validator) mirror(p *tfschema.Provider) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	name := p.Source[strings.LastIndex(p.Source, "/")+1:]
	schema := filepath.Join(v.tmp, "schemas", name+".json")
	if err := os.MkdirAll(filepath.Dir(schema), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(schema, b, 0o644); err != nil {
		return err
	}
	// OpenTofu resolves hashicorp/NAME on its own registry's host.
	_, namespaced, _ := strings.Cut(p.Source, "/")
	dir := filepath.Join(v.tmp, "mirror", "registry.opentofu.org", namespaced, p.Version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s -serve-provider %s\n", shellQuote(self), shellQuote(schema))
	return os.WriteFile(filepath.Join(dir, "terraform-provider-"+name+"_v"+p.Version), []byte(script), 0o755)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// pinProviders writes, in a module that declares required_providers, an
// override file that pins each provider to the version its schema is of.
func pinProviders(dir string, versions map[string]string) error {
	declares, err := declaresProviders(dir)
	if err != nil || !declares {
		return err
	}
	var b strings.Builder
	b.WriteString("# Written by scripts/tfvalidate in its copy of the repository: the\n# providers served are of the versions the published schemas are of.\nterraform {\n  required_providers {\n")
	for _, name := range slices.Sorted(maps.Keys(versions)) {
		fmt.Fprintf(&b, "    %s = {\n      source  = \"hashicorp/%s\"\n      version = \"%s\"\n    }\n", name, name, versions[name])
	}
	b.WriteString("  }\n}\n")
	return os.WriteFile(filepath.Join(dir, "tfvalidate_override.tf"), []byte(b.String()), 0o644)
}

// validate runs tofu init and validate in one module of the copy and prints
// the diagnostics; ok is false when one is an error.
func (v *validator) validate(ctx context.Context, tofu, repo, module string) (ok bool, err error) {
	res, err := v.tofuValidate(ctx, tofu, filepath.Join(repo, module), module)
	if err != nil {
		return false, err
	}
	for _, d := range res.Diagnostics {
		fmt.Fprintln(v.stdout, d.line(module))
	}
	fmt.Fprintf(v.stdout, "tfvalidate: %s: valid=%t, %d error(s), %d warning(s)\n", module, res.Valid, res.ErrorCount, res.WarningCount)
	return res.Valid && res.ErrorCount == 0, nil
}

// canaryArgument is an argument no resource has.
const canaryArgument = "tfvalidate_canary_argument"

// canary validates, before the modules, a module that gives a resource of
// the first type used an argument it does not have, and fails unless tofu
// says so: a run that passes has shown that it can fail, that the schema
// served is the one checked.
func (v *validator) canary(ctx context.Context, tofu, resource string, versions map[string]string) error {
	dir := filepath.Join(v.tmp, "canary")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := pinProviders(dir, versions); err != nil {
		return err
	}
	body := fmt.Sprintf("resource %q \"canary\" {\n  %s = true\n}\n", resource, canaryArgument)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body), 0o644); err != nil {
		return err
	}
	res, err := v.tofuValidate(ctx, tofu, dir, "canary")
	if err != nil {
		return err
	}
	for _, d := range res.Diagnostics {
		if d.Severity == "error" && d.Summary == "Unsupported argument" && strings.Contains(d.Detail, canaryArgument) {
			fmt.Fprintf(v.stdout, "tfvalidate: canary: tofu refuses %s on %s, as it must\n", canaryArgument, resource)
			return nil
		}
	}
	return fmt.Errorf("canary: tofu validate did not refuse %s on %s (valid=%t, %d diagnostics): the served schema is not what tofu checks", canaryArgument, resource, res.Valid, len(res.Diagnostics))
}

// tofuValidate runs tofu init and validate -json in dir.
func (v *validator) tofuValidate(ctx context.Context, tofu, dir, label string) (result, error) {
	rc := filepath.Join(v.tmp, "tofurc")
	config := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", filepath.Join(v.tmp, "mirror"))
	if err := os.WriteFile(rc, []byte(config), 0o644); err != nil {
		return result{}, err
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_PLUGIN_CACHE_DIR=", "TF_DATA_DIR=" + filepath.Join(dir, ".terraform")}
	if _, err := step(v, "tofu init "+label, func() ([]byte, error) {
		return runCmd(ctx, dir, env, tofu, "init", "-backend=false", "-input=false", "-no-color")
	}); err != nil {
		return result{}, err
	}
	out, err := runCmd(ctx, dir, env, tofu, "validate", "-json", "-no-color")
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return result{}, err
	}
	var res result
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		return result{}, fmt.Errorf("tofu validate %s: %v (%w)", label, jerr, err)
	}
	return res, nil
}

// result is the output of tofu validate -json.
type result struct {
	Valid        bool
	ErrorCount   int `json:"error_count"`
	WarningCount int `json:"warning_count"`
	Diagnostics  []diagnostic
}

type diagnostic struct {
	Severity, Summary, Detail string
	Range                     *struct {
		Filename string
		Start    struct{ Line, Column int }
	}
}

// line is the diagnostic on one line, its file named from the repository
// root: terraform/queue.tf:12:3: error: Unsupported argument: ...
func (d diagnostic) line(module string) string {
	where := module
	if d.Range != nil {
		where = fmt.Sprintf("%s:%d:%d", filepath.Join(module, d.Range.Filename), d.Range.Start.Line, d.Range.Start.Column)
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + strings.Join(strings.Fields(d.Detail), " ")
	}
	return fmt.Sprintf("%s: %s: %s", where, d.Severity, msg)
}
