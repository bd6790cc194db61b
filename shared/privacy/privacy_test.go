package privacy

import (
	"errors"
	"strings"
	"testing"
)

func TestMaskName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Harriet Smith":           "H. S***",
		"harriet smith":           "H. S***",
		"Smith":                   "S***",
		"Ludwig van Beethoven":    "L. B***",
		"Maria de la Cruz":        "M. C***",
		"  Jean-Luc   Picard  ":   "J. P***",
		"Ólafur Arnalds":          "Ó. A***",
		"山田 太郎":                   "山. 太***",
		"Иван Петров":             "И. П***",
		"":                        "",
		"   ":                     "",
		"12345":                   "***",
		"Smith, Harriet":          "S. H***",
		"Harriet Smith-Jones Jr.": "H. S***",
	} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"harriet.smith@dg1.com":   "h***@dg1.com",
		" Harriet@Example.COM ":   "h***@example.com",
		"not-an-email":            "***",
		"@example.com":            "***",
		"harriet@localhost":       "***",
		"harriet smith@dg1.com":   "***",
		"h@x.co":                  "h***@x.co",
		"":                        "",
		"a@b@c.com":               "***",
		"<script>@evil.com":       "***",
		"harriet@exa mple.com":    "***",
		"harriet@.example.com":    "***",
		"harriet@example..com":    "***",
		"élodie@exemple.fr":       "é***@exemple.fr",
		"harriet@sub.example.org": "h***@sub.example.org",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhoneAndLast4(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, phone, last4 string }{
		{"+33 6 12 34 56 78", "***78", "***5678"},
		{"555-625-1199", "***99", "***1199"},
		{"4242 4242 4242 4242", "***42", "***4242"},
		{"12", "***", "***"},
		{"", "", ""},
		{"call me", "***", "***"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.phone {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.phone)
		}
		if got := Last4(tt.in); got != tt.last4 {
			t.Errorf("Last4(%q) = %q, want %q", tt.in, got, tt.last4)
		}
	}
}

func TestPseudonym(t *testing.T) {
	t.Parallel()
	if _, err := NewKeys([]byte("short")); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("NewKeys(short) error = %v, want ErrWeakKey", err)
	}
	k, err := NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewKeys([]byte(strings.Repeat("o", 32)))
	a := k.Pseudonym(DomainCustomer, "Harriet@Example.com ")
	if b := k.Pseudonym(DomainCustomer, "harriet@example.com"); a != b {
		t.Errorf("Pseudonym is not stable across normalization: %q vs %q", a, b)
	}
	if !strings.HasPrefix(a, "c_") || len(a) != 18 {
		t.Errorf("Pseudonym() = %q, want c_ and 16 characters", a)
	}
	if strings.Contains(a, "harriet") {
		t.Errorf("Pseudonym() = %q contains its input", a)
	}
	if b := other.Pseudonym(DomainCustomer, "harriet@example.com"); a == b {
		t.Errorf("Pseudonym is the same under two keys: %q", a)
	}
	if b := k.Pseudonym("other/v1", "harriet@example.com"); a == b {
		t.Errorf("Pseudonym is the same in two domains: %q", a)
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
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+1":                         "'+1",
		"-2":                         "'-2",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\tx":                        "'\tx",
		"\rx":                        "'\rx",
		"Tasse x1":                   "Tasse x1",
		"":                           "",
		"a=b":                        "a=b",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOperatorsRegistry(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"drop", "mask_name", "mask_email", "mask_phone", "last4", "pseudonym"} {
		if !RemovesIdentity(name) {
			t.Errorf("RemovesIdentity(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "money", "nope"} {
		if RemovesIdentity(name) {
			t.Errorf("RemovesIdentity(%q) = true, want false", name)
		}
	}
	op, _ := LookupOperator("mask_email")
	if got := op.Apply("harriet@example.com", nil); got != "h***@example.com" {
		t.Errorf("mask_email.Apply() = %q", got)
	}
}
