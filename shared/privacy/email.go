package privacy

import (
	"strings"
	"unicode/utf8"
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
		if f == plainForm {
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
			out = append(out, finding{kind: KindEmail, start: start, end: end, masked: f.mask(s, start, i, i+size, end)})
			i = end
			continue
		}
		i += size
	}
	return scanObfuscated(s, out)
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

// readBracket reads "(at)", "[dot]", "{punkt}", "<at>" at i.
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
		if !isWordLetter(r) && r != ' ' {
			return token{}, false
		}
		j += size
	}
	return token{}, false
}

var (
	atWords        = []string{"at", "arobase", "arroba", "chiocciola", "klammeraffe"}
	dotWords       = []string{"dot", "point", "punto", "punkt", "punt", "pt"}
	emailContext   = []string{"mail", "email", "e-mail", "courriel", "correo", "write", "écri", "ecri", "schreib", "scriv", "escrib", "contact", "reply", "répond", "adress", "address", "indirizzo", "direcci"}
	fileExtensions = []string{"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "ico", "tif", "tiff", "heic", "pdf", "css", "js", "html", "htm", "php", "json", "xml", "txt", "csv", "ttf", "otf"} // none is a top-level domain
	webmailDomains = []string{"gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud", "me", "mac", "aol", "gmx", "web", "t-online", "freenet", "orange", "free", "wanadoo", "laposte", "sfr", "neuf", "bbox", "libero", "virgilio", "alice", "tiscali", "ziggo", "kpnmail", "telenet", "skynet", "proton", "protonmail", "pm", "yandex", "mail", "docomo", "ezweb", "softbank", "qq", "163", "126", "naver", "seznam", "wp", "o2", "onet", "interia", "bluewin"}
	topLevel       = []string{"com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "tv", "eu", "fr", "de", "es", "it", "nl", "be", "ch", "at", "lu", "pt", "ie", "uk", "us", "ca", "au", "nz", "jp", "cn", "kr", "in", "br", "mx", "ar", "ru", "pl", "cz", "sk", "se", "no", "dk", "fi", "gr", "ro", "hu", "bg", "hr", "si", "ee", "lv", "lt", "ua", "tr", "il", "za", "sg", "hk", "tw", "li", "mc", "ad", "is", "email", "online", "shop", "store", "app", "dev", "xyz", "cat", "ai"}
)

func isAt(t token) (at, bare bool) {
	switch t.kind {
	case '@':
		return t.spaced, false // a glued @ is a plain address
	case 'b':
		return strings.EqualFold(t.word, "a") || strings.EqualFold(t.word, "ät") || equalFoldAny(t.word, atWords), false
	}
	return equalFoldAny(t.word, atWords), strings.EqualFold(t.word, "at")
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
		switch c := s[i] | 0x20; {
		case c == 'a' && i+1 < len(s):
			if n := s[i+1] | 0x20; n == 't' && !letter(i-1) && !letter(i+2) || n == 'r' && !letter(i-1) {
				return true // at, (at), arobase, arroba
			}
		case c == 'c' || c == 'k':
			if i+1 < len(s) && (s[i+1]|0x20 == 'h' || s[i+1]|0x20 == 'l') && !letter(i-1) {
				return true // chiocciola, klammeraffe
			}
		case s[i] == '@' || s[i] == 0xEF:
			return true // a spaced @, a fullwidth ＠
		case s[i] == 0xC3 && i+2 < len(s) && (s[i+1] == 0xA4 || s[i+1] == 0x84) && s[i+2]|0x20 == 't':
			return true // ät
		}
	}
	return false
}

// scanObfuscated finds "local AT domain DOT tld" in the tokens of s.
func scanObfuscated(s string, out []finding) []finding {
	if !mayObfuscate(s) {
		return out
	}
	var before [4]token // the tokens before the current one, nearest first
	for i := 0; ; {
		t, ok := readToken(s, i)
		if !ok {
			return out
		}
		i = t.end
		at, bare := isAt(t)
		local := before[0]
		if at && local.kind == 'w' && local.end > 0 && t.spaced && (t.kind != '@' || spaceAfter(s, t.end)) {
			if f, ok := obfuscatedAt(s, before, t, bare); ok && free(out, f.start, f.end) {
				out = append(out, f)
				i = f.end
				before = [4]token{}
				continue
			}
		}
		copy(before[1:], before[:3])
		before[0] = t
	}
}

func spaceAfter(s string, i int) bool {
	r, _ := next(s, i)
	return isSpace(r)
}

func obfuscatedAt(s string, before [4]token, at token, bare bool) (finding, bool) {
	local := before[0]
	// A word longer than a local part: only its end is read.
	j := local.end
	for n := 0; n < maxLocal && j > local.start; n++ {
		_, size := prev(s, j)
		j -= size
	}
	local.start = j
	if at.end-local.start > maxObfuscated {
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
		if !ok || !t.spaced || t.end-local.start > maxObfuscated {
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
	if len(labels) < 2 || !equalFoldAny(labels[len(labels)-1], topLevel) || slicesContains(labels, "") {
		return finding{}, false
	}
	if bare && !dotWord && !strings.ContainsAny(lw, "._-+0123456789") && !webmail(labels) && !mailContext(before[1:]) {
		return finding{}, false // "bought at amazon.com"
	}
	addr := strings.Map(norm, lw) + "@" + strings.Join(labels, ".")
	return finding{kind: KindEmail, start: local.start, end: end, masked: MaskEmail(addr)}, true
}

// maxObfuscated bounds the bytes an obfuscated address spans, its words
// and the spaces between them: the domain is read no further (see reach).
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
