package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"shopify-webhook-secret": "SAFEVIEW_SECRET_SHOPIFY_WEBHOOK_SECRET",
		"pseudonym.key":          "SAFEVIEW_SECRET_PSEUDONYM_KEY",
		"Stripe2":                "SAFEVIEW_SECRET_STRIPE2",
	} {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SAFEVIEW_SECRET_A":          "new",
		"SAFEVIEW_SECRET_A_PREVIOUS": "old",
		"SAFEVIEW_SECRET_B":          "only",
	}
	e := Env{Getenv: func(k string) string { return env[k] }}
	ctx := context.Background()
	tests := []struct {
		name    string
		want    []string
		wantErr error
	}{
		{"a", []string{"new", "old"}, nil},
		{"b", []string{"only"}, nil},
		{"c", nil, ErrNotFound},
	}
	for _, tt := range tests {
		got, err := e.Lookup(ctx, tt.name)
		if !errors.Is(err, tt.wantErr) || !cmp.Equal(got, tt.want) {
			t.Errorf("Lookup(%q) = %q, %v, want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secrets.yaml")
	data := "shop: s3cret\nstripe: [whsec_new, whsec_old]\nempty: \"\"\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := Lookups(ctx, f, []string{"shop", "stripe"})
	if want := []string{"s3cret", "whsec_new", "whsec_old"}; err != nil || !cmp.Equal(got, want) {
		t.Errorf("Lookups() = %q, %v, want %q", got, err, want)
	}
	if _, err := f.Lookup(ctx, "empty"); !errors.Is(err, ErrNoVersion) {
		t.Errorf("Lookup(empty) error = %v, want ErrNoVersion", err)
	}
	_, err = f.Lookup(ctx, "missing")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("Lookup(missing) error = %v, want ErrNotFound naming the secret", err)
	}
}

func TestFileErrorsHideValues(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(path, []byte("a: {nested: CANARY-VALUE}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Fatalf("LoadFile() error = %v, want an error that does not quote the value", err)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(path, []byte("k: v\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := Open(ctx, "env", SecretManagerOptions{}); err != nil {
		t.Errorf("Open(env) = %T, %v", r, err)
	} else if _, ok := r.(Env); !ok {
		t.Errorf("Open(env) = %T, want Env", r)
	}
	r, err := Open(ctx, "file:"+path, SecretManagerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := r.Lookup(ctx, "k"); err != nil || v[0] != "v" {
		t.Errorf("Open(file).Lookup(k) = %q, %v", v, err)
	}
	if _, err := Open(ctx, "secretmanager", SecretManagerOptions{}); err == nil {
		t.Error("Open(secretmanager) without a project succeeded")
	}
	if _, err := Open(ctx, "vault", SecretManagerOptions{}); err == nil || !strings.Contains(err.Error(), "want secretmanager, env or file:PATH") {
		t.Errorf("Open(vault) error = %v, want the choices", err)
	}
}
