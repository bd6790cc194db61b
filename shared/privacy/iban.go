package privacy

// International bank account numbers in free text: a country code, two
// check digits and the account, in upper or lower case, in one block or
// in groups separated by spaces (one or two), dashes or dots, a group after the
// country code too (FR 76 3000…); the length must be the country's and
// the whole must pass the ISO 7064 mod 97 check.

// ibanLengths are the IBAN lengths of the countries of the SWIFT registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// scanIBANs appends the IBANs of s that overlap no finding in out.
func scanIBANs(s string, out []finding) []finding {
	for i := 0; i+4 <= len(s); {
		r, size := next(s, i)
		if !isASCIILetter(r) {
			i += size
			continue
		}
		if p, _ := prev(s, i); isASCIIAlnum(p) || isWordLetter(p) {
			i += size
			continue
		}
		if !ibanStart(s, i) {
			i += size
			continue // not two letters and two digits: the common case, decided on bytes
		}
		if end, masked, ok := readIBAN(s, i); ok && free(out, i, end) {
			out = append(out, finding{kind: KindIBAN, start: i, end: end, masked: masked})
			i = end
			continue
		}
		i += size
	}
	return out
}

// ibanStart reports whether the bytes at i may start an IBAN: two letters
// and two digits, a separator after the letters or not.
func ibanStart(s string, i int) bool {
	if i+4 > len(s) || !isASCIILetter(rune(s[i+1])) {
		return false
	}
	j := i + 2
	if ibanSep(s[j]) {
		j++
	}
	return j+2 <= len(s) && isDigit(rune(s[j])) && isDigit(rune(s[j+1]))
}

func ibanSep(c byte) bool { return c == ' ' || c == '-' || c == '.' }

// readIBAN reads an IBAN starting at i.
func readIBAN(s string, i int) (end int, masked string, ok bool) {
	var buf [34]byte
	n, j := 0, i
	want := 0
	for {
		r, size := next(s, j)
		if !isASCIIAlnum(r) {
			// One space, dash or dot between groups, or two spaces, not
			// inside the country code.
			if r < 0x80 && ibanSep(byte(r)) && n >= 2 && n < want {
				k := j + size
				if r == ' ' && k < len(s) && s[k] == ' ' {
					k++
				}
				if r2, _ := next(s, k); isASCIIAlnum(r2) {
					j = k
					continue
				}
			}
			break
		}
		if n == len(buf) || want > 0 && n == want {
			return 0, "", false // longer than the country's IBAN: an id, not an IBAN
		}
		c := byte(r)
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		switch {
		case n < 2 && !isASCIILetter(r), n >= 2 && n < 4 && !isDigit(r):
			return 0, "", false
		}
		buf[n] = c
		n++
		j += size
		if n == 2 {
			if want = ibanLengths[string(buf[:2])]; want == 0 {
				return 0, "", false
			}
		}
	}
	if want == 0 || n != want || !mod97(buf[:n]) {
		return 0, "", false
	}
	if r, _ := next(s, j); isWordLetter(r) {
		return 0, "", false
	}
	return j, string(buf[:2]) + "***" + string(buf[n-4:n]), true
}

// mod97 is the IBAN check (ISO 7064 MOD 97-10): the country code and check
// digits moved to the end, letters as 10 to 35, the remainder must be 1.
func mod97(b []byte) bool {
	rem := 0
	add := func(c byte) {
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
			return
		}
		rem = (rem*10 + int(c-'0')) % 97
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return rem == 1
}
