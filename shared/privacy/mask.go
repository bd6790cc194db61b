package privacy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskName keeps the initials of a person's name: "Harriet Smith" becomes
// "H. S***", "Smith" becomes "S***", "Ludwig van Beethoven" becomes
// "L. B***" (particles such as van, de, von are skipped, and so are titles
// such as Dr, Mme, Herr), "Smith, Harriet" becomes "H. S***". Scripts
// without letter case keep their first character ("山田太郎" becomes
// "山***"). Empty stays empty; a value with no letter at all is masked
// entirely.
func MaskName(name string) string {
	if before, after, ok := strings.Cut(name, ","); ok && strings.TrimSpace(before) != "" && strings.TrimSpace(after) != "" && !strings.Contains(after, ",") {
		name = after + " " + before // "Family, Given"
	}
	words := strings.FieldsFunc(name, unicode.IsSpace)
	var parts []string
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if r, _ := utf8.DecodeRuneInString(w); !unicode.IsLetter(r) || strings.Contains(w, "@") {
			continue // not a name: a number, an address
		}
		if len(parts) == 0 && title(w) {
			continue
		}
		parts = append(parts, w)
	}
	switch len(parts) {
	case 0:
		if strings.TrimSpace(name) == "" {
			return ""
		}
		return "***"
	case 1:
		return initial(parts[0]) + "***"
	}
	family := ""
	for i := len(parts) - 1; i >= 1; i-- {
		if !particle(parts[i]) {
			family = parts[i]
			break
		}
	}
	if family == "" {
		family = parts[len(parts)-1]
	}
	return initial(parts[0]) + ". " + initial(family) + "***"
}

// title reports a word that comes before a name and is not part of it.
func title(w string) bool {
	switch strings.ToLower(strings.TrimSuffix(w, ".")) {
	case "mr", "mrs", "ms", "mx", "miss", "dr", "prof", "m", "mme", "mlle", "herr", "frau", "sr", "sra", "srta", "sig", "sig.ra", "dott", "mevr", "dhr":
		return true
	}
	return false
}

func initial(w string) string {
	r, _ := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r))
}

func particle(w string) bool {
	switch strings.ToLower(strings.TrimSuffix(w, ".")) {
	case "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le", "dos", "das", "ter", "ten", "bin", "ibn", "al", "y", "e", "jr", "sr", "ii", "iii":
		return true
	}
	return false
}

// MaskEmail keeps the first character of the local part and the domain:
// "harriet.smith@dg1.com" becomes "h***@dg1.com", and so does
// "Harriet Smith <harriet.smith@dg1.com>". Anything that is not a
// plausible address is masked entirely as "***", never passed through.
func MaskEmail(email string) string {
	email = strings.TrimSpace(email)
	if email == "" {
		return ""
	}
	if i := strings.LastIndexByte(email, '<'); i >= 0 && strings.HasSuffix(email, ">") {
		email = email[i+1 : len(email)-1] // a display name and the address
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || !validDomain(domain) || strings.ContainsFunc(local, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"(),:;[]@", r)
	}) {
		return "***"
	}
	first := "*"
	if r, _ := utf8.DecodeRuneInString(local); unicode.IsLetter(r) || unicode.IsDigit(r) {
		first = string(unicode.ToLower(r))
	}
	return first + "***@" + strings.ToLower(domain)
}

// validDomain accepts a host name of two labels or more whose last label
// is letters only.
func validDomain(d string) bool {
	if len(d) < 4 || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	dot := strings.LastIndexByte(d, '.')
	if dot < 0 || len(d)-dot-1 < 2 {
		return false
	}
	for i, r := range d {
		switch {
		case unicode.IsLetter(r), r == '.':
		case unicode.IsDigit(r) || r == '-':
			if i > dot {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// MaskPhone keeps at most the last 2 digits of a phone number:
// "+33 6 12 34 56 78" becomes "***78". A value with fewer than 6 digits is
// not a phone number and is masked entirely.
func MaskPhone(phone string) string {
	return keepLastDigits(phone, 2, 6)
}

// Last4 keeps the last 4 digits of a reference that needs them (a card or
// account the team must recognize): "4242 4242 4242 4242" becomes
// "***4242". A value with fewer than 8 digits is masked entirely.
func Last4(ref string) string {
	return keepLastDigits(ref, 4, 8)
}

func keepLastDigits(v string, keep, min int) string {
	var ds []rune
	for _, r := range v {
		if r = norm(r); isDigit(r) {
			ds = append(ds, r)
		}
	}
	switch {
	case strings.TrimSpace(v) == "":
		return ""
	case len(ds) < min:
		return "***"
	}
	return "***" + string(ds[len(ds)-keep:])
}
