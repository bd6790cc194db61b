package privacy

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// Email addresses in free text: written plainly (harriet@example.com, also
// with a fullwidth ＠), or obfuscated the ways people do it to dodge spam
// robots: "harriet [at] example [dot] com", "harriet(at)example.com",
// "jean.dupont arobase free.fr", "maria arroba gmail punto com",
// "harriet @ example.com". A bare " at " is taken only where it cannot be
// English: the domain is spelled with "dot", it is a webmail domain, the
// name looks like a handle (dots, digits), or a word such as "email"
// comes just before; "bought at amazon.com" stays as it is. Addresses
// URL-encoded or written with HTML character references are read through
// a form (see encoded.go).

// scanEmails appends the email addresses of s that overlap no finding in
// out.
func scanEmails(s string, out []finding) []finding {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '@' && c != '%' && c != '&' {
			i++
			continue
		}
		f, size := atSign(s, i)
		if size == 0 {
			_, n := next(s, i)
			i += n
			continue
		}
		start := f.localStart(s, i)
		quoted := false
		if f == plainForm && start == i {
			start, quoted = quotedLocal(s, i)
		}
		if f == plainForm && !quoted {
			// HTML escaped without its @ (htmlentities' default):
			// "fran&ccedil;ois@orange.fr", "fran&#231;ois@orange.fr".
			if h := htmlForm.localStart(s, i); h < start {
				f, start = htmlForm, h
			}
		}
		end, ok := f.domainEnd(s, i+size)
		if f == plainForm {
			// An accented domain escaped: "harriet@m&uuml;ller.de".
			if e, hok := htmlForm.domainEnd(s, i+size); hok && (!ok || e > end) {
				f, end, ok = htmlForm, e, true
			}
		}
		if start < i && ok && free(out, start, end) {
			masked := f.mask(s, start, i, i+size, end)
			if quoted {
				masked = MaskEmail(strings.Map(unquote, s[start:i]) + "@" + s[i+size:end])
			}
			out = append(out, finding{kind: KindEmail, start: start, end: end, masked: masked})
			i = end
			continue
		}
		i += size
	}
	return scanObfuscated(s, out)
}

// quotedLocal returns where the quoted local part that ends at the @ at i
// starts ("alice b"@example.com, RFC 5322), or i when there is none.
func quotedLocal(s string, i int) (int, bool) {
	if i == 0 || s[i-1] != '"' {
		return i, false
	}
	j := strings.LastIndexByte(s[max(0, i-1-maxQuoted):i-1], '"')
	if j < 0 {
		return i, false
	}
	j += max(0, i-1-maxQuoted)
	inside := s[j+1 : i-1]
	if strings.TrimSpace(inside) == "" || strings.ContainsAny(inside, "@\n") {
		return i, false
	}
	return j, true
}

// maxQuoted is the longest quoted local part read: RFC 5321's 64 and its
// quotes.
const maxQuoted = 66

// unquote drops the quotes and spaces of a quoted local part, for its mask.
func unquote(r rune) rune {
	if r == '"' || isSpace(r) {
		return -1
	}
	return norm(r)
}

// mask masks the address s[start:end] whose @ is s[at:domain] like
// MaskEmail, and writes its @ as it was: an encoded address stays a valid
// part of its URL or HTML, and a second pass finds it masked already.
func (f form) mask(s string, start, at, domain, end int) string {
	m := MaskEmail(f.decode(s[start:at]) + "@" + f.decode(s[domain:end]))
	if f == plainForm {
		return m
	}
	local, host, ok := strings.Cut(m, "@")
	if !ok {
		return m
	}
	return local + s[at:domain] + host
}

func isLocalRune(r rune) bool {
	return isASCIIAlnum(r) || isWordLetter(r) || r < 0x80 && strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)
}

// How far the detectors read an address: the domain as long as RFC 5321
// allows (253), and the local part four times its 64, so that text glued
// before an address (a URL's path and query) is masked with it rather
// than shown in part. Bounded, so that an address spans at most
// (256 + 1 + 253) × 24 = 12,240 bytes (see reach).
const (
	maxLocal  = 256
	maxDomain = 253
)

// localStart returns where the local part that ends at the @ at i starts:
// at most maxLocal characters before it.
func (f form) localStart(s string, i int) int {
	j := i
	for n := 0; n < maxLocal; n++ {
		r, size := f.prev(s, j)
		if size == 0 || !f.localRune(r) {
			break
		}
		j -= size
	}
	for j < i {
		if r, size := f.next(s, j); r == '.' || r == '\'' {
			j += size
			continue
		}
		break
	}
	return j
}

// domainEnd reads a domain of at least two labels, the last one all
// letters and not a file's extension (logo@2x.png), starting at i, and
// returns where it ends. It reads at most maxDomain characters, dots
// included: past them, what it read is an address if it holds a dot (a
// text glued to the address without a space, in clear, would otherwise
// leave the whole address in clear).
func (f form) domainEnd(s string, i int) (int, bool) {
	j, labels, tldStart, n := i, 0, i, 0
	for {
		ls := j
		for {
			r, size := f.next(s, j)
			if size == 0 || !(isASCIIAlnum(r) || r == '-' || r >= 0x80 && isWordLetter(r)) {
				break
			}
			if n++; n > maxDomain {
				return j, labels > 0
			}
			j += size
		}
		if j == ls {
			break
		}
		labels, tldStart = labels+1, ls
		r, size := f.next(s, j)
		if r != '.' {
			break
		}
		if r2, _ := f.next(s, j+size); !(isASCIIAlnum(r2) || r2 >= 0x80 && isWordLetter(r2)) {
			break
		}
		j += size
		n++ // a dot counts, as in RFC 5321's length
	}
	if labels < 2 || j-tldStart < 2 || equalFoldAny(s[tldStart:j], fileExtensions) {
		return i, false
	}
	for k := tldStart; k < j; {
		r, size := f.next(s, k)
		if !isWordLetter(r) {
			return i, false
		}
		k += size
	}
	return j, true
}

// token is a word, a bracketed word such as "(at)", or a lone @.
type token struct {
	start, end int
	kind       byte   // 'w' word, 'b' bracketed word, '@'
	word       string // as written, without the brackets: compare with EqualFold
	spaced     bool   // only spaces (or nothing) separate it from the token before
}

func isTokenRune(r rune) bool {
	return isWordLetter(r) || isDigit(r) || r < 0x80 && strings.ContainsRune("._-+%'", r)
}

// readToken reads the token at or after i.
func readToken(s string, i int) (token, bool) {
	t := token{spaced: true}
	for {
		r, size := next(s, i)
		if size == 0 {
			return t, false
		}
		if isTokenRune(r) || r == '@' {
			break
		}
		if strings.ContainsRune("([{<", r) {
			if b, ok := readBracket(s, i); ok {
				b.spaced = t.spaced
				return b, true
			}
		}
		if !isSpace(r) {
			t.spaced = false
		}
		i += size
	}
	t.start = i
	if r, size := next(s, i); r == '@' {
		t.kind, t.end, t.word = '@', i+size, "@"
		return t, true
	}
	for {
		r, size := next(s, i)
		if size == 0 || !isTokenRune(r) {
			break
		}
		i += size
	}
	t.kind, t.end, t.word = 'w', i, s[t.start:i]
	return t, true
}

// readBracket reads "(at)", "[dot]", "{punkt}", "<at>", "[@]" at i.
func readBracket(s string, i int) (token, bool) {
	open, size := next(s, i)
	closer := ')'
	switch open {
	case '[':
		closer = ']'
	case '{':
		closer = '}'
	case '<':
		closer = '>'
	}
	j := i + size
	for j < len(s) && j-i < 12 {
		r, size := next(s, j)
		if r == closer {
			w := strings.TrimSpace(s[i+1 : j])
			if w == "" {
				return token{}, false
			}
			return token{start: i, end: j + size, kind: 'b', word: w}, true
		}
		if !isWordLetter(r) && r != ' ' && r != '@' && r != '.' {
			return token{}, false // "[@]" is an at too, "[.]" a dot
		}
		j += size
	}
	return token{}, false
}

// Words that stand for @, in brackets ("(at)", "[ät]", "(chez)") or alone
// between spaces. Alone, "at", "ät" and "chez" are words of sentences too
// ("bought at amazon.com", "livrer chez Martin"): they stand for @ only
// with more evidence (see obfuscatedAt). "a" does in brackets only: "(a)".
var (
	atWords   = []string{"at", "ät", "chez", "arobase", "arobas", "arroba", "chiocciola", "klammeraffe", "apenstaartje"}
	bareWords = []string{"at", "ät", "chez"}
)

// atStarts maps the first byte of each word that stands for @, folded, to
// the second bytes of those words, folded: the fast paths (suspicious,
// mayObfuscate) find where one may start from the words themselves, so
// that a word the scanner knows is never one they skip.
var atStarts = func() (t [256]string) {
	for _, w := range atWords {
		t[fold(w[0])] += string(fold(w[1]))
	}
	t['a'] += ")]}>" // (a), [a]
	return t
}()

// fold lower-cases an ASCII letter, and the second byte of a Latin-1
// capital in UTF-8 (Ä is C3 84, ä C3 A4).
func fold(c byte) byte {
	if c >= 'A' && c <= 'Z' || c >= 0x80 && c <= 0x9F {
		return c | 0x20
	}
	return c
}

// atWordAt reports whether a word that stands for @ may start at byte i.
func atWordAt(s string, i int) bool {
	second := atStarts[fold(s[i])]
	return second != "" && i+1 < len(s) && strings.IndexByte(second, fold(s[i+1])) >= 0
}

var (
	dotWords       = []string{"dot", "point", "punto", "punkt", "punt", "pt", "."}
	emailContext   = []string{"mail", "email", "e-mail", "courriel", "correo", "write", "écri", "ecri", "schreib", "scriv", "escrib", "contact", "reply", "répond", "adress", "address", "indirizzo", "direcci"}
	fileExtensions = []string{"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "ico", "tif", "tiff", "heic", "pdf", "css", "js", "html", "htm", "php", "json", "xml", "txt", "csv", "ttf", "otf", "zip", "mov"} // none is a top-level domain, but .zip and .mov
	webmailDomains = []string{"gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud", "me", "mac", "aol", "gmx", "web", "t-online", "freenet", "orange", "free", "wanadoo", "laposte", "sfr", "neuf", "bbox", "libero", "virgilio", "alice", "tiscali", "ziggo", "kpnmail", "telenet", "skynet", "proton", "protonmail", "pm", "yandex", "mail", "docomo", "ezweb", "softbank", "qq", "163", "126", "naver", "seznam", "wp", "o2", "onet", "interia", "bluewin"}
	topLevel       = []string{"com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "tv", "eu", "fr", "de", "es", "it", "nl", "be", "ch", "at", "lu", "pt", "ie", "uk", "us", "ca", "au", "nz", "jp", "cn", "kr", "in", "br", "mx", "ar", "ru", "pl", "cz", "sk", "se", "no", "dk", "fi", "gr", "ro", "hu", "bg", "hr", "si", "ee", "lv", "lt", "ua", "tr", "il", "za", "sg", "hk", "tw", "li", "mc", "ad", "is", "email", "online", "shop", "store", "app", "dev", "xyz", "cat", "ai"}
)

// topLevelDomain reports whether a label is a top-level domain of the
// root zone (the ICANN section of the Public Suffix List: .blog, .paris,
// .studio… that customers' own domains end in), and not a file's
// extension (.zip and .mov are both). The list is
// golang.org/x/net/publicsuffix's, kept with the module: its look-up
// allocates (it first tries the label as an IP address), so the caller
// asks the common domains of topLevel first.
func topLevelDomain(l string) bool {
	if len(l) < 2 || len(l) > 63 || equalFoldAny(l, fileExtensions) {
		return false
	}
	var buf [63]byte
	b := buf[:0]
	for i := 0; i < len(l); i++ {
		c := l[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
		b = append(b, c)
	}
	_, icann := publicsuffix.PublicSuffix(string(b))
	return icann
}

// domainLabels reports whether the labels of an obfuscated address's
// domain end in a top-level domain, and are not a time (at 10.30.am).
// After a bare "at" and a plain name, only the common top-level domains
// count: "visit us at boutique.paris" names a website.
func domainLabels(labels []string, plain bool) bool {
	tld, time := labels[len(labels)-1], len(labels) > 2
	for _, l := range labels[:len(labels)-1] {
		time = time && strings.Trim(l, "0123456789") == ""
	}
	if time {
		return false // but 163.com is a webmail's
	}
	if equalFoldAny(tld, topLevel) {
		return true
	}
	return !plain && topLevelDomain(tld) // last: a look-up in the Public Suffix List allocates
}

func isAt(t token) (at, bare bool) {
	switch t.kind {
	case '@':
		return t.spaced, false // a glued @ is a plain address
	case 'b':
		return t.word == "@" || strings.EqualFold(t.word, "a") || equalFoldAny(t.word, atWords), false
	}
	return equalFoldAny(t.word, atWords), equalFoldAny(t.word, bareWords)
}

func isDot(t token) bool { return t.kind != '@' && equalFoldAny(t.word, dotWords) }

// mayObfuscate is the fast path of scanObfuscated: without one of the
// words or signs that stand for @, nothing is tokenized.
func mayObfuscate(s string) bool {
	letter := func(i int) bool {
		if i < 0 || i >= len(s) {
			return false
		}
		c := s[i] | 0x20
		return c >= 'a' && c <= 'z' || s[i] >= 0x80
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '@' || s[i] == 0xEF:
			return true // a spaced @, a fullwidth ＠ or a small ﹫
		case atWordAt(s, i) && !letter(i-1):
			for _, w := range atWords {
				if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) && !letter(i+len(w)) {
					return true
				}
			}
			if s[i]|0x20 == 'a' && !letter(i+1) {
				return true // (a)
			}
		}
	}
	return false
}

// scanObfuscated finds "local AT domain DOT tld" in the tokens of s.
func scanObfuscated(s string, out []finding) []finding {
	if !mayObfuscate(s) {
		return out
	}
	var before [8]token // the tokens before the current one, nearest first
	// The addresses found already (scanEmails appends them in the order of
	// the text), and the next that may hold a token: the at of one is not
	// read again, and a cursor keeps that check linear.
	found, k := len(out), 0
	for i := 0; ; {
		t, ok := readToken(s, i)
		if !ok {
			return out
		}
		i = t.end
		for k < found && out[k].end <= t.start {
			k++
		}
		at, bare := isAt(t)
		local := before[0]
		if at && local.kind == 'w' && local.end > 0 && t.spaced && !(k < found && out[k].start < t.end) {
			// An @ spaced on its left only is a handle's ("merci
			// @atelier.paris"), but before a webmail ("dana.k @gmail.com");
			// glued on both sides, a plain address with its dots written
			// otherwise ("anna@example[.]com", "anna@example dot com").
			handle := t.kind == '@' && !spaceAfter(s, t.end) && local.end < t.start
			if f, ok := obfuscatedAt(s, before, t, bare, handle); ok && free(out, f.start, f.end) {
				out = append(out, f)
				i = f.end
				before = [8]token{}
				continue
			}
		}
		copy(before[1:], before[:len(before)-1])
		before[0] = t
	}
}

func spaceAfter(s string, i int) bool {
	r, _ := next(s, i)
	return isSpace(r)
}

// localWords returns how many tokens before the at make the local part,
// nearest first: one word, or words joined by dot words ("tom dot harris
// at gmail dot com"), each only spaces apart from the next.
func localWords(before []token) int {
	k := 0
	for k+2 < len(before) && before[k].spaced && isDot(before[k+1]) && before[k+1].spaced &&
		before[k+2].kind == 'w' && !isDot(before[k+2]) {
		k += 2
	}
	return k + 1
}

func obfuscatedAt(s string, before [8]token, at token, bare, handle bool) (finding, bool) {
	words := localWords(before[:])
	local := before[0]
	// A word longer than a local part: only its end is read.
	j := local.end
	for n := 0; n < maxLocal && j > local.start; n++ {
		_, size := prev(s, j)
		j -= size
	}
	local.start = j
	start := local.start
	if words > 1 {
		start = before[words-1].start
	}
	if at.end-start > maxObfuscated {
		return finding{}, false // pages of spaces between the name and its "at"
	}
	lw := strings.Trim(s[local.start:local.end], ".'-+")
	if lw == "" {
		return finding{}, false
	}
	var buf [8]string // the domain's labels, substrings of s: nothing allocated until a match
	labels := buf[:0]
	dotWord := false
	end, i := 0, at.end
	wantLabel := true
	for len(labels) < len(buf) {
		t, ok := readToken(s, i)
		if !ok || !t.spaced || t.end-start > maxObfuscated {
			break
		}
		if wantLabel {
			if t.kind != 'w' || isDot(t) {
				break
			}
			w := strings.TrimRight(t.word, ".")
			if w == "" {
				break
			}
			for rest := w; len(labels) < len(buf); {
				l, after, more := strings.Cut(rest, ".")
				labels = append(labels, l)
				if !more {
					break
				}
				rest = after
			}
			end = t.start + len(w)
			wantLabel = false
			if len(w) < len(t.word) {
				break // end of a sentence
			}
		} else {
			if !isDot(t) {
				break
			}
			dotWord, wantLabel = true, true
		}
		i = t.end
	}
	if len(labels) < 2 || slicesContains(labels, "") || handle && !webmail(labels) {
		return finding{}, false
	}
	if bare {
		if r, _ := next(s, end); r == '/' || strings.EqualFold(labels[0], "www") {
			return finding{}, false // a website: "find us at www.example.fr"
		}
		if words == 1 && !dotWord && !strings.ContainsAny(lw, "._-+0123456789") && !webmail(labels) && !mailContext(before[words:]) {
			return finding{}, false // "bought at amazon.com"
		}
	}
	if !domainLabels(labels, bare && !dotWord && !strings.ContainsAny(lw, "._-+0123456789")) {
		return finding{}, false
	}
	if words > 1 {
		var b strings.Builder
		for k := words - 1; k > 0; k -= 2 {
			b.WriteString(strings.Trim(before[k].word, ".'-+"))
			b.WriteByte('.')
		}
		lw = b.String() + lw
	}
	// What is glued before the local part and a plain one may hold is
	// masked with it ("x!anna at gmail dot com"): left, it would make the
	// mask a plain address to a second pass.
	glued := start
	for n := 0; n < maxLocal; n++ {
		r, size := prev(s, glued)
		if size == 0 || !isLocalRune(r) {
			break
		}
		glued -= size
	}
	lw, start = s[glued:start]+lw, glued
	addr := strings.Map(norm, lw) + "@" + strings.Join(labels, ".")
	return finding{kind: KindEmail, start: start, end: end, masked: MaskEmail(addr)}, true
}

// maxObfuscated bounds the bytes an obfuscated address spans, its words
// and the spaces between them: the domain is read no further (see reach).
// Only what is glued before its first word, maxLocal characters at most,
// comes on top.
const maxObfuscated = 2048

func webmail(labels []string) bool {
	for _, l := range labels[:len(labels)-1] {
		if equalFoldAny(l, webmailDomains) {
			return true
		}
	}
	return false
}

func mailContext(ts []token) bool {
	for _, t := range ts {
		if t.kind == 'w' && hasPrefixFold(t.word, emailContext) {
			return true
		}
	}
	return false
}
