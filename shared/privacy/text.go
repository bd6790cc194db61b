package privacy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors read text rune by rune, forwards and backwards, through
// norm: no copy of the text is made unless something is found, and no
// regular expression runs (so nothing backtracks on a hostile note).

// norm maps what keyboards type for the same character to one rune:
// fullwidth ASCII (Japanese and Chinese input methods type ０９０ and ＠)
// and the small forms of @ and . (﹫, ﹒),
// the no-break and thin spaces of French typography, and the dashes,
// minus signs and the katakana long mark people put between digits.
func norm(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000, r == 0x00A0, r == 0x202F, r == 0x2009, r == 0x2007:
		return ' '
	case r == 0x2010, r == 0x2011, r == 0x2012, r == 0x2013, r == 0x2212, r == 0x30FC, r == 0xFE63:
		return '-'
	case r == 0xFE6B:
		return '@' // small commercial at
	case r == 0xFE52:
		return '.' // small full stop
	}
	return r
}

// next returns the normalized rune at byte offset i and its size in s;
// size 0 at the end.
func next(s string, i int) (rune, int) {
	if i >= len(s) {
		return 0, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return norm(r), n
}

// prev returns the normalized rune that ends at byte offset i and its
// size; size 0 at the start.
func prev(s string, i int) (rune, int) {
	if i <= 0 {
		return 0, 0
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeLastRuneInString(s[:i])
	return norm(r), n
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isASCIILetter(r rune) bool { return r|0x20 >= 'a' && r|0x20 <= 'z' }

func isASCIIAlnum(r rune) bool { return isDigit(r) || isASCIILetter(r) }

// isCJK reports scripts written without spaces between words: there a
// letter next to a number does not glue them into one code.
func isCJK(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || r >= 0x3000 && r <= 0x303F)
}

// isWordLetter is a letter of a script that separates words with spaces.
func isWordLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIILetter(r)
	}
	return unicode.IsLetter(r) && !isCJK(r)
}

// isSpace is a space inside a line (after norm).
func isSpace(r rune) bool { return r == ' ' || r == '\t' }

// wordsBefore calls f with up to max words that end before byte offset i,
// nearest first, lower-cased, skipping the punctuation people put between
// a label and its value ("Tel.:", "n°", "#"), as written (compare with
// hasPrefixFold and equalFoldAny). A run of CJK characters counts as one
// word, and so do single letters with dots ("R.C.S"). f is given the
// word and the offset of its end, and returns true to stop.
func wordsBefore(s string, i, max int, f func(w string, end int) bool) {
	for n := 0; n < max && i > 0; n++ {
		// Skip separators.
		for i > 0 {
			r, size := prev(s, i)
			if isWordLetter(r) || isCJK(r) || isDigit(r) {
				break
			}
			if r == '\n' || r == '|' || r == ';' {
				return // another line or field: its words say nothing of this one
			}
			i -= size
		}
		end := i
		r, _ := prev(s, i)
		cjk := isCJK(r)
		for i > 0 {
			r, size := prev(s, i)
			if cjk && !isCJK(r) || !cjk && !(isWordLetter(r) || isDigit(r) || r == 'º' || r == '\'') {
				break
			}
			i -= size
		}
		if i == end {
			return
		}
		// Single letters with dots are one word, an abbreviation:
		// "R.C.S.", "N.I.F.".
		for end-i == 1 && abbreviation(s, i) || i+2 < end && s[i+1] == '.' && abbreviation(s, i) {
			i -= 2
		}
		if f(s[i:end], end) {
			return
		}
	}
}

// abbreviation reports whether the ASCII letter at i follows another with
// a dot between them, that letter a word of its own: "R.C" at i = 2.
func abbreviation(s string, i int) bool {
	if i < 2 || s[i-1] != '.' || !isASCIILetter(rune(s[i-2])) || !isASCIILetter(rune(s[i])) {
		return false
	}
	p, _ := prev(s, i-2)
	return !isWordLetter(p) && !isDigit(p)
}

// hasPrefixFold reports whether w starts with one of the lower-case
// prefixes, in any case, without allocating.
func hasPrefixFold(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(w) >= len(p) && strings.EqualFold(w[:len(p)], p) {
			return true
		}
	}
	return false
}

func equalFoldAny(w string, list []string) bool {
	for _, v := range list {
		if strings.EqualFold(w, v) {
			return true
		}
	}
	return false
}

func containsAny(w string, subs []string) bool {
	for _, p := range subs {
		if strings.Contains(w, p) {
			return true
		}
	}
	return false
}
