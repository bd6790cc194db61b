package webhook

import (
	"fmt"
	"sort"
	"strings"
)

// Options configure the schemes that need more than secrets.
type Options struct {
	// Clock replaces time.Now for schemes with a signed timestamp.
	Clock Clock
}

type constructor func(secrets []string, o Options) (Verifier, error)

var schemes = map[string]constructor{
	"shopify": func(s []string, _ Options) (Verifier, error) { return NewShopify(s...) },
}

// New builds the verifier of the named scheme from the live secrets.
func New(scheme string, secrets []string, o Options) (Verifier, error) {
	c, ok := schemes[scheme]
	if !ok {
		return nil, fmt.Errorf("unknown signature scheme %q (known: %s)", scheme, strings.Join(Schemes(), ", "))
	}
	return c(secrets, o)
}

// Schemes lists the scheme names New accepts, sorted.
func Schemes() []string {
	names := make([]string, 0, len(schemes))
	for n := range schemes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
