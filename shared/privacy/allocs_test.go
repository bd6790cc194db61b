//go:build !race

package privacy

import "testing"

// The guard allocates nothing for a text in which it finds nothing: it
// runs on every cell of every row.
func TestGuardAllocs(t *testing.T) {
	for _, s := range []string{"Grains de café 1kg", "Tasse en céramique 350 ml", "IPod Nano - 8gb - green", "Aviator sunglasses at home", "EAN 4006381333931, Order #1001",
		"https://shop.example/?utm_source=newsletter&utm_campaign=summer%202024", "100%40 off", "Caf&eacute; &amp; th&eacute; &#8211; 250 g", "Price&#64;12.99",
		"Pour Léa 💆\u200d♀️ 👨\u200d👩\u200d👧"} {
		if n := testing.AllocsPerRun(50, func() { Guard(s) }); n != 0 {
			t.Errorf("Guard(%q) allocates %v times, want 0", s, n)
		}
		if n := testing.AllocsPerRun(50, func() { GuardFit(s, 50_000) }); n != 0 {
			t.Errorf("GuardFit(%q) allocates %v times, want 0", s, n)
		}
	}
}

// Nor for any clean line of the corpora, cut to a cell or not, that it
// leaves as it is (a clean line it masks is a false positive, counted by
// TestGuardCorpus: masking allocates by design).
func TestGuardFitCleanCorporaAllocs(t *testing.T) {
	for _, corpus := range corpora {
		t.Run(corpus.name, func(t *testing.T) {
			for _, c := range readCorpus(t, corpus.file) {
				if len(c.spans) > 0 || c.text[0] == '=' || c.text[0] == '+' || c.text[0] == '-' || c.text[0] == '@' {
					continue
				}
				if _, found := Guard(c.text); found != (Counts{}) {
					continue
				}
				if n := testing.AllocsPerRun(20, func() { GuardFit(c.text, 50_000) }); n != 0 {
					t.Errorf("GuardFit(%q) allocates %v times, want 0", c.text, n)
				}
			}
		})
	}
}
