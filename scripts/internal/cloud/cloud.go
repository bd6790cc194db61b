// Package cloud opens what the programs that work on a shop's real
// spreadsheet from a laptop (scripts/backfill, scripts/dsar) share: the
// resolver of the pseudonym key and the options of the Sheets client.
package cloud

import (
	"context"
	"io"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/secrets"
)

// SecretsSpec returns spec, or by default secretmanager when a project is
// given and env otherwise.
func SecretsSpec(spec, project string) string {
	switch {
	case spec != "":
		return spec
	case project != "":
		return "secretmanager"
	}
	return "env"
}

// OpenSecrets opens the resolver spec names (SecretsSpec fills it in);
// release closes a Secret Manager client.
func OpenSecrets(ctx context.Context, spec, project string) (r secrets.Resolver, release func(), err error) {
	r, err = secrets.Open(ctx, SecretsSpec(spec, project), secrets.SecretManagerOptions{Project: project})
	if err != nil {
		return nil, nil, err
	}
	release = func() {}
	if c, ok := r.(io.Closer); ok {
		release = func() { _ = c.Close() }
	}
	return r, release, nil
}

// SheetsOptions are the options of the Sheets client: the emulator at
// endpoint, without credentials; else the user's application default
// credentials with the Sheets scope, the calls billed to project.
func SheetsOptions(endpoint, project string) []option.ClientOption {
	if endpoint != "" {
		return []option.ClientOption{option.WithEndpoint(endpoint), option.WithoutAuthentication()}
	}
	opts := []option.ClientOption{option.WithScopes(sheets.SpreadsheetsScope)}
	if project != "" {
		opts = append(opts, option.WithQuotaProject(project))
	}
	return opts
}
