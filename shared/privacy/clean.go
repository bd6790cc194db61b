package privacy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean removes from a text what a reader of the sheet cannot see but a
// program, or the order of what they see, obeys:
//
//   - control characters (NUL and the other C0 and C1 codes, DEL), but tab
//     and line feed; a carriage return, alone or before a line feed, and
//     the Unicode line and paragraph separators become a line feed;
//   - bidirectional controls (embeddings, overrides, isolates, the
//     left-to-right, right-to-left and Arabic letter marks), which can
//     make "Total 100" display as "Total 001";
//   - zero-width and other invisible format characters (zero-width space,
//     word joiner, byte order mark, soft hyphen, invisible operators, the
//     Hangul fillers), which can split a phone number so that no detector
//     sees it. The zero-width joiner and non-joiner are kept between two
//     letters or two symbols, where scripts (Persian, Devanagari) and
//     emoji sequences need them; and the tag characters of an emoji
//     subdivision flag are kept after its black flag;
//   - invalid UTF-8, which becomes U+FFFD.
//
// The guard cleans every text before it looks for personal data, so that
// invisible characters can neither hide a value from it nor reach a cell.
// A text with none of these comes back as is, without a copy.
func Clean(s string) string {
	i := firstUnclean(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	cleanFrom(&b, s, i, -1)
	return b.String()
}

// cleanPrefix cleans s until the cleaned text holds at least units UTF-16
// units, or s ends, and returns it with whether s went on: it reads only
// as much of s as it needs, plus the characters it removes.
func cleanPrefix(s string, units int) (string, bool) {
	i := firstUnclean(s)
	if i == len(s) {
		p, cut := prefix16(s, units)
		return p, cut
	}
	if head, cut := prefix16(s[:i], units); cut {
		return head, true
	}
	var b strings.Builder
	b.WriteString(s[:i])
	used := 0
	for _, r := range s[:i] {
		used += utf16Len(r)
	}
	end := cleanFrom(&b, s, i, units-used)
	return b.String(), end < len(s)
}

// firstUnclean returns the byte offset of the first character Clean
// would change, len(s) when none. Printable ASCII, tab and line feed are
// the fast path.
func firstUnclean(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c < 0x7F || c == '\t' || c == '\n' {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || invisible(r) || r == 0x2028 || r == 0x2029 || isC1(r) {
			return i
		}
		if r == 0x200C || r == 0x200D {
			// Kept between two characters it may join (an emoji sequence
			// such as 💆‍♀️): nothing before it changed, so its neighbours
			// are those the slow path would see, and the text stays clean.
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			if i == 0 || i+n == len(s) || !joins(prev) || !joins(next) {
				return i
			}
		}
		if isTag(r) {
			return i // kept or not by the flag it is in: the slow path decides
		}
		i += n
	}
	return len(s)
}

// cleanFrom writes the cleaned text of s from byte i on, until at least
// limit UTF-16 units are written when limit is not negative, and returns
// the byte offset where it stopped.
func cleanFrom(b *strings.Builder, s string, i, limit int) int {
	var prev rune = -1 // the last character written, -1 at the start
	if i > 0 {
		prev, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	flag := prev == 0x1F3F4 // inside an emoji subdivision flag
	written := 0
	write := func(r rune) {
		b.WriteRune(r)
		written += utf16Len(r)
		prev = r
	}
	for i < len(s) {
		if limit >= 0 && written >= limit {
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			write(utf8.RuneError)
			flag = false
		case r == '\r':
			write('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
			flag = false
		case r == 0x2028 || r == 0x2029:
			write('\n')
			flag = false
		case r == '\t' || r == '\n':
			write(r)
			flag = false
		case r < 0x20 || r == 0x7F || isC1(r):
			// dropped
		case r == 0x200C || r == 0x200D:
			next := rune(-1)
			if i+n < len(s) {
				next, _ = utf8.DecodeRuneInString(s[i+n:])
			}
			if joins(prev) && joins(next) {
				write(r)
			}
		case isTag(r):
			if flag {
				write(r)
				flag = r != 0xE007F // the cancel tag ends the flag
			}
		case invisible(r):
			// dropped
		default:
			write(r)
			flag = r == 0x1F3F4
		}
		i += n
	}
	return i
}

// invisible reports the format characters Clean removes: Unicode's Cf
// category (bidirectional controls, zero-width characters, the byte
// order mark, the soft hyphen, invisible operators…) and the Hangul
// fillers, which render as nothing. The joiners and tags are decided by
// their neighbours.
func invisible(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0:
		return true
	case 0x200C, 0x200D:
		return false
	}
	return !isTag(r) && unicode.Is(unicode.Cf, r)
}

// joins reports whether a joiner beside r may stay: letters, marks and
// symbols, never digits, spaces or punctuation, so that a joiner cannot
// split a number the guard looks for.
func joins(r rune) bool {
	return r >= 0 && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsSymbol(r))
}

func isTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9F }

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// HasUnclean reports whether s holds a character Clean removes or keeps
// only beside certain neighbours: an identifier holding one is refused
// rather than cleaned, since two ids that differ only by it would become
// one.
func HasUnclean(s string) bool { return firstUnclean(s) < len(s) }
