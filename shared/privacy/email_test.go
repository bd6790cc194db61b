package privacy

import (
	"strings"
	"testing"
)

// The fast paths know every word the email scanner knows: a text whose
// only sign of an address is such a word is scanned (issue 12: "[ät]"
// was never scanned).
func TestFastPathsKnowTheAtWords(t *testing.T) {
	t.Parallel()
	for _, w := range append([]string{"a"}, atWords...) {
		for _, s := range []string{"anna (" + w + ") beispiel.de", "anna [" + strings.ToUpper(w) + "] beispiel.de"} {
			if !suspicious(s) || !mayObfuscate(s) {
				t.Errorf("suspicious(%q) = %v, mayObfuscate() = %v, want true", s, suspicious(s), mayObfuscate(s))
			}
		}
	}
	for _, s := range []string{"Grains de café", "Tasse en céramique"} {
		if mayObfuscate(s) {
			t.Errorf("mayObfuscate(%q) = true, want false", s)
		}
	}
}

func TestGuardEmails(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"anna [ät] beispiel.de", "a***@beispiel.de"},
		{"lea (chez) exemple.fr", "l***@exemple.fr"},
		{"écrire à lea chez gmail point com", "écrire à l***@gmail.com"},
		{"Livrer chez le voisin au 12", "Livrer chez le voisin au 12"},
		{"Dîner chez Paul.fr ce soir", "Dîner chez Paul.fr ce soir"},
		{"harriet(a)example.com", "h***@example.com"},
		// The local part with dot words too.
		{"tom dot harris at gmail dot com", "t***@gmail.com"},
		// What is glued before it too, so that a second pass finds no address in the mask.
		{"x!anna at gmail dot com", "x***@gmail.com"},
		{"0!0 dot 0000[ät]000.Ar 0", "0***@000.ar 0"},
		{"write to anna [dot] berg [at] example [dot] org", "write to a***@example.org"},
		// Small and fullwidth @, a quoted local part.
		{"léa﹫exemple.fr", "l***@exemple.fr"},
		{"lea＠exemple.fr", "l***@exemple.fr"},
		{`"alice b"@example.com`, "a***@example.com"},
		{`He said "hello"@ the door`, `He said "hello"@ the door`},
		// A website is not an address.
		{"contact us at www.example.co.uk", "contact us at www.example.co.uk"},
		{"email us at example.com/contact", "email us at example.com/contact"},
		// Any top-level domain of the root zone, but a file's extension.
		{"lucie (at) atelier-lucie.blog", "l***@atelier-lucie.blog"},
		{"lucie [at] atelier-lucie [dot] paris", "l***@atelier-lucie.paris"},
		{"lucie (at) atelier-lucie.notatld", "lucie (at) atelier-lucie.notatld"},
		{"plans (at) cuisine.zip", "plans (at) cuisine.zip"},
		{"workshop at studio.berlin", "workshop at studio.berlin"},
		// The @ in brackets; spaced on its left only, before a webmail.
		{"j.dupont[@]free.fr", "j***@free.fr"},
		{"j.dupont ( @ ) free.fr", "j***@free.fr"},
		{"anna.berg @gmail.com", "a***@gmail.com"},
		{"merci @atelier.paris", "merci @atelier.paris"},
		{"logo @2x.png", "logo @2x.png"},
		// After a bare at, only common top-level domains; a time is no domain.
		{"Contact: visit us at boutique.paris", "Contact: visit us at boutique.paris"},
		{"Mail sent at 10.30.am", "Mail sent at 10.30.am"},
		{"wang at 163 dot com", "w***@163.com"},
		// A plain @ with the domain's dots written otherwise.
		{"anna@example[.]com", "a***@example.com"},
		{"anna@example dot com", "a***@example.com"},
		{"icon@2x [dot] png", "icon@2x [dot] png"},
	}
	guardCases(t, tests)
}

func TestGuardIBANSeparators(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"FR 76 3000 6000 0112 3456 7890 189", "FR76.3000.6000.0112.3456.7890.189", "FR76-3000-6000-0112-3456-7890-189"} {
		if got, _ := Guard(in); got != "FR***0189" {
			t.Errorf("Guard(%q) = %q, want %q", in, got, "FR***0189")
		}
	}
}

// guardCases checks Guard(in) = want, one subtest a case.
func guardCases(t *testing.T, tests []struct{ in, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got, _ := Guard(tt.in); got != tt.want {
				t.Errorf("Guard(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
