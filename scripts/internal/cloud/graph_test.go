package cloud

import (
	"context"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/secrets"
)

// -graph-endpoint skips sign-in and certificate checks: it must reach an
// emulator on this machine only, never a Graph elsewhere.
func TestGraphEndpointIsLoopbackOnly(t *testing.T) {
	t.Parallel()
	d := &config.Destination{Kind: config.KindExcel, Excel: &config.DestinationExcel{}}
	for _, tt := range []struct {
		endpoint string
		ok       bool
	}{
		{"https://127.0.0.1:8443/v1.0", true},
		{"https://localhost:8443/v1.0", true},
		{"https://[::1]:8443/v1.0", true},
		{"https://graph.microsoft.com/v1.0", false},
		{"https://10.0.0.8/v1.0", false},
	} {
		g := GraphFlags{GraphEndpoint: tt.endpoint}
		conn, err := g.Graph(secrets.Map{})(context.Background(), "compta", d)
		if (err == nil) != tt.ok {
			t.Errorf("Graph(-graph-endpoint %s) error = %v, want ok %v", tt.endpoint, err, tt.ok)
		}
		if err == nil && conn.Endpoint != tt.endpoint {
			t.Errorf("Graph(-graph-endpoint %s).Endpoint = %q", tt.endpoint, conn.Endpoint)
		}
	}
}

// Without an emulator, a destination without a client secret signs in as
// the function: the scripts need -service-account to say which, and say
// so before any request.
func TestGraphNeedsTheServiceAccount(t *testing.T) {
	t.Parallel()
	g := GraphFlags{Tenant: "tn", Client: "cl"}
	d := &config.Destination{Kind: config.KindExcel, Excel: &config.DestinationExcel{}}
	_, err := g.Graph(secrets.Map{})(context.Background(), "compta", d)
	if err == nil || !strings.Contains(err.Error(), "-service-account") {
		t.Errorf("Graph() without -service-account: error = %v, want it to name -service-account", err)
	}
	d.Excel.ClientSecret = "excel-secret"
	if _, err := g.Graph(secrets.Map{"excel-secret": {"s"}})(context.Background(), "compta", d); err != nil {
		t.Errorf("Graph() with a client secret = %v, want a connection", err)
	}
}
