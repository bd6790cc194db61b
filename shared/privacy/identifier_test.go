package privacy

import (
	"flag"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var ids = flag.Int("ids", 20_000, "how many ids of each shape TestInIdentifierRealShapes generates")

// Ids of every shape the platforms give orders are never refused as
// personal data, whatever number they look like (docs/privacy.md: 3.6
// million of them, with -ids 360000). A change of the detectors must keep
// it so.
func TestInIdentifierRealShapes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(12, 2026))
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	const hex = "0123456789abcdef"
	pick := func(alphabet string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	uuid := func() string {
		return pick(hex, 8) + "-" + pick(hex, 4) + "-4" + pick(hex, 3) + "-" + string("89ab"[r.IntN(4)]) + pick(hex, 3) + "-" + pick(hex, 12)
	}
	shapes := []struct {
		name string
		gen  func() string
	}{
		{"shopify", func() string { return strconv.FormatInt(1_000_000_000_000+r.Int64N(9_000_000_000_000), 10) }},
		{"shopify name", func() string { return "#" + strconv.Itoa(1001+r.IntN(10_000_000)) }},
		{"shopify gid", func() string {
			return "gid://shopify/Order/" + strconv.FormatInt(1_000_000_000_000+r.Int64N(9_000_000_000_000), 10)
		}},
		{"stripe", func() string {
			return []string{"pi_", "ch_", "in_", "cs_test_", "cs_live_"}[r.IntN(5)] + pick(base62, 24+r.IntN(40))
		}},
		{"square", func() string { return pick(base62, 22+r.IntN(10)) }},
		{"uuid", uuid},
		{"woocommerce", func() string { return strconv.Itoa(1 + r.IntN(10_000_000)) }},
		{"x-series", func() string { return strings.ToUpper(uuid()) }},
		{"generic", func() string { return pick(base62+"-_", 6+r.IntN(30)) }},
		{"digits", func() string { return pick("0123456789", 6+r.IntN(14)) }},
	}
	total := 0
	for _, sh := range shapes {
		refused := 0
		for range *ids {
			id := sh.gen()
			if _, bad := InIdentifier(id); bad {
				if refused++; refused <= 3 {
					t.Errorf("%s: InIdentifier(%q) refuses it", sh.name, id)
				}
			}
		}
		total += *ids
		if refused > 0 {
			t.Errorf("%s: %d of %d ids refused, want 0", sh.name, refused, *ids)
		}
	}
	t.Logf("%d ids of %d shapes, none refused", total, len(shapes))
}
