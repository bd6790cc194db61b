package privacy

// National shapes of phone numbers, international numbers dialled with
// 00, and the identifiers that look like them.

// usual reports a number written as its country usually writes it, so
// that it is a phone number even without a word that says so, and after
// a word that says only "number" or "parcel":
//
//   - France: 10 digits from 01 to 09, whole or in pairs (06 12 34 56 78);
//   - Germany: mobiles, 015x, 016x, 017x, 10 to 12 digits, whole or after
//     their prefix (0171 2345678, 01520 1234567, 0160 93 84 17 25);
//   - United Kingdom: 11 digits from 01, 02 or 07, whole or in the groups
//     of its numbering plan (07700 900123, 020 7946 0823, 0113 496 0371);
//   - Spain: 9 digits, mobiles from 6 or 7 whole, any from 6 to 9 in
//     groups (612 34 56 78, 91 523 84 76);
//   - North America: 10 digits of a valid area code and exchange (from 2
//     to 9 each), whole or 3-3-4, with or without a leading 1.
func (w *window) usual() bool {
	d, n := w.ds(), w.n
	one := w.a == w.b
	first := w.c.groups[w.a].n
	switch {
	case n == 10 && d[0] == '0' && d[1] >= '1' && (one || w.sizes(2, 2, 2, 2, 2)):
		return true // France
	case n >= 10 && n <= 12 && d[0] == '0' && d[1] == '1' && d[2] >= '5' && d[2] <= '7' && (one || first == 4 || first == 5):
		return true // German mobile
	case n == 11 && d[0] == '0' && (d[1] == '1' || d[1] == '2' || d[1] == '7') &&
		(one || w.sizes(5, 6) || w.sizes(5, 3, 3) || w.sizes(4, 3, 4) || w.sizes(3, 4, 4)):
		return true // United Kingdom
	case n == 9 && d[0] >= '6' && (one && d[0] <= '7' || w.sizes(3, 3, 3) || w.sizes(3, 2, 2, 2) || w.sizes(2, 3, 2, 2)):
		return true // Spain
	}
	return w.northAmerican(one)
}

func (w *window) northAmerican(one bool) bool {
	d, o := w.ds(), 0
	switch {
	case w.n == 10 && (one || w.sizes(3, 3, 4)):
	case w.n == 11 && d[0] == '1' && (one || w.sizes(1, 3, 3, 4)):
		o = 1
	default:
		return false
	}
	return d[o] >= '2' && d[o+3] >= '2' // area code and exchange
}

// callingCodes are the country codes of international numbers dialled with
// 00 that the guard checks the length of: the six countries of the
// corpora, their neighbours, and the countries their customers call
// most. The range is the length of the national significant number (ITU
// E.164: after the country code, without the trunk 0). A number after 00
// with one of these codes and another length is not a phone number: it
// is an id padded with zeros (0012345678). A code not listed is not
// checked.
var callingCodes = []struct {
	code     string
	min, max int
}{
	{"1", 10, 10}, {"7", 10, 10}, {"20", 8, 10}, {"27", 9, 9}, {"30", 10, 10}, {"31", 9, 9}, {"32", 8, 9},
	{"33", 9, 9}, {"34", 9, 9}, {"36", 8, 9}, {"39", 6, 11}, {"40", 9, 9}, {"41", 9, 9}, {"43", 4, 13},
	{"44", 9, 10}, {"45", 8, 8}, {"46", 7, 10}, {"47", 8, 8}, {"48", 9, 9}, {"49", 6, 13}, {"52", 10, 10},
	{"55", 10, 11}, {"61", 9, 9}, {"64", 8, 10}, {"81", 9, 10}, {"86", 10, 11}, {"90", 10, 10}, {"91", 10, 10},
	{"212", 9, 9}, {"213", 8, 9}, {"216", 8, 8}, {"351", 9, 9}, {"352", 4, 11}, {"353", 7, 9}, {"420", 9, 9},
}

// international checks the number after the exit code (00, or 011: exit
// is its length) that starts the window: its national part has the
// length of its country's, and no trunk 0 but Italy's (0033 (0)6…: a lone
// 0 in its own group is skipped); after 00, a code not listed, at most
// the 15 digits of ITU E.164; after 011, only a code listed.
func (w *window) international(exit int) bool {
	d := w.ds()[exit:]
	for _, c := range callingCodes {
		if len(d) < len(c.code) || string(d[:len(c.code)]) != c.code {
			continue
		}
		nsn := len(d) - len(c.code)
		if nsn > 0 && d[len(c.code)] == '0' && c.code != "39" {
			if !w.loneZero(exit + len(c.code)) {
				return false
			}
			nsn--
		}
		return nsn >= c.min && nsn <= c.max
	}
	return exit == 2 && len(d) <= 15
}

// exit011 reports a window that starts with North America's exit code,
// 011, as a group of its own: "011 44 7700 900123" is dialled from the
// United States or Canada to a British mobile.
func (w *window) exit011() bool {
	g := w.c.groups[w.a]
	d := w.ds()
	return g.n == 3 && w.n >= 11 && d[0] == '0' && d[1] == '1' && d[2] == '1'
}

// loneZero reports whether the digit at index i of the window is a group
// of its own: the "(0)" of "0033 (0)6 12 34 56 78".
func (w *window) loneZero(i int) bool {
	k := 0
	for _, g := range w.c.groups[w.a : w.b+1] {
		if k == i {
			return g.n == 1
		}
		k += g.n
		if k > i {
			return false
		}
	}
	return false
}

// identifier reports a candidate that is, whole, a business or product
// identifier in the shape it is printed in, and then holds neither a
// card nor a phone number:
//
//   - an EAN-13 as printed under its bars (4 006381 333931), a UPC-A
//     (0 36000 29145 2) or an EAN-8 (9638 5074), with its check digit;
//   - a French SIRET, 3-3-3-5 or 9-5, with its Luhn check;
//   - a Canadian business number, 5-4 as the CRA writes it, or 9 digits
//     before a program account (123456789 RT0001), with its Luhn check.
//
// After a phone word, a number is a phone number whatever check it
// passes: one in ten passes Luhn.
func (c *candidate) identifier(s string, end int) bool {
	if c.ctx == ctxPhone || c.plus || c.paren {
		return false
	}
	w := c.window(s, 0, len(c.groups)-1)
	d := w.ds()
	switch {
	case w.n > len(w.digits):
		return false
	case w.sizes(1, 6, 6), w.sizes(1, 5, 5, 1), w.sizes(4, 4):
		return gtin(d)
	case w.sizes(1, 3, 3, 3):
		return true // a part number as Bosch prints them: 0 986 494 062, 2 608 597 123
	case w.sizes(3, 3, 3, 5), w.sizes(9, 5):
		return luhn(d) // SIRET
	case w.sizes(5, 4):
		return d[0] != '0' && luhn(d) // BN
	case w.sizes(9):
		return luhn(d) && programAccount(s, end)
	}
	return false
}

// programAccount reports the program identifier and reference of a
// Canadian business number's program account after a number: " RT0001",
// "RT 0001", " RC0001".
func programAccount(s string, i int) bool {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	if i+2 > len(s) || s[i] != 'R' || !isASCIILetter(rune(s[i+1])) || s[i+1] >= 'a' {
		return false
	}
	i += 2
	if i < len(s) && s[i] == ' ' {
		i++
	}
	for k := 0; k < 4; k++ {
		if i+k >= len(s) || !isDigit(rune(s[i+k])) {
			return false
		}
	}
	return true
}
