package webhookfn

import (
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// Environment variables of the Excel destinations: see view.GraphFromEnv.
const (
	EnvEntraTenantID  = view.EnvEntraTenantID
	EnvEntraClientID  = view.EnvEntraClientID
	EnvGraphEndpoint  = view.EnvGraphEndpoint
	EnvEntraAuthority = view.EnvEntraAuthority
	EnvEntraCA        = view.EnvEntraCA
)

// graphFromEnv says how the Excel destinations reach Graph.
func graphFromEnv(res secrets.Resolver) (view.GraphOptions, error) { return view.GraphFromEnv(res) }
