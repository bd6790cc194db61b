package cloud

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"net"
	"net/http"
	"net/url"

	"google.golang.org/api/impersonate"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// GraphFlags say how a program reaches the Excel destinations of the
// configuration, if it has any.
type GraphFlags struct {
	GraphEndpoint  string // -graph-endpoint: an emulator's URL, or empty for Microsoft's
	ServiceAccount string // -service-account: the function's, impersonated for its ID token
	Tenant, Client string // -entra-tenant-id, -entra-client-id
}

// RegisterGraph defines -graph-endpoint, -service-account,
// -entra-tenant-id and -entra-client-id on fs.
func (g *GraphFlags) RegisterGraph(fs *flag.FlagSet) {
	fs.StringVar(&g.GraphEndpoint, "graph-endpoint", "", "call the Graph emulator at this URL (on this machine), without credentials (the local stack's READY line gives it)")
	fs.StringVar(&g.ServiceAccount, "service-account", "", "the function's service account: its ID token, by impersonation, signs in to Entra ID for Excel destinations (needs roles/iam.serviceAccountOpenIdTokenCreator on it)")
	fs.StringVar(&g.Tenant, "entra-tenant-id", "", "the Entra ID tenant of Excel destinations that name none (Terraform's entra_tenant_id)")
	fs.StringVar(&g.Client, "entra-client-id", "", "the app registration of Excel destinations that name none (Terraform's entra_client_id)")
}

// Graph returns view.Deps.Graph for the flags: the emulator without
// credentials, or Graph signed in as the function (its impersonated ID
// token, or the destination's client secret read from res).
func (g *GraphFlags) Graph(res secrets.Resolver) func(ctx context.Context, name string, d *config.Destination) (view.GraphConn, error) {
	if g.GraphEndpoint != "" {
		return func(context.Context, string, *config.Destination) (view.GraphConn, error) {
			u, err := url.Parse(g.GraphEndpoint)
			if err != nil {
				return view.GraphConn{}, err
			}
			if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return view.GraphConn{}, errors.New("-graph-endpoint: an emulator on this machine (127.0.0.1 or localhost) only")
			}
			// The emulator's certificate is its own, made at start: on
			// loopback only, it is not checked.
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // loopback emulator only, checked above
			return view.GraphConn{Client: &http.Client{Transport: t}, Endpoint: g.GraphEndpoint}, nil
		}
	}
	o := view.GraphOptions{TenantID: g.Tenant, ClientID: g.Client, Secrets: res}
	if g.ServiceAccount == "" {
		// Fail before any request: the function's own identity is not
		// the caller's, and azidentity would first look Entra ID up.
		graph := view.Graph(o)
		return func(ctx context.Context, name string, d *config.Destination) (view.GraphConn, error) {
			if d.Excel == nil || d.Excel.ClientSecret == "" {
				return view.GraphConn{}, errors.New("an Excel destination signs in as the function: give -service-account (or name a client secret in the configuration)")
			}
			return graph(ctx, name, d)
		}
	}
	o.Assertion = func(ctx context.Context) (string, error) {
		ts, err := impersonate.IDTokenSource(ctx, impersonate.IDTokenConfig{Audience: excel.ExchangeAudience, TargetPrincipal: g.ServiceAccount})
		if err != nil {
			return "", err
		}
		tok, err := ts.Token()
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	}
	return view.Graph(o)
}
