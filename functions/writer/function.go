// Package writerfn is the HTTP Cloud Function "Writer" of queued mode:
// Pub/Sub pushes it the messages the webhook function published (package
// queue), and it writes each row in the destination the message names,
// through that destination's group commit, as the webhook function does
// in direct mode.
//
// A message is acknowledged (answered 2xx) only once its row is written,
// or known to be unchanged, stale, filtered or removed; any other answer
// has Pub/Sub deliver it again with exponential backoff, and after the
// subscription's most attempts move it to the dead-letter topic
// (scripts/replay brings it back). Only the push subscription's service
// account may call it: Cloud Run checks the OIDC token Pub/Sub attaches,
// and so does the function (audience, issuer, account).
//
// An erasure or access request is applied after the rows published
// before it: see hold.go. docs/queued.md explains the mode.
package writerfn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/setup"
	"github.com/safeview/safeview/shared/view"
)

// Environment variables read by the deployed function, besides those it
// shares with the webhook function (SAFEVIEW_CONFIG,
// SAFEVIEW_SPREADSHEET_ID, SAFEVIEW_SHEETS_ENDPOINT, SAFEVIEW_PROJECT).
const (
	// EnvPushAudience is the audience the push subscription's OIDC token
	// must have: the function's URL. Required.
	EnvPushAudience = "SAFEVIEW_PUSH_AUDIENCE"
	// EnvPushServiceAccount is the email of the push subscription's
	// service account, the only one whose tokens are accepted. Required.
	EnvPushServiceAccount = "SAFEVIEW_PUSH_SERVICE_ACCOUNT"
	// EnvPushCertsURL replaces Google's key set
	// (https://www.googleapis.com/oauth2/v3/certs) when verifying tokens:
	// the local stack's issuer. Never set in production.
	EnvPushCertsURL = "SAFEVIEW_PUSH_CERTS_URL"
	// EnvMaxDeliveryAttempts is the subscription's dead-letter policy's
	// most delivery attempts (default 20): a row that fails its last
	// attempt no longer holds back the requests published after it.
	EnvMaxDeliveryAttempts = "SAFEVIEW_MAX_DELIVERY_ATTEMPTS"
	// EnvRequestSettle is how long after its publication a request waits
	// before it is applied (default 10s; see hold.go).
	EnvRequestSettle = "SAFEVIEW_REQUEST_SETTLE"
	// EnvPushDeadline bounds the writing of one push (default 30s): keep
	// it under the subscription's ack deadline, past which Pub/Sub
	// counts the push as failed and delivers it again.
	EnvPushDeadline = "SAFEVIEW_PUSH_DEADLINE"
	// EnvConcurrency is the requests one instance of the writer serves at
	// once (Cloud Run's concurrency; Terraform sets it from
	// writer_max_instance_request_concurrency; default 1000): each
	// destination's fair share of it is kept while the writer is crowded
	// (see share.go). 0 turns the bound off.
	EnvConcurrency = "SAFEVIEW_WRITER_CONCURRENCY"

	envConfig         = "SAFEVIEW_CONFIG"
	envSpreadsheetID  = "SAFEVIEW_SPREADSHEET_ID"
	envSheetsEndpoint = "SAFEVIEW_SHEETS_ENDPOINT"
)

// Defaults.
const (
	DefaultMaxDeliveryAttempts = 20
	DefaultRequestSettle       = 10 * time.Second
	DefaultPushDeadline        = 30 * time.Second
	DefaultConcurrency         = 1000
)

func init() {
	functions.HTTP("Writer", serve)
}

// instance is the handler, built on the first request (package setup): a
// failed setup stands 30 s before a request tries again, so that a
// secret's value added or a grant given after the deploy is picked up
// without a redeploy.
var instance = setup.Once[Handler]{
	Retry: 30 * time.Second,
	Build: NewFromEnv,
	Failed: func(err error) {
		logging.Default().Error("setup failed: pushes get 500 and are retried until it is fixed; trying again in 30s", logging.KeyError, err.Error())
	},
}

// serve builds the handler on the first request, once per instance. A
// broken setup answers 500, which Pub/Sub retries: nothing is lost while
// it is fixed.
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
	path := os.Getenv(envConfig)
	if path == "" {
		path = "safeview.yaml"
		if _, err := os.Stat(path); err != nil {
			// Where the Go buildpack puts the deployed source.
			path = "serverless_function_source_code/safeview.yaml"
		}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if id := os.Getenv(envSpreadsheetID); id != "" {
		cfg.Spreadsheet.ID = id
	}
	if err := view.DestinationSpreadsheets(cfg, os.Getenv(view.EnvDestinationSpreadsheets)); err != nil {
		return nil, err
	}
	opts := []option.ClientOption{option.WithScopes(sheets.SpreadsheetsScope)}
	if ep := os.Getenv(envSheetsEndpoint); ep != "" {
		opts = []option.ClientOption{option.WithEndpoint(ep), option.WithoutAuthentication()}
	}
	svc, err := sheets.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("sheets client: %w", err)
	}
	auth, err := NewAuth(ctx, os.Getenv(EnvPushAudience), os.Getenv(EnvPushServiceAccount), os.Getenv(EnvPushCertsURL))
	if err != nil {
		return nil, err
	}
	// In queued mode the writer writes every destination: each Google
	// spreadsheet as its own service account, as the webhook function
	// does in direct mode (Terraform grants the writer the token creator
	// role on exactly those accounts).
	accounts, err := view.DestinationAccounts(cfg, os.Getenv(view.EnvDestinationAccounts))
	if err != nil {
		return nil, err
	}
	sheetsFor, err := view.DestinationSheets(ctx, accounts, os.Getenv(view.EnvIAMCredentialsEndpoint), os.Getenv(envSheetsEndpoint), logging.Default())
	if err != nil {
		return nil, err
	}
	// The Excel destinations sign in with the writer's own Google
	// identity (the federated credential): no secret is read.
	graph, err := view.GraphFromEnv(secrets.Map{})
	if err != nil {
		return nil, err
	}
	d := Deps{Config: cfg, Sheets: svc, SheetsFor: sheetsFor, Graph: &graph, Auth: auth, Logger: logging.Default(),
		MaxDeliveryAttempts: DefaultMaxDeliveryAttempts, RequestSettle: DefaultRequestSettle, PushDeadline: DefaultPushDeadline,
		Concurrency: DefaultConcurrency}
	if s := os.Getenv(EnvMaxDeliveryAttempts); s != "" {
		if d.MaxDeliveryAttempts, err = strconv.Atoi(s); err != nil || d.MaxDeliveryAttempts < 1 {
			return nil, errors.New(EnvMaxDeliveryAttempts + ": want a whole number of attempts, 1 or more")
		}
	}
	if s := os.Getenv(EnvConcurrency); s != "" {
		if d.Concurrency, err = strconv.Atoi(s); err != nil || d.Concurrency < 0 {
			return nil, errors.New(EnvConcurrency + ": want a whole number of requests, 0 (no bound) or more")
		}
	}
	for name, d := range map[string]*time.Duration{EnvRequestSettle: &d.RequestSettle, EnvPushDeadline: &d.PushDeadline} {
		if s := os.Getenv(name); s != "" {
			if *d, err = time.ParseDuration(s); err != nil || *d < 0 {
				return nil, errors.New(name + ": want a duration such as 10s")
			}
		}
	}
	return New(ctx, d)
}

// Deps are what the handler is built from.
type Deps struct {
	Config *config.Config
	// Sheets is the client of the Sheets API, as for the webhook
	// function in direct mode.
	Sheets *sheets.Service
	// Auth checks the push subscription's token; nil accepts any request
	// (tests of what comes after).
	Auth *Auth
	// SheetsFor is the Sheets client of each destination, by name: its
	// own service account (view.DestinationSheets). Nil writes every
	// destination with Sheets.
	SheetsFor func(ctx context.Context, name string) (*sheets.Service, error)
	// Graph connects the Excel destinations (view.GraphFromEnv); nil
	// when the configuration has none.
	Graph *view.GraphOptions
	// Destinations replace those the view would build (tests).
	Destinations map[string]view.Destination
	Logger       *slog.Logger
	// MaxDeliveryAttempts, RequestSettle and PushDeadline: see the
	// environment variables of the same names.
	MaxDeliveryAttempts int
	RequestSettle       time.Duration
	PushDeadline        time.Duration
	// Concurrency is the instance's (EnvConcurrency); 0 bounds no
	// destination's share.
	Concurrency int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New builds the handler: the view's destinations, once per instance.
func New(ctx context.Context, d Deps) (*Handler, error) {
	cfg := d.Config
	if !cfg.Queued() {
		return nil, fmt.Errorf("%s: mode is %s: the writer drains the topic of queued mode (mode: queued)", cfg.File(), cfg.Mode)
	}
	if cfg.Spreadsheet.ID == "" && d.Destinations == nil {
		return nil, errors.New("no spreadsheet id: set spreadsheet.id in the configuration or " + envSpreadsheetID)
	}
	log := d.Logger
	if log == nil {
		log = logging.Default()
	}
	// The writer runs no pipeline: the webhook function did, and the
	// message holds its row. The view compiles them all the same (for
	// the tables' headers), so it gets a pseudonym key that is random and
	// never used: the writer's service account reads no secret at all.
	unused := make([]byte, 32)
	_, _ = rand.Read(unused)
	res := secrets.Map{cfg.Privacy.PseudonymKey: {hex.EncodeToString(unused)}}
	vd := view.Deps{Config: cfg, Secrets: res, Sheets: d.Sheets, SheetsFor: d.SheetsFor, Destinations: d.Destinations, Logger: log}
	if d.Graph != nil {
		g := *d.Graph
		g.Secrets = res
		vd.Graph = view.Graph(g)
	}
	v, err := view.New(ctx, vd)
	if err != nil {
		return nil, err
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	attempts := d.MaxDeliveryAttempts
	if attempts < 1 {
		attempts = DefaultMaxDeliveryAttempts
	}
	deadline := d.PushDeadline
	if deadline <= 0 {
		deadline = DefaultPushDeadline
	}
	h := &Handler{view: v, auth: d.Auth, log: log, now: now, settle: d.RequestSettle, attempts: attempts, deadline: deadline, hold: newHold()}
	if d.Concurrency > 0 {
		h.share = newShare(d.Concurrency, 1+len(cfg.DestinationNames), deadline/2)
	}
	return h, nil
}
