package webhookfn

import (
	"fmt"
	"os"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// Environment variables of the Excel destinations.
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

// graphFromEnv says how the Excel destinations reach Graph: Microsoft's,
// signed in with the function's Google ID token, unless the environment
// points at an emulator.
func graphFromEnv(res secrets.Resolver) (view.GraphOptions, error) {
	o := view.GraphOptions{
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
