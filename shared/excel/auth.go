package excel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"cloud.google.com/go/compute/metadata"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// GraphScope is the scope of an app's own permissions on Graph.
const GraphScope = "https://graph.microsoft.com/.default"

// DefaultEndpoint is Graph's v1.0 base URL.
const DefaultEndpoint = "https://graph.microsoft.com/v1.0"

// ExchangeAudience is the audience Entra ID expects of a federated
// credential's token.
const ExchangeAudience = "api://AzureADTokenExchange"

// Auth says how the function proves to Entra ID that it is the app
// registration allowed to write the workbook.
type Auth struct {
	// TenantID and ClientID are the directory (tenant) and the
	// application (client) id of the app registration.
	TenantID, ClientID string
	// Assertion returns a token Entra ID accepts as a federated
	// credential of the app: by default, a Google ID token of the
	// function's service account (GoogleIDToken). Used when Secret is
	// empty.
	Assertion func(ctx context.Context) (string, error)
	// Secret is a client secret, the fallback when no federated
	// credential can be set up.
	Secret string
	// AuthorityHost is the identity platform's host
	// (https://login.microsoftonline.com/ by default; an emulator's in
	// tests and in the local stack). It must be https.
	AuthorityHost string
	// Transport, when set, carries the token requests (an emulator's
	// certificate).
	Transport *http.Client
}

// Credential returns the credential of a: a client assertion by default,
// a client secret when one is given.
func (a Auth) Credential() (azcore.TokenCredential, error) {
	if a.TenantID == "" || a.ClientID == "" {
		return nil, errors.New("excel: the tenant id and the client id of the app registration are required")
	}
	opts := azcore.ClientOptions{}
	if a.AuthorityHost != "" {
		opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: a.AuthorityHost}
	}
	if a.Transport != nil {
		opts.Transport = a.Transport
	}
	if a.Secret != "" {
		return azidentity.NewClientSecretCredential(a.TenantID, a.ClientID, a.Secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: a.AuthorityHost != ""})
	}
	if a.Assertion == nil {
		return nil, errors.New("excel: no client assertion and no client secret")
	}
	return azidentity.NewClientAssertionCredential(a.TenantID, a.ClientID, a.Assertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: a.AuthorityHost != ""})
}

// GoogleIDToken returns the assertion of the federated credential: an ID
// token of the function's own service account, for the audience Entra ID
// expects, signed by Google and fetched from the metadata server (no key
// is stored anywhere). Its subject is the service account's unique id,
// which is the federated credential's subject (Terraform outputs it). c
// nil uses the metadata server of the environment (GCE_METADATA_HOST is
// honoured, which the local stack points at its emulator).
func GoogleIDToken(c *metadata.Client) func(ctx context.Context) (string, error) {
	if c == nil {
		c = metadata.NewClient(nil)
	}
	return func(ctx context.Context) (string, error) {
		tok, err := c.GetWithContext(ctx, "instance/service-accounts/default/identity?audience="+url.QueryEscape(ExchangeAudience)+"&format=full")
		if err != nil {
			return "", fmt.Errorf("excel: Google ID token from the metadata server: %w", err)
		}
		return tok, nil
	}
}

// NewHTTPClient returns an HTTP client whose requests carry a bearer
// token of cred for Graph, renewed before it expires; base carries them
// (http.DefaultTransport when nil).
func NewHTTPClient(cred azcore.TokenCredential, base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: &bearer{cred: cred, base: base}}
}

// bearer adds Graph's bearer token to each request. azidentity caches the
// token and renews it before it expires.
type bearer struct {
	cred azcore.TokenCredential
	base http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := b.cred.GetToken(r.Context(), policy.TokenRequestOptions{Scopes: []string{GraphScope}})
	if err != nil {
		return nil, &tokenError{err: err}
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tok.Token)
	return b.base.RoundTrip(r)
}

// tokenError is a failure to get a token from Entra ID: a set-up to fix
// (the federated credential's subject, a secret), said as Entra says it
// (its AADSTS code), never retried blindly.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "excel: token for Graph: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// TrustingClient returns an HTTP client that trusts the certificates of
// a PEM file besides the system's: an emulator's, in the local stack.
func TrustingClient(pemFile string) (*http.Client, error) {
	b, err := os.ReadFile(pemFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("excel: no certificate in %s", pemFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}
