package privacy

import (
	"log/slog"
	"slices"
	"strings"
	"unicode/utf16"
)

// Kind is a kind of personal data the guard finds in free text.
type Kind uint8

// Kinds of personal data the guard finds.
const (
	KindEmail Kind = iota // an email address, plain or obfuscated
	KindPhone             // a phone number, national or international
	KindCard              // a payment card number (Luhn, network prefix)
	KindIBAN              // a bank account number (IBAN, mod 97)
)

var kindNames = [...]string{"email", "phone", "card", "iban"}

// String returns the kind's name as used in logs.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Counts says how many of each kind the guard masked. It is the only
// trace the guard leaves: never what it found.
type Counts struct {
	Emails, Phones, Cards, IBANs int
}

// Add adds the counts of o to c.
func (c *Counts) Add(o Counts) {
	c.Emails += o.Emails
	c.Phones += o.Phones
	c.Cards += o.Cards
	c.IBANs += o.IBANs
}

// Total is the number of values masked.
func (c Counts) Total() int { return c.Emails + c.Phones + c.Cards + c.IBANs }

func (c *Counts) add(k Kind) {
	switch k {
	case KindEmail:
		c.Emails++
	case KindPhone:
		c.Phones++
	case KindCard:
		c.Cards++
	case KindIBAN:
		c.IBANs++
	}
}

// LogValue implements slog.LogValuer: a group of the non-zero counts.
func (c Counts) LogValue() slog.Value {
	var attrs []slog.Attr
	for k, n := range []int{c.Emails, c.Phones, c.Cards, c.IBANs} {
		if n > 0 {
			attrs = append(attrs, slog.Int(Kind(k).String(), n))
		}
	}
	return slog.GroupValue(attrs...)
}

// finding is one value found in a text, by byte offsets, with what
// replaces it.
type finding struct {
	kind       Kind
	start, end int
	masked     string
}

// free reports whether [start, end) overlaps none of the findings.
func free(fs []finding, start, end int) bool {
	for _, f := range fs {
		if start < f.end && f.start < end {
			return false
		}
	}
	return true
}

// Guard masks the personal data it finds in a text that is about to leave
// (a product name, a note, a gift message), whatever the configuration
// says: email addresses keep their first letter and domain like
// MaskEmail (an encoded one keeps its @ as written: h***%40example.com),
// phone numbers their last 2 digits like MaskPhone, card numbers their
// last 4 like Last4, IBANs their country and last 4 characters. It first
// cleans the text (see Clean), so that no invisible character hides a
// value from it, and last neutralizes formulas (see Neutralize). It
// returns the guarded text and how many values it masked, by kind.
//
// The guard is a net under the allowlist, not a substitute for it: it
// cannot recognize a name or a street address. See docs/privacy.md for
// its measured recall and false-positive rate.
func Guard(s string) (string, Counts) {
	s, c := Mask(s)
	return Neutralize(s), c
}

// Mask is Guard without formula neutralization, for the pieces of a text
// (the item names of a summary) that are guarded before they are joined
// and cut to length, so that a cut never splits a value the guard would
// have recognized whole.
func Mask(s string) (string, Counts) {
	s = Clean(s)
	return mask(s, len(s))
}

// GuardFit is Guard for a text bound for a cell that holds at most n
// characters, counted in UTF-16 units as Google Sheets counts them (an
// emoji is two). A text that does not fit comes back cut to n-1 units and
// ends with "…"; the cut may go through a mask, never through a value
// left in clear (see MaskPrefix). However long s is, GuardFit reads at
// most n + reach units of it: its cost is bounded by n.
func GuardFit(s string, n int) (string, Counts, bool) {
	if n < 1 {
		return "", Counts{}, s != "" // no room, not even for "…"
	}
	m, c, cut := MaskPrefix(s, n)
	g := Neutralize(m)
	if !cut && fits16(g, n) {
		return g, c, false
	}
	g, _ = prefix16(g, n-1)
	return g + "…", c, true
}

// MaskPrefix is Mask for the first n UTF-16 units of s (once cleaned),
// and reports whether s is longer. A value that the cut at n goes through is masked
// whole: the detectors read reach units past the cut, more than any value
// they recognize spans. Nothing after the cut is shown, so that a value
// they could not read whole is not shown in part, even where masks have
// made the text shorter than n.
func MaskPrefix(s string, n int) (string, Counts, bool) {
	// Cleaned first, as Mask does; only as much as is read.
	head, more := cleanPrefix(s, n+reach)
	keep, cut := prefix16(head, n)
	if !cut && !more {
		m, c := mask(head, len(head))
		return m, c, false
	}
	m, c := mask(head, len(keep))
	return m, c, true
}

// reach is how far past a cut GuardFit reads: more than any value the
// detectors recognize can span. The longest is an address of the longest
// local part and domain they read (maxLocal + 1 + maxDomain = 510
// characters, dots included, a percent-encoded byte counting as one),
// each written as the longest form they decode: a character reference
// under three &amp; layers with eight hex digits (24 bytes), or a byte
// percent-encoded maxLayers times over (%25252540, 9 bytes): 510 × 24 =
// 12,240 bytes at most, and UTF-16 units are never more than bytes. An
// obfuscated address spans at most maxObfuscated and maxLocal characters
// glued before it (3,072 bytes); a number, a few dozen.
const reach = 16 << 10

// prefix16 returns the longest prefix of s of at most n UTF-16 units, and
// whether it is shorter than s.
func prefix16(s string, n int) (string, bool) {
	if len(s) <= n { // a UTF-8 byte is never more than one UTF-16 unit
		return s, false
	}
	u := 0
	for i, r := range s {
		if u += utf16.RuneLen(r); u > n {
			return s[:i], true
		}
	}
	return s, false
}

func fits16(s string, n int) bool {
	_, cut := prefix16(s, n)
	return !cut
}

// mask masks the values of s and returns what comes before stop, a byte
// offset: the text up to stop, in which a value that starts before stop
// is replaced whole, even when it ends after it.
func mask(s string, stop int) (string, Counts) {
	var counts Counts
	if !suspicious(s) {
		return s[:stop], counts
	}
	var buf [8]finding
	fs := scan(s, buf[:0])
	if len(fs) == 0 {
		return s[:stop], counts
	}
	slices.SortFunc(fs, func(a, b finding) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(stop)
	at := 0
	for _, f := range fs {
		if f.start >= stop {
			break
		}
		if s[f.start:f.end] == f.masked {
			continue // masked already (an operator's output, a second pass)
		}
		b.WriteString(s[at:f.start])
		b.WriteString(f.masked)
		at = f.end
		counts.add(f.kind)
	}
	if at == 0 {
		return s[:stop], counts
	}
	if at < stop {
		b.WriteString(s[at:stop])
	}
	return b.String(), counts
}

// scan runs the detectors in order of specificity: an address or an IBAN
// may hold digits that would otherwise read as a phone number.
func scan(s string, out []finding) []finding {
	out = scanEmails(s, out)
	out = scanIBANs(s, out)
	return scanNumbers(s, out)
}

// suspicious is the fast path: a text with no digit, no @, no fullwidth
// or small form character (＠, ﹫), no word that can stand for @ (see
// atWords) and no named character reference that can (&commat;,
// &amp;commat;) holds nothing to find.
func suspicious(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '@', c == 0xEF:
			return true
		case c == '&':
			if i+1 < len(s) && (s[i+1] == 'c' || s[i+1] == 'a') {
				return true
			}
		case atWordAt(s, i):
			return true
		}
	}
	return false
}

// Neutralize makes a text safe for whoever opens the sheet or its CSV
// export: a value starting with = + - @, a tab or a carriage return would
// be read as a formula by a spreadsheet program, so it gets a leading
// apostrophe. Values are also written RAW, so the sheet itself never
// evaluates them; this protects the export.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// InIdentifier returns the kind of personal data an identifier holds (an
// order id, a booking id): an email address; a phone, card or bank
// account number written as people write one, with a +, spaces or
// parentheses; or an id that is an IBAN whole. An identifier is never masked, since two ids masked alike
// would become one row; one that holds personal data is refused instead.
// Digits in an id are an id, whatever number they happen to look like:
// 9% of the 13-digit ids Shopify gives orders today read as phone
// numbers, one in ten long digit runs passes a card's checksum, and one
// UUID in 70,000 holds a run that reads as a Belgian IBAN.
func InIdentifier(id string) (Kind, bool) {
	if !suspicious(id) {
		return 0, false
	}
	var buf [4]finding
	written := strings.ContainsAny(id, "+ ()")
	for _, f := range scan(id, buf[:0]) {
		iban := f.kind == KindIBAN && f.start == 0 && f.end == len(id)
		if f.kind == KindEmail || written || iban {
			return f.kind, true
		}
	}
	return 0, false
}
