package privacy

import "testing"

// BenchmarkGuard runs the guard over the kinds of text it meets in a row:
// clean product names (the common case, which must stay cheap), the
// held-out and blind corpora (a mix of clean text and personal data), and
// clean landing-page URLs and HTML-escaped notes, whose % and & signs are
// where encoded addresses hide.
func BenchmarkGuard(b *testing.B) {
	var corpora []string
	for _, name := range []string{"guard_holdout.txt", "guard_blind.txt"} {
		for _, c := range readCorpus(b, name) {
			corpora = append(corpora, c.text)
		}
	}
	for _, bc := range []struct {
		name  string
		texts []string
	}{
		{"clean", []string{"Grains de café 1kg", "Tasse en céramique 350 ml", "IPod Nano - 8gb - green", "Aviator sunglasses at home", "EAN 4006381333931, Order #1001"}},
		{"corpora", corpora},
		{"url", []string{"https://shop.example/collections/coffee?utm_source=newsletter&utm_medium=email&utm_campaign=summer%202024&page=2"}},
		{"html", []string{"Caf&eacute; cr&egrave;me &amp; th&eacute; &#8211; 2 x 250 g, merci d&#039;avance"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range bc.texts {
					Guard(s)
				}
			}
		})
	}
}
