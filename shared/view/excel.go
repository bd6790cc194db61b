package view

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/secrets"
)

// GraphConn is how an Excel destination reaches Microsoft Graph: an HTTP
// client that signs its requests in, and Graph's base URL.
type GraphConn struct {
	Client   *http.Client
	Endpoint string
}

// GraphOptions say how Graph builds the connections of Excel
// destinations; the zero value is production's: Graph and Entra ID, the
// function's Google ID token as the federated credential.
type GraphOptions struct {
	// Endpoint is Graph's base URL (excel.DefaultEndpoint), or an
	// emulator's.
	Endpoint string
	// AuthorityHost is Entra ID's (https://login.microsoftonline.com/ by
	// default), or an emulator's.
	AuthorityHost string
	// Transport, when set, carries every request: one that trusts an
	// emulator's certificate.
	Transport *http.Client
	// TenantID and ClientID apply to the destinations that name none
	// (Terraform sets them in the environment).
	TenantID, ClientID string
	// Assertion is the federated credential's token: by default the
	// function's Google ID token from the metadata server.
	Assertion func(ctx context.Context) (string, error)
	// Secrets resolves the client secret of a destination that names one.
	Secrets secrets.Resolver
}

// Graph returns a Deps.Graph that signs in as o says: with a client
// assertion (no stored secret) unless the destination names a client
// secret, the fallback.
func Graph(o GraphOptions) func(ctx context.Context, name string, d *config.Destination) (GraphConn, error) {
	return func(ctx context.Context, name string, d *config.Destination) (GraphConn, error) {
		x := d.Excel
		a := excel.Auth{TenantID: x.TenantID, ClientID: x.ClientID, Assertion: o.Assertion, AuthorityHost: o.AuthorityHost, Transport: o.Transport}
		if a.TenantID == "" {
			a.TenantID = o.TenantID
		}
		if a.ClientID == "" {
			a.ClientID = o.ClientID
		}
		if a.TenantID == "" || a.ClientID == "" {
			return GraphConn{}, fmt.Errorf("no tenant or client id: set destinations.%s.excel.tenant_id and client_id, or SAFEVIEW_ENTRA_TENANT_ID and SAFEVIEW_ENTRA_CLIENT_ID", name)
		}
		if x.ClientSecret != "" {
			if o.Secrets == nil {
				return GraphConn{}, fmt.Errorf("destinations.%s.excel.client_secret: no secrets to read it from", name)
			}
			vals, err := o.Secrets.Lookup(ctx, x.ClientSecret)
			if err != nil {
				return GraphConn{}, fmt.Errorf("destinations.%s.excel.client_secret: %w", name, err)
			}
			a.Secret = vals[0]
		} else if a.Assertion == nil {
			a.Assertion = excel.GoogleIDToken(nil)
		}
		cred, err := a.Credential()
		if err != nil {
			return GraphConn{}, err
		}
		var base http.RoundTripper
		if o.Transport != nil {
			base = o.Transport.Transport
		}
		ep := o.Endpoint
		if ep == "" {
			ep = excel.DefaultEndpoint
		}
		return GraphConn{Client: excel.NewHTTPClient(cred, base), Endpoint: ep}, nil
	}
}

// openExcel builds an Excel destination.
func (v *View) openExcel(ctx context.Context, d Deps, tg *target) (Destination, error) {
	cfg := v.cfg
	dc := cfg.Destinations[tg.name]
	what := "destination " + tg.name
	if d.Graph == nil {
		return nil, fmt.Errorf("%s: no Graph connection for an Excel destination", what)
	}
	conn, err := d.Graph(ctx, tg.name, dc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var tables []excel.Table
	for _, t := range cfg.Tables {
		if h := tg.tables[t.Tab]; h != nil {
			tables = append(tables, excel.Table{Table: h.table, Name: dc.NamedTable(t.Tab)})
		}
	}
	log := d.Logger
	if log != nil {
		log = log.With("destination", tg.name)
	}
	wb := dc.Excel.Workbook
	s, err := excel.New(conn.Client, conn.Endpoint, excel.Workbook{DriveID: wb.DriveID, ItemID: wb.ItemID, Site: wb.Site, Path: wb.Path}, tables, excel.Options{
		Logger:          log,
		BatchWindow:     time.Duration(cfg.Sheet.BatchWindow),
		MaxRowsPerFlush: cfg.Sheet.MaxRowsPerFlush,
		MarksTTL:        time.Duration(cfg.Sheet.RememberFiltered),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return s, nil
}

var _ Destination = (*excel.Sink)(nil)

// Environment variables of the Excel destinations, read by GraphFromEnv
// in both functions.
const (
	// EnvEntraTenantID and EnvEntraClientID are the Entra ID tenant and
	// the app registration that may write the workbooks, for the Excel
	// destinations that name none. Terraform sets them.
	EnvEntraTenantID = "SAFEVIEW_ENTRA_TENANT_ID"
	EnvEntraClientID = "SAFEVIEW_ENTRA_CLIENT_ID"
	// EnvGraphEndpoint points the Excel destinations at a Graph
	// emulator; EnvEntraAuthority at its identity platform, whose
	// certificate is in the PEM file EnvEntraCA. Never set in
	// production. The federated credential's token comes from the
	// metadata server, which GCE_METADATA_HOST moves.
	EnvGraphEndpoint  = "SAFEVIEW_GRAPH_ENDPOINT"
	EnvEntraAuthority = "SAFEVIEW_ENTRA_AUTHORITY"
	EnvEntraCA        = "SAFEVIEW_ENTRA_CA"
)

// GraphFromEnv says how the Excel destinations reach Graph: Microsoft's,
// signed in with the function's Google ID token, unless the environment
// points at an emulator.
func GraphFromEnv(res secrets.Resolver) (GraphOptions, error) {
	o := GraphOptions{
		Endpoint:      os.Getenv(EnvGraphEndpoint),
		AuthorityHost: os.Getenv(EnvEntraAuthority),
		TenantID:      os.Getenv(EnvEntraTenantID),
		ClientID:      os.Getenv(EnvEntraClientID),
		Secrets:       res,
	}
	if ca := os.Getenv(EnvEntraCA); ca != "" {
		hc, err := excel.TrustingClient(ca)
		if err != nil {
			return o, fmt.Errorf("%s: %w", EnvEntraCA, err)
		}
		o.Transport = hc
	}
	return o, nil
}
