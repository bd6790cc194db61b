package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Errors of Open, for the caller to name its flag or variable.
var (
	// ErrNoProject means Secret Manager was chosen without the project
	// that holds the secrets.
	ErrNoProject = errors.New("secret manager needs the project of the secrets")
	// ErrSpec means the spec names no source of secrets.
	ErrSpec = errors.New("want secretmanager, env or file:PATH")
)

// Open returns the Resolver a spec names, as programs take it from a flag
// or an environment variable: "secretmanager" (Secret Manager in
// o.Project, which must be set: ErrNoProject), "env" (Env) or "file:PATH"
// (LoadFile). The function and the scripts that read the pseudonym key
// take the same specs.
func Open(ctx context.Context, spec string, o SecretManagerOptions) (Resolver, error) {
	switch {
	case spec == "env":
		return Env{}, nil
	case strings.HasPrefix(spec, "file:"):
		f, err := LoadFile(strings.TrimPrefix(spec, "file:"))
		if err != nil {
			return nil, err
		}
		return f, nil
	case spec == "secretmanager":
		if o.Project == "" {
			return nil, ErrNoProject
		}
		sm, err := NewSecretManager(ctx, o)
		if err != nil {
			return nil, err
		}
		return sm, nil
	}
	return nil, fmt.Errorf("%q: %w", spec, ErrSpec)
}
