// Package webhookfn is the HTTP Cloud Function "Webhook": platforms POST
// their signed webhooks to {function URL}/{source}, and each accepted
// order or booking becomes, or updates, one PII-safe row of a Google
// Sheet.
//
// The package only wires the shared packages together (config, webhook,
// platform, view, secrets, logging) and owns the table of answers
// (answers.go); docs/architecture.md draws the data flow and the package
// map.
package webhookfn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/setup"
	"github.com/safeview/safeview/shared/view"
)

// Environment variables read by the deployed function.
const (
	// EnvConfig is the path of the configuration file. Default:
	// safeview.yaml in the working directory, or at the root of the
	// deployed source, which the Go buildpack of Cloud Functions puts in
	// serverless_function_source_code/ below the working directory.
	EnvConfig = "SAFEVIEW_CONFIG"
	// EnvSpreadsheetID overrides the configuration's spreadsheet id.
	EnvSpreadsheetID = "SAFEVIEW_SPREADSHEET_ID"
	// EnvSecrets says where secrets come from: "secretmanager" (Secret
	// Manager in EnvProject, the default in Google Cloud, where K_SERVICE is
	// set), "env" (environment variables, see package secrets; the default
	// elsewhere) or "file:PATH".
	EnvSecrets = "SAFEVIEW_SECRETS"
	// EnvSheetsEndpoint points the Sheets client at an emulator, without
	// authentication. Never set in production.
	EnvSheetsEndpoint = "SAFEVIEW_SHEETS_ENDPOINT"
	// EnvProject is the Google Cloud project: of the secrets, and of log
	// traces.
	EnvProject = "SAFEVIEW_PROJECT"
	// EnvServiceAccount is the function's service account, named in the
	// errors about secrets it may not read (default: from the metadata
	// server). Terraform sets it.
	EnvServiceAccount = "SAFEVIEW_SERVICE_ACCOUNT"
	// EnvItemsEndpoint points the reads of line items (package items) at
	// a fake of the platforms' APIs. Never set in production.
	EnvItemsEndpoint = "SAFEVIEW_ITEMS_ENDPOINT"
)

func init() {
	functions.HTTP("Webhook", serve)
}

// instance is the handler, built on the first request (package setup): a
// failed setup stands 30 s before a request tries again, so that a
// secret's value added or a grant given after the deploy is picked up
// without a redeploy.
var instance = setup.Once[Handler]{
	Retry: 30 * time.Second,
	Build: func(ctx context.Context) (*Handler, error) {
		h, err := NewFromEnv(ctx)
		if err == nil {
			watchStop(h)
		}
		return h, err
	},
	Failed: func(err error) {
		logging.Default().Error("setup failed: requests get 500 until it is fixed; trying again in 30s", logging.KeyError, err.Error())
	},
}

// serve builds the handler on the first request, once per instance, and
// serves with it. A broken setup answers 500 and logs why; it never ends
// the process, so that the log can be read, and it is tried again at most
// every instance.Retry.
func serve(w http.ResponseWriter, r *http.Request) {
	h, err := handler()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, answer{Error: "function not configured"})
		return
	}
	h.ServeHTTP(w, r)
}

func handler() (*Handler, error) { return instance.Get() }

// NewFromEnv builds the handler from the environment variables above.
func NewFromEnv(ctx context.Context) (*Handler, error) {
	d, err := depsFromEnv(ctx, logging.Default())
	if err != nil {
		return nil, err
	}
	h, err := New(ctx, d)
	if c, ok := d.Secrets.(io.Closer); ok && err != nil {
		_ = c.Close() // a failed setup is tried again: leave no connection behind
	}
	return h, err
}

// depsFromEnv reads the environment variables above into the handler's
// dependencies, logging to log.
func depsFromEnv(ctx context.Context, log *slog.Logger) (_ Deps, err error) {
	path := os.Getenv(EnvConfig)
	if path == "" {
		path = defaultConfigPath()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return Deps{}, err
	}
	if id := os.Getenv(EnvSpreadsheetID); id != "" {
		cfg.Spreadsheet.ID = id
	}
	if err := destinationSpreadsheets(cfg, os.Getenv(EnvDestinationSpreadsheets)); err != nil {
		return Deps{}, err
	}
	res, err := secretsFromEnv(ctx, os.Getenv(EnvSecrets))
	if err != nil {
		return Deps{}, err
	}
	if c, ok := res.(io.Closer); ok {
		// A failed setup is tried again: leave no connection behind.
		defer func() {
			if err != nil {
				_ = c.Close()
			}
		}()
	}
	opts := []option.ClientOption{option.WithScopes(sheets.SpreadsheetsScope)}
	if ep := os.Getenv(EnvSheetsEndpoint); ep != "" {
		opts = []option.ClientOption{option.WithEndpoint(ep), option.WithoutAuthentication()}
	}
	svc, err := sheets.NewService(ctx, opts...)
	if err != nil {
		return Deps{}, fmt.Errorf("sheets client: %w", err)
	}
	accounts, err := destinationAccounts(cfg, os.Getenv(EnvDestinationAccounts))
	if err != nil {
		return Deps{}, err
	}
	sheetsFor, err := destinationSheets(ctx, accounts, os.Getenv(EnvIAMCredentialsEndpoint), os.Getenv(EnvSheetsEndpoint), log)
	if err != nil {
		return Deps{}, err
	}
	graph, err := graphFromEnv(res)
	if err != nil {
		return Deps{}, err
	}
	d := Deps{Config: cfg, Secrets: res, Sheets: svc, SheetsFor: sheetsFor, Graph: &graph, Logger: log, Project: os.Getenv(EnvProject),
		ItemsEndpoint: os.Getenv(EnvItemsEndpoint)}
	if cfg.Queued() {
		if d.Topic, err = topicFromEnv(ctx); err != nil {
			return Deps{}, err
		}
	}
	return d, nil
}

// defaultConfigPaths are where the configuration is looked for when
// EnvConfig is not set: see EnvConfig.
var defaultConfigPaths = []string{"safeview.yaml", "serverless_function_source_code/safeview.yaml"}

func defaultConfigPath() string {
	for _, p := range defaultConfigPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return defaultConfigPaths[0] // and config.Load says it is missing
}

func secretsFromEnv(ctx context.Context, spec string) (secrets.Resolver, error) {
	if spec == "" && os.Getenv("K_SERVICE") != "" {
		// Cloud Functions (gen2) and Cloud Run set K_SERVICE: there,
		// secrets live in Secret Manager.
		spec = "secretmanager"
	}
	if spec == "" {
		spec = "env"
	}
	r, err := secrets.Open(ctx, spec, secrets.SecretManagerOptions{Project: os.Getenv(EnvProject), ServiceAccount: os.Getenv(EnvServiceAccount)})
	switch {
	case errors.Is(err, secrets.ErrNoProject):
		return nil, errors.New(EnvSecrets + "=secretmanager needs " + EnvProject + ", the project of the secrets")
	case errors.Is(err, secrets.ErrSpec):
		return nil, errors.New(EnvSecrets + ": want secretmanager, env or file:PATH")
	case err != nil:
		return nil, err
	}
	return r, nil
}

// Deps are what the handler is built from.
type Deps struct {
	Config  *config.Config
	Secrets secrets.Resolver
	Sheets  *sheets.Service
	// SheetsFor is the Sheets client of each destination of the
	// configuration, by name: its own service account. Nil writes every
	// destination with Sheets.
	SheetsFor func(ctx context.Context, name string) (*sheets.Service, error)
	// Graph connects the Excel destinations; nil: Microsoft's Graph and
	// Entra ID, with the function's Google ID token.
	Graph  *view.GraphOptions
	Logger *slog.Logger
	// Project, when set, links log lines to Cloud Trace.
	Project string
	// ItemsEndpoint, when set, replaces the platforms' API base URL for
	// the sources that read line items (a fake: itemstest).
	ItemsEndpoint string
	// Topic is where queued mode publishes the rows (queued.go).
	Topic *pubsub.Publisher
}
