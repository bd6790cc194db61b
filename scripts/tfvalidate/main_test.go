package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The types read out of the modules are those of both providers, and each
// maps to the folder of lib/ that binds it and back.
func TestUsedTypes(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	modules, err := rootModules(root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"terraform", "terraform/examples/basic"}, modules); diff != "" {
		t.Errorf("rootModules: (-want +got)\n%s", diff)
	}
	types, err := usedTypes(root, modules)
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 2 || !types["google"].resources["google_pubsub_subscription"] || !types["google"].data["google_project"] || !types["archive"].data["archive_file"] {
		t.Errorf("usedTypes = %v, want google (google_pubsub_subscription, data google_project) and archive (data archive_file)", types)
	}
	for _, tt := range []struct {
		provider, folder string
		data             bool
		want             string
	}{
		{"google", "pubsub-topic", false, "google_pubsub_topic"},
		{"google", "cloudfunctions2-function", false, "google_cloudfunctions2_function"},
		{"google", "data-google-project", true, "google_project"},
		{"archive", "data-archive-file", true, "archive_file"},
		{"google", "pubsub-topic", true, ""},
	} {
		if got := typeOf(tt.provider, tt.folder, tt.data); got != tt.want {
			t.Errorf("typeOf(%q, %q, %t) = %q, want %q", tt.provider, tt.folder, tt.data, got, tt.want)
		}
	}
}

// Only a module that declares required_providers gets the override; an
// example, which declares none, is pinned through the module it calls.
func TestPinProviders(t *testing.T) {
	t.Parallel()
	versions := map[string]string{"google": "6.50.0", "archive": "2.7.1"}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "versions.tf"), []byte("terraform {\n  required_providers {\n    google = { source = \"hashicorp/google\" }\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pinProviders(dir, versions); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "tfvalidate_override.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`version = "6.50.0"`, `source  = "hashicorp/archive"`, `version = "2.7.1"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("tfvalidate_override.tf = %s, want %s in it", b, want)
		}
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "main.tf"), []byte("provider \"google\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pinProviders(other, versions); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(other, "tfvalidate_override.tf")); err == nil {
		t.Error("pinProviders wrote an override in a module without required_providers")
	}
}

// A tarball that is not the one npm publishes under that version is
// refused.
func TestCheckIntegrity(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.tgz")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	// sha512 of "abc".
	good := "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
	if err := checkIntegrity(path, good); err != nil {
		t.Errorf("checkIntegrity(abc, its sha512) = %v", err)
	}
	for _, bad := range []string{bindings[0].integrity, "sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0="} {
		if err := checkIntegrity(path, bad); err == nil {
			t.Errorf("checkIntegrity(abc, %s) = nil, want an error", bad)
		}
	}
}

// A diagnostic is one line, its file named from the repository root, even
// when tofu names it from an example that calls the module.
func TestDiagnosticLine(t *testing.T) {
	t.Parallel()
	var d diagnostic
	d.Severity, d.Summary, d.Detail = "error", "Unsupported argument", "An argument named \"x\" is\nnot expected here."
	d.Range = &struct {
		Filename string
		Start    struct{ Line, Column int }
	}{Filename: "../../apis.tf"}
	d.Range.Start.Line, d.Range.Start.Column = 28, 3
	want := `terraform/apis.tf:28:3: error: Unsupported argument: An argument named "x" is not expected here.`
	if got := d.line("terraform/examples/basic"); got != want {
		t.Errorf("line = %s, want %s", got, want)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"extra"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage:") {
		t.Errorf("run(extra) = %d, %q, want 2 and the usage", code, stderr.String())
	}
}

// The constraint printed beside the schema's version is the module's own.
func TestProviderConstraint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tf := "terraform {\n  required_providers {\n    google = {\n      source  = \"hashicorp/google\"\n      version = \">= 7.0, < 8.0\"\n    }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "versions.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := providerConstraint(dir, "google"); err != nil || got != ">= 7.0, < 8.0" {
		t.Errorf("providerConstraint(google) = %q, %v, want >= 7.0, < 8.0", got, err)
	}
	if got, err := providerConstraint(dir, "archive"); err == nil {
		t.Errorf("providerConstraint(archive) = %q, want an error", got)
	}
}
