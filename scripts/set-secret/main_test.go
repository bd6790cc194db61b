package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/secrets/secretmanagertest"
)

const project = "shop-project"

// setSecret runs the command against a fake Secret Manager.
func setSecret(t *testing.T, srv *secretmanagertest.Server, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, srv.ClientOptions()...)
	return out.String() + errOut.String(), err
}

func TestAddsVersions(t *testing.T) {
	t.Parallel()
	srv := secretmanagertest.NewServer(t)
	srv.AddSecret(project, "shopify-webhook-secret")
	tests := []struct {
		stdin, want, version string
	}{
		{"first-value\n", "first-value", "1"},
		{"second-value\r\n", "second-value", "2"},
		{"third value with no newline", "third value with no newline", "3"},
		{"two lines\nkept\n", "two lines\nkept", "4"},
	}
	for _, tt := range tests {
		out, err := setSecret(t, srv, tt.stdin, "-project", project, "shopify-webhook-secret")
		if err != nil {
			t.Fatalf("run(%q) error = %v\n%s", tt.stdin, err, out)
		}
		name := secretmanagertest.SecretName(project, "shopify-webhook-secret") + "/versions/" + tt.version
		got, err := srv.Value(name)
		if err != nil || string(got) != tt.want {
			t.Errorf("run(%q): stored %q, %v, want %q", tt.stdin, got, err, tt.want)
		}
		if strings.Contains(out, tt.want) {
			t.Errorf("run(%q) printed the value:\n%s", tt.stdin, out)
		}
		if !strings.Contains(out, "added "+name) {
			t.Errorf("run(%q) output does not name the version %s:\n%s", tt.stdin, name, out)
		}
	}
	out, _ := setSecret(t, srv, "fifth\n", "-project", project, "shopify-webhook-secret")
	if !strings.Contains(out, "newest first: 5, 4, 3, 2, 1") || !strings.Contains(out, "gcloud secrets versions disable 4 --secret shopify-webhook-secret --project "+project) {
		t.Errorf("output lacks the versions and how to disable the old ones:\n%s", out)
	}
}

func TestRefuses(t *testing.T) {
	t.Parallel()
	srv := secretmanagertest.NewServer(t)
	srv.AddSecret(project, "key")
	tests := []struct {
		name, stdin string
		args        []string
		wantErr     string
	}{
		{"empty", "", []string{"-project", project, "key"}, "empty"},
		{"only a newline", "\n", []string{"-project", project, "key"}, "empty"},
		{"blank", "  \t\n", []string{"-project", project, "key"}, "empty"},
		{"too large", strings.Repeat("x", 64<<10+1), []string{"-project", project, "key"}, "larger"},
		{"no name", "v", []string{"-project", project}, "want the name"},
		{"value as argument", "v", []string{"-project", project, "key", "s3cret"}, "standard input"},
		{"bad name", "v", []string{"-project", project, "a/b"}, "not a secret name"},
		{"missing secret", "v", []string{"-project", project, "nope"}, "terraform apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := setSecret(t, srv, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%q) error = %v, want one saying %q", tt.args, err, tt.wantErr)
			}
		})
	}
	if n := srv.Calls("AddSecretVersion"); n != 1 {
		t.Errorf("AddSecretVersion called %d times, want 1 (only for the missing secret)", n)
	}
}

func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	srv := secretmanagertest.NewServer(t)
	srv.AddSecret(project, "key")
	srv.Deny(project, "key", true)
	_, err := setSecret(t, srv, "value", "-project", project, "key")
	if err == nil || !strings.Contains(err.Error(), "secretVersionAdder") {
		t.Errorf("run() error = %v, want one naming the role to ask for", err)
	}
}
