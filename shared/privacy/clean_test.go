package privacy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Mug x2, Tasse x1", "Mug x2, Tasse x1"},
		{"tab and newline stay", "a\tb\nc", "a\tb\nc"},
		{"NUL", "Mug\x00 x2", "Mug x2"},
		{"other C0 and DEL", "a\x01\x07\x1b[31mb\x7f", "a[31mb"},
		{"C1", "a\u0085b\u009bc", "abc"},
		{"CR LF", "line 1\r\nline 2\rline 3", "line 1\nline 2\nline 3"},
		{"line separators", "a\u2028b\u2029c", "a\nb\nc"},
		{"bidi override reverses a total", "Total \u202e001\u202c EUR", "Total 001 EUR"},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061cb\u202a\u202b\u202d", "ab"},
		{"zero-width space inside a number", "06\u200b12\u200b34\u200b56\u200b78", "0612345678"},
		{"word joiner, BOM, soft hyphen", "\ufeffa\u2060b\u00adc", "abc"},
		{"Hangul filler", "a\u3164b\u115f", "ab"},
		{"joiner inside an emoji sequence stays", "family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"},
		{"non-joiner inside a Persian word stays", "می\u200cخواهم", "می\u200cخواهم"},
		{"joiner between digits goes", "06\u200d12\u200c34", "061234"},
		{"joiner at the edges goes", "\u200dab\u200c", "ab"},
		{"subdivision flag keeps its tags", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F!", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F!"},
		{"tags without a flag go", "a\U000E0067\U000E007Fb", "ab"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"accents and scripts stay", "Café ☕ 山田 Ελλάδα", "Café ☕ 山田 Ελλάδα"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
			if got := Clean(Clean(tt.in)); got != Clean(tt.in) {
				t.Errorf("Clean(Clean(%+q)) = %+q, want it unchanged", tt.in, got)
			}
		})
	}
}

// The guard cleans first: an invisible character no longer hides a value
// from it, and none reaches the cell.
func TestGuardCleansFirst(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"call 06\u200b12\u200b34\u200b56\u200b78", "call ***78"},
		{"harriet\u200b@example\u2060.com", "h***@example.com"},
		{"\u202e=HYPERLINK(\"x\")", `'=HYPERLINK("x")`},
		{"\x00=1+1", "'=1+1"},
	}
	for _, tt := range tests {
		if got, _ := Guard(tt.in); got != tt.want {
			t.Errorf("Guard(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
		if got, _, _ := GuardFit(tt.in, 100); got != tt.want {
			t.Errorf("GuardFit(%+q, 100) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

// Invisible characters past a cut do not shorten what the detectors read
// there: a value the cut goes through is still masked whole.
func TestGuardFitReadsPastRemovedCharacters(t *testing.T) {
	t.Parallel()
	n := 40
	in := strings.Repeat("x", n-8) + " 06 12 34 56 78 " + strings.Repeat("\u200b", 2*reach) + "tail"
	got, c, cut := GuardFit(in, n)
	if !cut || c.Phones != 1 || strings.Contains(got, "06 12") {
		t.Errorf("GuardFit(…) = %+q, %+v, %v, want the phone masked and the text cut", got, c, cut)
	}
	// And a text that is only long because of removed characters is not cut.
	short := "Mug" + strings.Repeat("\u200b", 3*reach)
	if got, _, cut := GuardFit(short, 10); got != "Mug" || cut {
		t.Errorf("GuardFit(Mug + %d zero-width spaces, 10) = %+q, %v, want \"Mug\", false", 3*reach, got, cut)
	}
}

func TestHasUnclean(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"5612345678901": false, "#1001": false, "cs_test_a1B2": false, "order-4242": false,
		"4242\x00": true, "42\u200b42": true, "42\u200d42": true, "\u200dab": true, "ab\u200d": true,
		"💆\u200d♀️": false, "👨\u200d👩\u200d👧": false, "👨\u200d\u200d👩": true, "\u202e4242": true, "42\r": true, "a\xffb": true,
	} {
		if got := HasUnclean(in); got != want {
			t.Errorf("HasUnclean(%+q) = %v, want %v", in, got, want)
		}
	}
}

func TestCleanKeepsCleanTextWithoutCopy(t *testing.T) {
	s := strings.Repeat("Grains de café 1kg x2, ", 20)
	if n := testing.AllocsPerRun(100, func() { _ = Clean(s) }); n != 0 {
		t.Errorf("Clean(clean text) allocates %v times, want 0", n)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "a\u200db", "🏴\U000E0067\U000E007F", "\r\n\r", "06\u200b12", "\xff\xfe", "\u202eabc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !utf8.ValidString(c) {
			t.Fatalf("Clean(%+q) = %+q: invalid UTF-8", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean(Clean(%+q)) = %+q, want %+q", s, Clean(c), c)
		}
		for _, r := range c {
			if r < 0x20 && r != '\t' && r != '\n' || r == 0x7F || isC1(r) || invisible(r) {
				t.Fatalf("Clean(%+q) = %+q: holds %U", s, c, r)
			}
		}
		if !HasUnclean(s) && c != s {
			t.Fatalf("HasUnclean(%+q) = false, but Clean changes it to %+q", s, c)
		}
		if p, _ := cleanPrefix(s, 1<<30); p != c {
			t.Fatalf("cleanPrefix(%+q, ∞) = %+q, want Clean's %+q", s, p, c)
		}
	})
}
