package privacy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskName keeps the initials of a person's name: "Harriet Smith" becomes
// "H. S***", "Smith" becomes "S***", "Ludwig van Beethoven" becomes
// "L. B***" (particles such as van, de, von are skipped). Scripts without
// letter case keep their first character. Empty stays empty.
func MaskName(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	var parts []string
	for _, w := range words {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsLetter(r) {
			parts = append(parts, w)
		}
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
// "harriet.smith@dg1.com" becomes "h***@dg1.com". Anything that is not a
// plausible address is masked entirely as "***".
func MaskEmail(email string) string {
	email = strings.TrimSpace(email)
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || !validDomain(domain) || strings.ContainsAny(local, " \t\r\n<>\"") {
		if email == "" {
			return ""
		}
		return "***"
	}
	return strings.ToLower(initial(local)) + "***@" + strings.ToLower(domain)
}

func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.') {
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
		if r >= '0' && r <= '9' {
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
