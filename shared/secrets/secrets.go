// Package secrets resolves the names of secrets in the configuration
// (webhook signing keys, the pseudonym key) to their live values.
//
// A secret may have several live values at once, newest first: during a
// rotation both the new and the previous value verify until the old one is
// disabled. In Google Cloud the values come from Secret Manager; locally
// from environment variables or a file. Errors name the secret, never its
// value.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Sentinel errors, wrapped with the secret's name.
var (
	ErrNotFound   = errors.New("secret not found")
	ErrPermission = errors.New("permission denied on secret")
	ErrNoVersion  = errors.New("secret has no enabled version")
)

// Resolver returns the live values of a secret, newest first. It never
// returns an empty list or an empty value without an error.
type Resolver interface {
	Lookup(ctx context.Context, name string) ([]string, error)
}

// EnvPrefix starts the environment variables Env reads.
const EnvPrefix = "SAFEVIEW_SECRET_"

// Env reads secrets from environment variables: the secret
// "shopify-webhook-secret" is SAFEVIEW_SECRET_SHOPIFY_WEBHOOK_SECRET, and
// during a rotation the previous value is in the same name with the suffix
// _PREVIOUS. Meant for local runs and tests.
type Env struct {
	// Getenv replaces os.Getenv, for tests.
	Getenv func(string) string
}

// EnvName returns the environment variable that holds a secret.
func EnvName(secret string) string {
	var b strings.Builder
	b.WriteString(EnvPrefix)
	for _, r := range secret {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Lookup implements Resolver.
func (e Env) Lookup(_ context.Context, name string) ([]string, error) {
	get := e.Getenv
	if get == nil {
		get = os.Getenv
	}
	v := EnvName(name)
	cur := get(v)
	if cur == "" {
		return nil, fmt.Errorf("%w: %q (set %s)", ErrNotFound, name, v)
	}
	out := []string{cur}
	if prev := get(v + "_PREVIOUS"); prev != "" {
		out = append(out, prev)
	}
	return out, nil
}

// File reads secrets from a YAML file mapping each name to a value or to a
// list of values, newest first:
//
//	shopify-webhook-secret: s3cr3t
//	stripe-webhook-secret: [whsec_new, whsec_old]
type File struct{ values map[string][]string }

// LoadFile reads a secrets file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(data, &raw); err != nil {
		// yaml errors quote no values of ours beyond line numbers.
		return nil, fmt.Errorf("secrets file %s: not a map of names to values", path)
	}
	f := &File{values: make(map[string][]string, len(raw))}
	for name, node := range raw {
		var vals []string
		switch node.Kind {
		case yaml.ScalarNode:
			vals = []string{node.Value}
		case yaml.SequenceNode:
			if err := node.Decode(&vals); err != nil {
				return nil, fmt.Errorf("secrets file %s: %q: want a string or a list of strings", path, name)
			}
		default:
			return nil, fmt.Errorf("secrets file %s: %q: want a string or a list of strings", path, name)
		}
		f.values[name] = vals
	}
	return f, nil
}

// Lookup implements Resolver.
func (f *File) Lookup(_ context.Context, name string) ([]string, error) {
	vals, ok := f.values[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	live := make([]string, 0, len(vals))
	for _, v := range vals {
		if v != "" {
			live = append(live, v)
		}
	}
	if len(live) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNoVersion, name)
	}
	return live, nil
}

// Map is a Resolver over a fixed map, for tests and the local stack.
type Map map[string][]string

// Lookup implements Resolver.
func (m Map) Lookup(_ context.Context, name string) ([]string, error) {
	vals, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if len(vals) == 0 || vals[0] == "" {
		return nil, fmt.Errorf("%w: %q", ErrNoVersion, name)
	}
	return vals, nil
}

// Open returns the resolver a spec names: "env" (Env), "file:PATH"
// (LoadFile), or "secretmanager" (NewSecretManager with sm, whose Project
// is then required).
func Open(ctx context.Context, spec string, sm SecretManagerOptions) (Resolver, error) {
	switch {
	case spec == "env":
		return Env{}, nil
	case strings.HasPrefix(spec, "file:"):
		return LoadFile(strings.TrimPrefix(spec, "file:"))
	case spec == "secretmanager":
		return NewSecretManager(ctx, sm)
	}
	return nil, fmt.Errorf("secrets %q: want secretmanager, env or file:PATH", spec)
}

// Lookups resolves several secrets and returns all their live values,
// in order, for a verifier that accepts any of them.
func Lookups(ctx context.Context, r Resolver, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		vals, err := r.Lookup(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	return out, nil
}
