package privacy

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// GuardFit cuts a text to a cell's size after guarding it, and shows no
// part of a value in clear: not one the cut goes through, not one beyond
// the cut that the guard could not read whole, even when masks have made
// the text shorter than the cell.
func TestGuardFit(t *testing.T) {
	const n = 200
	const email = "harriet.canary@example.com"
	x := func(k int) string { return strings.Repeat("x", k) }
	tests := []struct {
		name, in  string
		want      string // "" when only the invariants are checked
		cut       bool
		maskedMin int
	}{
		{"fits", x(n), x(n), false, 0},
		{"clean, one over", x(n + 1), x(n-1) + "…", true, 0},
		{"emoji count two", strings.Repeat("😀", n/2+1), strings.Repeat("😀", n/2-1) + "…", true, 0},
		{"masked value across the cut", x(n-10) + " " + email, x(n-10) + " h***@example.com"[:10-1] + "…", true, 1},
		{"value just past the cut", x(n) + " " + email, x(n-1) + "…", true, 0},
		{"value past the reach", x(n+reach-5) + " " + email, x(n-1) + "…", true, 0},
		{"masks shrink the text", strings.Repeat(email+" ", 3*(n+reach)/len(email)), "", true, 5},
		{"guard lengthens it", "=" + x(n-1), "'=" + x(n-3) + "…", true, 0},
		{"short", "call 06 12 34 56 78", "call ***78", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, c, cut := GuardFit(tt.in, n)
			if u := len(utf16.Encode([]rune(got))); u > n {
				t.Errorf("GuardFit() is %d units long, want at most %d", u, n)
			}
			if strings.Contains(got, "canary") || strings.Contains(got, "harriet") {
				t.Errorf("GuardFit() shows the address (at byte %d of %d)", max(strings.Index(got, "canary"), strings.Index(got, "harriet")), len(got))
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("GuardFit() = %q, want %q", got, tt.want)
			}
			if cut != tt.cut || c.Emails+c.Phones < tt.maskedMin {
				t.Errorf("GuardFit() cut = %v, counts %+v, want cut %v, at least %d masked", cut, c, tt.cut, tt.maskedMin)
			}
		})
	}
}

// Whatever the length of the text, GuardFit reads at most n + reach
// units of it: a megabyte of addresses costs what a cell of them does.
func BenchmarkGuardFit(b *testing.B) {
	const n = 50_000
	addresses := strings.Repeat("harriet@example.com ", 1<<20/20)
	for _, bc := range []struct{ name, s string }{
		{"cell", addresses[:n]},
		{"megabyte", addresses},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				GuardFit(bc.s, n)
			}
		})
	}
}
