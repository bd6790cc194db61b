package privacy

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// testKey is the pseudonym key of the tests and of the golden file.
var testKey = []byte(strings.Repeat("k", 32))

func testKeys(t testing.TB) *Keys {
	t.Helper()
	k, err := NewKeys(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestMaskName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Harriet Smith", "H. S***"},
		{"harriet smith", "H. S***"},
		{"Smith", "S***"},
		{"Ludwig van Beethoven", "L. B***"},
		{"Maria de la Cruz", "M. C***"},
		{"Vincent van der Berg", "V. B***"},
		{"  Jean-Luc   Picard  ", "J. P***"},
		{"Ólafur Arnalds", "Ó. A***"},
		{"山田 太郎", "山. 太***"},
		{"山田太郎", "山***"},
		{"Иван Петров", "И. П***"},
		{"Γιώργος Παπαδόπουλος", "Γ. Π***"},
		{"محمد علي", "م. ع***"},
		{"", ""},
		{"   ", ""},
		{"12345", "***"},
		{"Smith, Harriet", "H. S***"},
		{"Harriet Smith-Jones Jr.", "H. S***"},
		{"Dr. Harriet Smith", "H. S***"},
		{"Mme Élodie Martin", "É. M***"},
		{"(Harriet) \"Smith\"", "H. S***"},
		{"de la", "D. L***"},
		{"harriet@example.com", "***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := MaskName(tt.in); got != tt.want {
				t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"harriet.smith@dg1.com", "h***@dg1.com"},
		{" Harriet@Example.COM ", "h***@example.com"},
		{"Harriet Smith <harriet.smith@dg1.com>", "h***@dg1.com"},
		{"not-an-email", "***"},
		{"@example.com", "***"},
		{"harriet@localhost", "***"},
		{"harriet smith@dg1.com", "***"},
		{"h@x.co", "h***@x.co"},
		{"", ""},
		{"a@b@c.com", "***"},
		{"<script>@evil.com", "***"},
		{"harriet@exa mple.com", "***"},
		{"harriet@.example.com", "***"},
		{"harriet@example..com", "***"},
		{"harriet@example.c", "***"},
		{"harriet@1.2.3.4", "***"},
		{"élodie@exemple.fr", "é***@exemple.fr"},
		{"harriet@sub.example.org", "h***@sub.example.org"},
		{"_harriet@example.org", "****@example.org"},
		{"\"harriet smith\"@example.org", "***"},
		{"harriet\x00@example.org", "***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := MaskEmail(tt.in); got != tt.want {
				t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskPhoneAndLast4(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, phone, last4 string }{
		{"+33 6 12 34 56 78", "***78", "***5678"},
		{"555-625-1199", "***99", "***1199"},
		{"4242 4242 4242 4242", "***42", "***4242"},
		{"０９０－１２３４－５６７８", "***78", "***5678"},
		{"12345", "***", "***"},
		{"1234567", "***67", "***"},
		{"", "", ""},
		{"call me", "***", "***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := MaskPhone(tt.in); got != tt.phone {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.phone)
			}
			if got := Last4(tt.in); got != tt.last4 {
				t.Errorf("Last4(%q) = %q, want %q", tt.in, got, tt.last4)
			}
		})
	}
}

var pseudonymShape = regexp.MustCompile(`^c_[a-km-np-z2-9]{16}$`)

func TestPseudonym(t *testing.T) {
	t.Parallel()
	if _, err := NewKeys([]byte("short")); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("NewKeys(short) error = %v, want ErrWeakKey", err)
	}
	k := testKeys(t)
	other, _ := NewKeys([]byte(strings.Repeat("o", 32)))
	a := k.Pseudonym(DomainCustomer, "Harriet@Example.com ")
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"normalized email", k.Pseudonym(DomainCustomer, "harriet@example.com"), true},
		{"display name", k.Pseudonym(DomainCustomer, "Harriet <Harriet@Example.com>"), true},
		{"another key", other.Pseudonym(DomainCustomer, "harriet@example.com"), false},
		{"another domain", k.Pseudonym("safeview/other/v1", "harriet@example.com"), false},
		{"another value", k.Pseudonym(DomainCustomer, "harriet@example.org"), false},
		{"an id is not lower-cased", k.Pseudonym(DomainCustomer, "shopify:ABC"), false},
	}
	for _, tt := range tests {
		if (tt.got == a) != tt.same {
			t.Errorf("%s: Pseudonym() = %q, first %q, want same = %v", tt.name, tt.got, a, tt.same)
		}
	}
	if !pseudonymShape.MatchString(a) {
		t.Errorf("Pseudonym() = %q, want c_ and 16 characters of the alphabet", a)
	}
	if got := k.Pseudonym(DomainCustomer, "  "); got != "" {
		t.Errorf("Pseudonym(blank) = %q, want empty", got)
	}
	var none *Keys
	if got := none.Pseudonym(DomainCustomer, "harriet@example.com"); got != "" {
		t.Errorf("Pseudonym without a key = %q, want empty (never an unkeyed hash)", got)
	}
}

func TestNeutralize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"Tasse x1", "Tasse x1"},
		{"", ""},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		counts   Counts
	}{
		{"Grains de café 1kg", "Grains de café 1kg", Counts{}},
		{"", "", Counts{}},
		{"Call 06 12 34 56 78 or harriet@example.com", "Call ***78 or h***@example.com", Counts{Emails: 1, Phones: 1}},
		{"card 4242 4242 4242 4242, IBAN FR76 3000 6000 0112 3456 7890 189", "card ***4242, IBAN FR***0189", Counts{Cards: 1, IBANs: 1}},
		{"+33 6 12 34 56 78", "***78", Counts{Phones: 1}},
		{"=HYPERLINK(\"http://x\",\"06 12 34 56 78\")", "'=HYPERLINK(\"http://x\",\"***78\")", Counts{Phones: 1}},
		{"harriet [at] example [dot] com", "h***@example.com", Counts{Emails: 1}},
		{"EAN 4006381333931, order #1001, 2024-03-15", "EAN 4006381333931, order #1001, 2024-03-15", Counts{}},
		{"Tel 06 12 34 56 78 06 98 76 54 32", "Tel ***78 ***32", Counts{Phones: 2}},
		{"4242_4242_4242_4242, 3782_822463_10005", "***4242, ***0005", Counts{Cards: 2}},
		{"Card: 4111/1111/1111/1111 exp 12/27", "Card: ***1111 exp 12/27", Counts{Cards: 1}},
		{"4242/4242/4242/4241", "4242/4242/4242/4241", Counts{}}, // Luhn
		{"Facture 2024/0456/0001/0002, 15/03/2024", "Facture 2024/0456/0001/0002, 15/03/2024", Counts{}},
		{"scan_0612_345678.pdf", "scan_0612_345678.pdf", Counts{}}, // a phone is not written with _
		// What follows an _ may start a number, as it did before _ joined
		// the groups of a card.
		{"scan_12_4242 4242 4242 4242", "scan_12_***4242", Counts{Cards: 1}},
		{"photo_2024_06 12 34 56 78", "photo_2024_***78", Counts{Phones: 1}},
		{"IMG_20240315_4242424242424242", "IMG_20240315_***4242", Counts{Cards: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, counts := Guard(tt.in)
			if got != tt.want || counts != tt.counts {
				t.Errorf("Guard(%q) = %q, %+v, want %q, %+v", tt.in, got, counts, tt.want, tt.counts)
			}
		})
	}
}

func TestCountsLogValue(t *testing.T) {
	t.Parallel()
	c := Counts{Emails: 2, Cards: 1}
	c.Add(Counts{Emails: 1, IBANs: 1})
	if got, want := c.LogValue().String(), "[email=3 card=1 iban=1]"; got != want {
		t.Errorf("Counts.LogValue() = %s, want %s", got, want)
	}
	if got := c.Total(); got != 5 {
		t.Errorf("Counts.Total() = %d, want 5", got)
	}
}

func TestOperatorsRegistry(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"drop", "mask_name", "mask_email", "mask_phone", "last4", "pseudonym"} {
		if !RemovesIdentity(name) {
			t.Errorf("RemovesIdentity(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "money", "nope", "text"} {
		if RemovesIdentity(name) {
			t.Errorf("RemovesIdentity(%q) = true, want false", name)
		}
	}
	if got, want := IdentityOperatorList(), "drop, mask_name, mask_email, mask_phone, last4, pseudonym"; got != want {
		t.Errorf("IdentityOperatorList() = %q, want %q", got, want)
	}
}

// TestOperatorsGolden runs every operator on every input of
// testdata/operator_inputs.txt; the outputs are in operators.golden.
func TestOperatorsGolden(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/operator_inputs.txt")
	if err != nil {
		t.Fatal(err)
	}
	k := testKeys(t)
	var b strings.Builder
	b.WriteString("# operator\tinput\toutput (Go-quoted); pseudonym key: 32 times \"k\"\n")
	for _, op := range Operators() {
		for _, in := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			fmt.Fprintf(&b, "%s\t%q\t%q\n", op.Name, in, op.Apply(in, k))
		}
	}
	golden(t, "testdata/operators.golden", b.String())
}

// embedded are values the fuzz test hides in arbitrary text.
var embedded = []struct {
	kind  Kind
	value string
}{
	{KindEmail, "harriet.smith@example.com"},
	{KindEmail, "jean.dupont@orange.fr"},
	{KindEmail, "harriet.smith%40example.com"},
	{KindEmail, "jean.dupont%2Bshop%2540orange.fr"},
	{KindEmail, "harriet&#64;example.com"},
	{KindEmail, "marie.curie&commat;free.fr"},
	{KindPhone, "+33 6 12 34 56 78"},
	{KindPhone, "06 12 34 56 78"},
	{KindPhone, "(555) 625-1199"},
	{KindCard, "4242 4242 4242 4242"},
	{KindCard, "3782-822463-10005"},
	{KindCard, "4242_4242_4242_4242"},
	{KindCard, "5555/5555/5555/4444"},
	{KindIBAN, "FR76 3000 6000 0112 3456 7890 189"},
	{KindIBAN, "DE89370400440532013000"},
}

// FuzzGuard hides a known value on a line of its own among arbitrary text:
// the guard must not panic and must mask it, whatever surrounds it; and
// guarding twice changes nothing more.
func FuzzGuard(f *testing.F) {
	f.Add("Grains de café 1kg", "x2", uint8(0))
	f.Add("Tel", "merci", uint8(2))
	f.Add("EAN 4006381333931", "=SUM(A1)", uint8(5))
	f.Add("", "", uint8(7))
	f.Add("order 1001 +", "@ example (dot) com", uint8(1))
	f.Add("R.C.S. Lyon B 732 829 320, puis", "SIRET 652014887000190 n° 06", uint8(3))
	f.Add("?tel=%2B1%20212%20", "\"a b\"@x.fr ﹫ tom dot harris [ät] 4242  4242", uint8(4))
	f.Fuzz(func(t *testing.T, before, after string, which uint8) {
		e := embedded[int(which)%len(embedded)]
		text := before + "\n" + e.value + "\n" + after
		got, counts := Guard(text)
		if strings.Contains(got, e.value) {
			t.Fatalf("Guard(%q) = %q, still holds %q", text, got, e.value)
		}
		if e.kind != KindEmail {
			d := digitsOf(e.value)
			if len(digitsOf(before)) < 5 && len(digitsOf(after)) < 5 && strings.Contains(digitsOf(got), d) {
				t.Fatalf("Guard(%q) = %q, still holds the digits of %q", text, got, e.value)
			}
		}
		if counts.Total() == 0 {
			t.Fatalf("Guard(%q) counted nothing", text)
		}
		if again, _ := Guard(got); again != got {
			t.Fatalf("Guard(Guard(%q)) = %q, want %q", text, again, got)
		}
	})
}

// FuzzOperators checks what each operator may keep of any input.
func FuzzOperators(f *testing.F) {
	for _, s := range []string{"Harriet Smith", "harriet@example.com", "+33 6 12 34 56 78", "", "山田太郎", "a@b.co", "\xff@x.com"} {
		f.Add(s)
	}
	k := testKeys(f)
	f.Fuzz(func(t *testing.T, in string) {
		if got := MaskPhone(in); countDigits(got) > 2 {
			t.Errorf("MaskPhone(%q) = %q, keeps more than 2 digits", in, got)
		}
		if got := Last4(in); countDigits(got) > 4 {
			t.Errorf("Last4(%q) = %q, keeps more than 4 digits", in, got)
		}
		if got := MaskName(in); countLetters(got) > 2 {
			t.Errorf("MaskName(%q) = %q, keeps more than 2 letters", in, got)
		}
		got := MaskEmail(in)
		if local, _, ok := strings.Cut(strings.TrimSpace(in), "@"); ok && len([]rune(local)) > 1 && strings.Contains(got, local+"@") {
			t.Errorf("MaskEmail(%q) = %q, keeps the local part", in, got)
		}
		if got != "" && got != "***" && !strings.Contains(got, "***@") {
			t.Errorf("MaskEmail(%q) = %q, want *** or x***@domain", in, got)
		}
		if p := k.Pseudonym(DomainCustomer, in); p != "" && !pseudonymShape.MatchString(p) {
			t.Errorf("Pseudonym(%q) = %q, want c_ and 16 characters", in, p)
		}
		if got := Neutralize(in); got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Errorf("Neutralize(%q) = %q, starts a formula", in, got)
		}
	})
}

func countDigits(s string) int {
	return len(digitsOf(s))
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
