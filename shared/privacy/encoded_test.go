package privacy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// guarded is what Guard returns, for cmp.
type guarded struct {
	Text   string
	Counts Counts
}

func TestGuardEncodedEmails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want guarded
	}{
		{"harriet%40example.com", guarded{"h***%40example.com", Counts{Emails: 1}}},
		{"https://shop.example/?utm_source=mail&email=harriet.smith%40example.com&x=1", guarded{"https://shop.example/?utm_source=mail&email=h***%40example.com&x=1", Counts{Emails: 1}}},
		{"?e=Harriet.Smith%2540Example.COM", guarded{"?e=h***%2540example.com", Counts{Emails: 1}}},
		{"?e=harriet%2Bgifts%40example.com&f=harriet%2bshop%40example.org", guarded{"?e=h***%40example.com&f=h***%40example.org", Counts{Emails: 2}}},
		{"?next=%2Faccount%3Femail%3Dharriet%2540example.com", guarded{"?next=%2Faccount%3Femail%3Dh***%2540example.com", Counts{Emails: 1}}},
		{"%C3%A9lodie%40exemple.fr", guarded{"é***%40exemple.fr", Counts{Emails: 1}}},
		{"mailto:%68%61%72%72%69%65%74%40%65%78%61%6d%70%6c%65%2e%63%6f%6d", guarded{"mailto:h***%40example.com", Counts{Emails: 1}}},
		{"Contact : harriet&#64;example.com", guarded{"Contact : h***&#64;example.com", Counts{Emails: 1}}},
		{"harriet&#x40;example.com, harriet&#X40;example.org", guarded{"h***&#x40;example.com, h***&#X40;example.org", Counts{Emails: 2}}},
		{"harriet&#064;example.com harriet&#x0040;example.com", guarded{"h***&#064;example.com h***&#x0040;example.com", Counts{Emails: 2}}},
		{"écrire à marie.curie&commat;free.fr", guarded{"écrire à m***&commat;free.fr", Counts{Emails: 1}}},
		{"&lt;harriet&amp;#64;example.com&gt;", guarded{"&lt;h***&amp;#64;example.com&gt;", Counts{Emails: 1}}},
		{"&#104;a&#114;r&#105;et&#64;e&#120;am&#112;le&#46;c&#111;m", guarded{"h***&#64;example.com", Counts{Emails: 1}}},
		{"harriet&#43;shop&period;x&#64;example.com", guarded{"h***&#64;example.com", Counts{Emails: 1}}},
		// Accented letters by name, as PHP's htmlentities writes them (with
		// ENT_HTML5, @ and . too): the local part goes on through them.
		{"fran&ccedil;ois&period;dupont&commat;orange&period;fr", guarded{"f***&commat;orange.fr", Counts{Emails: 1}}},
		{"j&eacute;r&ocirc;me.martin&#64;free.fr", guarded{"j***&#64;free.fr", Counts{Emails: 1}}},
		{"&Eacute;lodie&#64;exemple.fr", guarded{"e***&#64;exemple.fr", Counts{Emails: 1}}},
		{"zo&euml;&#64;example.com, &lt;m&uuml;ller&#64;gmx.de&gt;", guarded{"z***&#64;example.com, &lt;m***&#64;gmx.de&gt;", Counts{Emails: 2}}},
		// And with the @ left as it is (htmlentities' default).
		{"fran&ccedil;ois.dupont@orange.fr, fran&#231;ois@orange.fr", guarded{"f***@orange.fr, f***@orange.fr", Counts{Emails: 2}}},
		{"zo&euml;@example.com &lt;harriet@example.com&gt; &nbsp;harriet@example.com", guarded{"z***@example.com &lt;h***@example.com&gt; &nbsp;h***@example.com", Counts{Emails: 3}}},
		// An accented domain (an IDN), escaped with the @ left as it is.
		{"harriet@m&uuml;ller.de, jean@caf&eacute;-paris.fr", guarded{"h***@muller.de, j***@cafe-paris.fr", Counts{Emails: 2}}},
		{"Caf&eacute; cr&egrave;me &amp; th&eacute; &#64; 9.99", guarded{"Caf&eacute; cr&egrave;me &amp; th&eacute; &#64; 9.99", Counts{}}},
		// Not addresses: no domain, a file, a path, a price.
		{"100%40 off", guarded{"100%40 off", Counts{}}},
		{"50%40", guarded{"50%40", Counts{}}},
		{"/search?q=coffee%40home", guarded{"/search?q=coffee%40home", Counts{}}},
		{"https://cdn.shop.example/files/logo%402x.png?v=1699", guarded{"https://cdn.shop.example/files/logo%402x.png?v=1699", Counts{}}},
		{"icon@2x.png", guarded{"icon@2x.png", Counts{}}},
		{"https://www.npmjs.com/package/%40babel/core", guarded{"https://www.npmjs.com/package/%40babel/core", Counts{}}},
		{"Price&#64;12.99", guarded{"Price&#64;12.99", Counts{}}},
		{"Fish &amp; Chips &#64; 9.99", guarded{"Fish &amp; Chips &#64; 9.99", Counts{}}},
		{"harriet&#64example.com", guarded{"harriet&#64example.com", Counts{}}}, // no semicolon: see docs/privacy.md
		{"harriet&#640;example.com", guarded{"harriet&#640;example.com", Counts{}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			// A second pass (items are masked, joined, then guarded) finds
			// the masked address as it left it.
			once, counts := Guard(tt.in)
			twice, again := Guard(once)
			want := []guarded{tt.want, {tt.want.Text, Counts{}}}
			if diff := cmp.Diff(want, []guarded{{once, counts}, {twice, again}}); diff != "" {
				t.Errorf("Guard(%q), then Guard of that, mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// encodings are the ways an address reaches a text field encoded.
var encodings = []struct {
	name   string
	encode func(local, domain string) string
}{
	{"url", func(l, d string) string { return l + "%40" + d }},
	{"url twice", func(l, d string) string { return l + "%2540" + d }},
	{"url plus", func(l, d string) string { return l + "%2Bgifts%40" + d }},
	{"url plus lower", func(l, d string) string { return l + "%2bgifts%2540" + d }},
	{"url every byte", func(l, d string) string { return escapeAll(l+"@"+d, "%%%02X") }},
	{"decimal", func(l, d string) string { return l + "&#64;" + d }},
	{"decimal zeros", func(l, d string) string { return l + "&#00064;" + d }},
	{"hex", func(l, d string) string { return l + "&#x40;" + d }},
	{"hex upper", func(l, d string) string { return l + "&#X40;" + d }},
	{"named", func(l, d string) string { return l + "&commat;" + d }},
	{"escaped twice", func(l, d string) string { return l + "&amp;#64;" + d }},
	{"every character", func(l, d string) string { return escapeAll(l+"@"+d, "&#%d;") }},
}

func escapeAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// TestGuardEncodedCanary hides a unique canary address, in each encoding,
// in each kind of text that carries one: no trace of its local part may
// leave the guard, the domain stays like MaskEmail's, each counts once,
// and a second pass changes nothing.
func TestGuardEncodedCanary(t *testing.T) {
	t.Parallel()
	places := []string{
		"%s",
		"https://shop.example/?utm_source=mail&email=%s&x=1",
		"Referring site: https://www.google.com/url?q=https%%3A%%2F%%2Fshop.example%%2F%%3Fe%%3D%s&sa=D",
		`"landing_site":"\/?e=%s"`,
		"Note client : merci d&#039;écrire à %s avant l&#039;envoi",
		"&lt;%s&gt;",
		"(%s)",
	}
	n := 0
	for _, enc := range encodings {
		for _, place := range places {
			if strings.Contains(place, "%%3D") && strings.Contains(enc.encode("", ""), "&") {
				continue // an HTML reference inside a percent-encoded URL: nobody writes that
			}
			n++
			local := fmt.Sprintf("canary.q%03dz", n)
			in := fmt.Sprintf(place, enc.encode(local, "canary-shop.example"))
			got, counts := Guard(in)
			decoded := strings.ToLower(htmlForm.decode(urlForm.decode(urlForm.decode(got))))
			switch {
			case strings.Contains(decoded, "anary.q") || strings.Contains(decoded, fmt.Sprintf("q%03dz", n)):
				t.Errorf("%s in %q: Guard(%q) = %q, holds the canary", enc.name, place, in, got)
			case !strings.Contains(got, "c***"):
				t.Errorf("%s in %q: Guard(%q) = %q, want the canary masked as c***", enc.name, place, in, got)
			case !strings.Contains(decoded, "canary-shop.example"):
				t.Errorf("%s in %q: Guard(%q) = %q, want the domain kept", enc.name, place, in, got)
			case counts != Counts{Emails: 1}:
				t.Errorf("%s in %q: Guard(%q) counts %+v, want 1 email", enc.name, place, in, counts)
			}
			if again, c := Guard(got); again != got || c.Total() != 0 {
				t.Errorf("%s in %q: Guard(%q) = %q, %+v, want it unchanged", enc.name, place, got, again, c)
			}
		}
	}
}

func TestPercentAndCharRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		f    form
		want rune
		n    int
	}{
		{"%40", urlForm, '@', 3},
		{"%2540", urlForm, '@', 5},
		{"%252540", urlForm, '@', 7},
		{"%2b", urlForm, '+', 3},
		{"%25", urlForm, '%', 3},
		{"%25zz", urlForm, '%', 3},
		{"%C3", urlForm, escapedByte, 3},
		{"%4", urlForm, 0, 0},
		{"%zz", urlForm, 0, 0},
		{"&#64;", htmlForm, '@', 5},
		{"&#064;", htmlForm, '@', 6},
		{"&#x40;", htmlForm, '@', 6},
		{"&#X40;", htmlForm, '@', 6},
		{"&#x0040;", htmlForm, '@', 8},
		{"&commat;", htmlForm, '@', 8},
		{"&amp;#64;", htmlForm, '@', 9},
		{"&amp;amp;commat;", htmlForm, '@', 16},
		{"&#65312;", htmlForm, '@', 8}, // fullwidth ＠
		{"&#64", htmlForm, 0, 0},
		{"&#;", htmlForm, 0, 0},
		{"&#x;", htmlForm, 0, 0},
		{"&#xFFFFFFFF;", htmlForm, 0, 0},
		{"&amp;", htmlForm, 0, 0},
		{"&eacute;", htmlForm, 'e', 8}, // a letter, as far as reading an address goes
		{"&Ccedil;", htmlForm, 'C', 8},
		{"&amp;oslash;", htmlForm, 'o', 12},
		{"&szlig;", htmlForm, 's', 7},
		{"&circ;", htmlForm, 0, 0}, // the accent alone is no letter
		{"&sdot;", htmlForm, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			type read struct {
				R rune
				N int
			}
			want := read{tt.want, tt.n}
			if tt.n == 0 { // read as plain text
				want.R, want.N = next(tt.in, 0)
			}
			r, n := tt.f.next(tt.in, 0)
			wants, got := map[string]read{"next": want}, map[string]read{"next": {r, n}}
			if tt.n == len(tt.in) { // and backwards from its end
				r, n = tt.f.prev(tt.in, len(tt.in))
				wants["prev"], got["prev"] = want, read{r, n}
			}
			if diff := cmp.Diff(wants, got); diff != "" {
				t.Errorf("reading %q mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
