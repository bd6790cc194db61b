package privacy

import (
	"strings"
	"unicode"
)

// Email addresses also arrive encoded, where a text field carries a URL or
// HTML: a landing page or referring site holds
// "?email=harriet.smith%40example.com" (or %2540, encoded twice, and %2B
// for a + of the local part), and an HTML-escaped note holds
// "harriet&#64;example.com", "&#x40;", "&commat;" (or "&amp;#64;",
// escaped twice, and every character escaped, as WordPress's antispambot
// writes them). A form reads such a text as its writer meant it: the
// detectors see the decoded runes, and the offsets stay those of s.

// form is how an address is written.
type form uint8

const (
	plainForm form = iota
	urlForm        // percent-encoded
	htmlForm       // HTML character references
)

// escapedByte stands for a byte of a percent-encoded UTF-8 character
// (%C3%A9 is é): a letter, as far as reading an address goes. The mask is
// made of the bytes themselves (see decode).
const escapedByte = 'é'

// next returns the rune at byte offset i as the form reads it, and the
// bytes it takes; size 0 at the end.
func (f form) next(s string, i int) (rune, int) {
	return f.read(s, i, percent, charRef, next)
}

// prev returns the rune that ends at byte offset i as the form reads it,
// and its size; size 0 at the start.
func (f form) prev(s string, i int) (rune, int) {
	return f.read(s, i, percentBefore, charRefBefore, prev)
}

// read reads a rune at i, forwards or backwards, with the decoder of the
// form, or as plain text where there is nothing to decode.
func (f form) read(s string, i int, url func(string, int) (byte, int), html, plain func(string, int) (rune, int)) (rune, int) {
	switch f {
	case urlForm:
		if c, n := url(s, i); n > 0 {
			return escapedRune(c), n
		}
	case htmlForm:
		if r, n := html(s, i); n > 0 {
			return r, n
		}
	}
	return plain(s, i)
}

func escapedRune(c byte) rune {
	if c >= 0x80 {
		return escapedByte
	}
	return rune(c)
}

// decode returns s as the form reads it, normalized (see norm): what a
// mask is made of.
func (f form) decode(s string) string {
	if f == plainForm {
		return strings.Map(norm, s) // s itself when nothing changes
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if f == urlForm {
			if c, n := percent(s, i); n > 0 {
				b.WriteByte(c)
				i += n
				continue
			}
		}
		r, n := f.next(s, i)
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// localRune reports a rune of an address's local part. An encoded
// address comes from a URL, or from HTML that may hold one: there / ? = &
// # and % are the URL's own (a query's "email=", a path), whether or not
// they were encoded once more in a URL carried inside another, and they
// end the local part (which they may be part of, but hardly ever are).
func (f form) localRune(r rune) bool {
	if f != plainForm && strings.ContainsRune("/?=&#%", r) {
		return false
	}
	return isLocalRune(r)
}

// atSign returns how the @ at byte offset i is written and its size in
// bytes; size 0 when there is none.
func atSign(s string, i int) (form, int) {
	switch s[i] {
	case '%':
		if c, n := percent(s, i); c == '@' {
			return urlForm, n
		}
	case '&':
		if r, n := charRef(s, i); r == '@' {
			return htmlForm, n
		}
	default:
		if r, n := next(s, i); r == '@' {
			return plainForm, n
		}
	}
	return plainForm, 0
}

// maxLayers is how many times a text may have been encoded over: %2540,
// &amp;#64;.
const maxLayers = 4

// percent decodes the percent-encoded byte at i: %40, and %2540 and so on
// when the text was encoded again. n is 0 when there is none.
func percent(s string, i int) (c byte, n int) {
	if i >= len(s) || s[i] != '%' {
		return 0, 0
	}
	j := i + 1
	for layer := 0; j+2 <= len(s) && layer < maxLayers; layer++ {
		hi, ok1 := unhex(s[j])
		lo, ok2 := unhex(s[j+1])
		if !ok1 || !ok2 {
			break
		}
		c, j = hi<<4|lo, j+2
		if c != '%' || j+2 > len(s) {
			return c, j - i
		}
		if _, ok := unhex(s[j]); !ok {
			return c, j - i // an encoded % before something else
		}
		if _, ok := unhex(s[j+1]); !ok {
			return c, j - i
		}
	}
	if j > i+1 {
		return c, j - i
	}
	return 0, 0
}

// percentBefore decodes the percent-encoded byte that ends at i.
func percentBefore(s string, i int) (byte, int) {
	for layer := range maxLayers {
		k := i - 3 - 2*layer
		if k < 0 {
			break
		}
		if s[k] == '%' {
			if c, n := percent(s, k); n == i-k {
				return c, n
			}
		}
	}
	return 0, 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return (c | 0x20) - 'a' + 10, true
	}
	return 0, false
}

// namedRefs are the named character references of the characters of an
// address (other than letters and digits, which nobody names).
var namedRefs = []struct {
	name string
	r    rune
}{{"commat;", '@'}, {"period;", '.'}, {"plus;", '+'}, {"lowbar;", '_'}, {"apos;", '\''}}

// accents are the endings of the named references of accented Latin
// letters (&eacute;, &Uuml;, &ccedil;, &ntilde;, &aring;, &oslash;,
// &scaron;), and ligatures the references of other letters: HTML escaped
// with every named reference (PHP's htmlentities) writes names so.
var (
	accents   = []string{"acute;", "grave;", "circ;", "uml;", "tilde;", "ring;", "cedil;", "slash;", "caron;"}
	ligatures = []string{"szlig;", "aelig;", "AElig;", "oelig;", "OElig;", "eth;", "ETH;", "thorn;", "THORN;"}
)

// letterRef reads the name of an accented letter's reference at the start
// of s (after its &) as the letter without its accent: a letter of the
// local part, whose first letter a mask may show. n is 0 when there is
// none.
func letterRef(s string) (r rune, n int) {
	if s == "" || !isASCIILetter(rune(s[0])) {
		return 0, 0
	}
	for _, a := range accents {
		if strings.HasPrefix(s[1:], a) {
			return rune(s[0]), 1 + len(a)
		}
	}
	for _, l := range ligatures {
		if strings.HasPrefix(s, l) {
			return rune(s[0]), len(l)
		}
	}
	return 0, 0
}

// maxRef is the longest character reference charRefBefore looks back for:
// &amp;amp;amp;#x0000040; and a little more.
const maxRef = 32

// charRef decodes the character reference at i: decimal (&#64;, &#064;)
// or hexadecimal (&#x40;, &#X40;), with its semicolon, a few named ones
// (&commat;) and those of accented letters (&eacute;, see letterRef), and
// the same escaped again (&amp;#64;). n is 0 when there is none.
func charRef(s string, i int) (r rune, n int) {
	if i >= len(s) || s[i] != '&' {
		return 0, 0
	}
	j := i + 1
	for layer := 1; layer < maxLayers && strings.HasPrefix(s[j:], "amp;"); layer++ {
		j += len("amp;")
	}
	if j >= len(s) || s[j] != '#' {
		for _, ref := range namedRefs {
			if strings.HasPrefix(s[j:], ref.name) {
				return ref.r, j + len(ref.name) - i
			}
		}
		if r, n := letterRef(s[j:]); n > 0 {
			return r, j + n - i
		}
		return 0, 0
	}
	j++
	base := rune(10)
	if j < len(s) && s[j]|0x20 == 'x' {
		base, j = 16, j+1
	}
	digits := 0
	for ; j < len(s) && digits < 8; j, digits = j+1, digits+1 {
		d, ok := unhex(s[j])
		if !ok || rune(d) >= base {
			break
		}
		r = r*base + rune(d)
	}
	if digits == 0 || j >= len(s) || s[j] != ';' || r < 0 || r > unicode.MaxRune {
		return 0, 0
	}
	return norm(r), j + 1 - i
}

// charRefBefore decodes the character reference that ends at i.
func charRefBefore(s string, i int) (rune, int) {
	if i <= 0 || s[i-1] != ';' {
		return 0, 0
	}
	for k := i - 2; k >= 0 && k >= i-maxRef; k-- {
		if s[k] == '&' {
			if r, n := charRef(s, k); n == i-k {
				return r, n
			}
			break
		}
	}
	return 0, 0
}
