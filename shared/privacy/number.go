package privacy

// Phone numbers and payment card numbers in free text.
//
// A number is read as groups of digits and the separators between them
// ("+33 (0)6 12 34 56 78" is 33, 0, 6, 12, 34, 56, 78). Windows of
// consecutive groups are then tried: a card number is 13 to 19 digits of a
// card network's prefix and length that pass the Luhn check and are not a
// barcode (GTIN); a phone number is an international number (+, or 00 and
// a country code with a national number of its country's length), a
// number in its country's usual shape (see usual), a national number
// with its trunk 0, or one of a few national shapes without one (North
// America 3-3-4, Spanish 9 digits starting 6 to 9, Italian mobiles 3xx).
// The words before a number can widen or narrow that (see context.go).
// A number that is, whole, a barcode as printed, a SIRET or a Canadian
// business number is neither (see identifier). Product codes glued to
// letters (E27, 1Z999AA1..., 500ml) are never numbers.

const maxGroups = 12

type group struct {
	start, end int  // byte offsets of the digits in the text
	n          int  // number of digits
	sep        byte // separator before the next group: ' ', '-', '.', '/', '_', '(' for one with a parenthesis, 'w' for a spaced dash or slash, '2' for two spaces
}

// candidate is one run of digit groups.
type candidate struct {
	start  int // byte offset of the first group, or of the + or ( before it
	plus   bool
	paren  bool       // the first group is in parentheses: (555) 625-1199
	code   bool       // it continues a code such as "AA1 01 2345 6784"
	ctx    numContext // what the words before it say
	groups []group
}

// scanNumbers appends the phone and card numbers of s that overlap no
// finding already in out.
func scanNumbers(s string, out []finding) []finding {
	var gbuf [maxGroups]group
	for i := 0; i < len(s); {
		r, size := next(s, i)
		if !isDigit(r) {
			i += size
			continue
		}
		c, end := readCandidate(s, i, gbuf[:0])
		if end <= i {
			end = skipDigits(s, i)
		}
		if len(c.groups) > 0 && free(out, c.start, c.groups[len(c.groups)-1].end) && !c.identifier(s, end) {
			out = c.match(s, out)
		}
		i = end
	}
	return out
}

func skipDigits(s string, i int) int {
	for {
		r, size := next(s, i)
		if size == 0 || !isDigit(r) {
			return i
		}
		i += size
	}
}

// readCandidate reads the groups of the number whose first digit is at i
// and returns the offset where scanning goes on.
func readCandidate(s string, i int, groups []group) (candidate, int) {
	c := candidate{start: i}
	open := -1 // the parenthesis before a +, when there is one
	if j := encodedPlus(s, i); j > i {
		// ?phone=%2B33612345678: a + percent-encoded, once or more.
		c.plus, c.start, i = true, i-1, j
	} else if i > 0 && s[i-1] == '%' {
		if _, n := percent(s, i-1); n > 0 {
			return c, i - 1 + n // the hex digits of a percent-encoded byte: %20, %40
		}
	}
	p, psize := prev(s, i)
	if b, n := percentBefore(s, i); n > 0 && !c.plus {
		p, psize = rune(b), n // after a byte percent-encoded: tel=%2B1%20212
	}
	switch {
	case c.plus:
	case isWordLetter(p) || isDigit(p):
		return c, skipDigits(s, i) // glued to a word: E27, R16, v2
	case p == '.' || p == ',' || p == ':':
		if q, _ := prev(s, i-psize); isDigit(q) {
			return c, skipDigits(s, i) // the decimals of a price or the minutes of a time
		}
	case p == '+':
		if q, qsize := prev(s, i-psize); !isASCIIAlnum(q) {
			c.plus, c.start = true, i-psize
			if q == '(' {
				open = i - psize - qsize // (+34) 644 55 66 77
			}
		}
	case p == '(':
		c.paren, c.start = true, i-psize
	}
	j := i
	for len(groups) < maxGroups {
		g := group{start: j}
		for {
			r, size := next(s, j)
			if size == 0 || !isDigit(r) {
				break
			}
			j += size
			g.n++
		}
		g.end = j
		r, size := next(s, j)
		if isWordLetter(r) {
			break // 500ml, 2x, 1Z...: the group belongs to a word
		}
		if r == ':' || r == ',' {
			if d, _ := next(s, j+size); isDigit(d) {
				break // 14:30, 12,50: a time or a price
			}
		}
		groups = append(groups, g)
		sep, k := readSep(s, j)
		if sep == 0 {
			break
		}
		if d, _ := next(s, k); !isDigit(d) {
			break
		}
		groups[len(groups)-1].sep = sep
		j = k
	}
	c.groups = groups
	if len(groups) == 0 {
		return c, j
	}
	if open >= 0 && len(groups) > 1 && groups[0].sep == '(' {
		c.start = open // the country code's parentheses are masked with it
	}
	if c.paren && groups[0].sep != '(' {
		c.paren, c.start = false, groups[0].start // "(06 12 34 56 78)": the whole in parentheses
	}
	var unit bool
	c.code, unit = continuesCode(s, c.start)
	c.ctx = numberContext(s, c.start)
	if unit && c.ctx == ctxNone {
		c.ctx = ctxUsual
	}
	return c, groups[len(groups)-1].end
}

// encodedPlus returns where the digits after a percent-encoded + start,
// when the digit at i is the first of its code (%2B, %252B when encoded
// twice), and i otherwise.
func encodedPlus(s string, i int) int {
	if i == 0 || s[i-1] != '%' {
		return i
	}
	if c, n := percent(s, i-1); c == '+' {
		if d, _ := next(s, i-1+n); isDigit(d) {
			return i - 1 + n
		}
	}
	return i
}

// readSep reads the separator between two groups of one number: one space,
// dash, dot, slash or underscore, a parenthesis with or without a space
// next to it, a spaced dash or slash ('w', weak: "0211 / 1234567"
// splits an area code off, "2024-03-15 - 2024-03-20" two dates), or two
// spaces ('2', which only a card number's groups may be apart by: "4111
// 1111  1111  1111"). A space may be percent-encoded (%20). Anything else
// (", ", three spaces) ends the number.
func readSep(s string, j int) (byte, int) {
	r, size := next(s, j)
	switch r {
	case ' ', '-', '.', '/', '_':
		r2, size2 := next(s, j+size)
		switch {
		case r == ' ' && r2 == '(':
			return '(', j + size + size2
		case r == ' ' && r2 == ' ':
			if r3, _ := next(s, j+size+size2); isDigit(r3) {
				return '2', j + size + size2
			}
		case r == ' ' && (r2 == '-' || r2 == '/'):
			if r3, size3 := next(s, j+size+size2); r3 == ' ' {
				return 'w', j + size + size2 + size3
			}
		}
		return byte(r), j + size
	case ')':
		if r2, size2 := next(s, j+size); r2 == ' ' || r2 == '-' {
			return '(', j + size + size2
		}
		return '(', j + size
	case '(':
		return '(', j + size
	case '%':
		if c, n := percent(s, j); c == ' ' {
			return ' ', j + n // a space percent-encoded: %2B44%207911%20123456
		}
	}
	return 0, j
}

// continuesCode reports a number that follows a code made of letters and
// digits, separated by one space: "UPS 1Z 999 AA1 01 2345 6784". A code
// of three characters at most that follows no digit is rather a flat's
// or a building's (Apt 4B, Bât. B2, Piso 3C): then it is no code, but
// unit reports it, since only the usual shapes of phone numbers follow
// one ("Suivi 8R 0123 4567 89" holds none).
func continuesCode(s string, i int) (code, unit bool) {
	r, size := prev(s, i)
	if r != ' ' {
		return false, false
	}
	i -= size
	letters, digits, n := false, false, 0
	for ; ; n++ {
		r, size := prev(s, i)
		switch {
		case isDigit(r):
			digits = true
		case isASCIILetter(r):
			letters = true
		default:
			if !letters || !digits {
				return false, false
			}
			if n > 3 || r == ' ' && isDigit(lastRune(s[:i-size])) {
				return true, false // AA1 after 999 in a tracking number
			}
			return false, true
		}
		i -= size
	}
}

func lastRune(s string) rune {
	r, _ := prev(s, len(s))
	return r
}

func slicesContains(list []string, w string) bool {
	for _, v := range list {
		if v == w {
			return true
		}
	}
	return false
}

// window is groups a..b of a candidate, as digits.
type window struct {
	c      *candidate
	a, b   int
	digits [32]byte
	n      int
}

func (c *candidate) window(s string, a, b int) window {
	w := window{c: c, a: a, b: b}
	for _, g := range c.groups[a : b+1] {
		for j := g.start; j < g.end; {
			r, size := next(s, j)
			if w.n < len(w.digits) {
				w.digits[w.n] = byte(r)
			}
			w.n++
			j += size
		}
	}
	return w
}

func (w *window) ds() []byte { return w.digits[:min(w.n, len(w.digits))] }

func (w *window) sizes(want ...int) bool {
	if w.b-w.a+1 != len(want) {
		return false
	}
	for i, n := range want {
		if w.c.groups[w.a+i].n != n {
			return false
		}
	}
	return true
}

func (w *window) seps(ok func(byte) bool) bool {
	for _, g := range w.c.groups[w.a:w.b] {
		if !ok(g.sep) {
			return false
		}
	}
	return true
}

// match finds the card and phone numbers among the candidate's groups.
func (c *candidate) match(s string, out []finding) []finding {
	afterPhone := false
	for a := 0; a < len(c.groups); {
		// An _ joins the groups of a card written so, nothing else: what
		// follows one may start a number (scan_12_4242 4242 4242 4242);
		// so does a spaced dash or slash, between two values
		// (Pedido 5521 / 655 12 34 56).
		if sep := c.groups[max(a, 1)-1].sep; a > 0 && !afterPhone && sep != ' ' && sep != '_' && sep != '2' && sep != 'w' {
			a++ // inside a longer number: 2024-03-15-0042
			continue
		}
		if b, ok := c.longestCard(s, a); ok {
			out = append(out, c.finding(s, a, b, KindCard))
			a, afterPhone = b+1, false
			continue
		}
		if b, ok := c.phone(s, a, afterPhone); ok {
			out = append(out, c.finding(s, a, b, KindPhone))
			a, afterPhone = b+1, true
			continue
		}
		a, afterPhone = a+1, false
	}
	return out
}

// longestCard returns the last group b such that groups a..b are a card
// number.
func (c *candidate) longestCard(s string, a int) (int, bool) {
	best, ok, n := 0, false, 0
	for b := a; b < len(c.groups); b++ {
		n += c.groups[b].n
		if n > 19 {
			break
		}
		if w := c.window(s, a, b); w.card() {
			best, ok = b, true
		}
	}
	return best, ok
}

// phone prefers the whole rest of the candidate, then the shortest window
// of 10 digits or more (two numbers in a row: "06 12 34 56 78 06 98 76 54
// 32"), then any; shapes before the looser rule that a phone word allows.
// A window that starts inside a number (a is past a group that is not a
// phone number) is a phone only in a usual shape and to the end of the
// number: "colis 250 012 345 678" holds none; so is one after a number or
// delivery word alone.
func (c *candidate) phone(s string, a int, afterPhone bool) (int, bool) {
	// Words before the number speak for the groups after an unmatched one
	// too ("colis 250 012 345 678"); after a phone number, for the next.
	tail := a > 0 && !afterPhone
	for _, loose := range []bool{false, true} {
		if loose && c.ctx != ctxPhone {
			break
		}
		test := func(w *window) bool { return w.phone(c.ctx, loose, tail) }
		last := len(c.groups) - 1
		if w := c.window(s, a, last); digitsIn(c.groups[a:], maxPhone) && test(&w) {
			return last, true
		}
		if tail || c.ctx.whole() {
			return 0, false // "n° 06 11 22 33 44 55 66": a number, whole, or none
		}
		n, found := 0, -1
		for b := a; b <= last; b++ {
			n += c.groups[b].n
			if n > maxPhone {
				break
			}
			w := c.window(s, a, b)
			if test(&w) {
				found = b
				if n >= 10 {
					break
				}
			}
		}
		if found >= 0 {
			return found, true
		}
	}
	return 0, false
}

func digitsIn(gs []group, max int) bool {
	n := 0
	for _, g := range gs {
		n += g.n
	}
	return n <= max
}

func (c *candidate) finding(s string, a, b int, k Kind) finding {
	start := c.groups[a].start
	if a == 0 {
		start = c.start
	}
	end := c.groups[b].end
	w := c.window(s, a, b)
	ds := w.ds()
	keep := 2
	if k == KindCard {
		keep = 4
	}
	return finding{kind: k, start: start, end: end, masked: "***" + string(ds[len(ds)-keep:])}
}

// phone applies the rules of the package comment to a window, in the
// context the words before it make (see context.go); loose is the looser
// rule a phone word allows, tail a window that starts inside a number.
func (w *window) phone(ctx numContext, loose, tail bool) bool {
	first := w.a == 0
	plus := first && w.c.plus
	paren := first && w.c.paren
	if first && w.c.code || w.n < 7 {
		return false
	}
	d := w.ds()
	if intl := d[0] == '0' && d[1] == '0'; w.n > 15 && !intl || w.n > maxPhone {
		return false // after 00, international checks the length
	}
	if tail && w.c.groups[w.a-1].sep == 'w' && ctx.code() {
		ctx = ctxFar // a code word's value, a spaced dash or slash, then the number
	}
	slashes := 0
	for i, g := range w.c.groups[w.a:w.b] {
		switch {
		case g.sep == '/':
			slashes++
		case g.sep == 'w' && i > 0 && !(i == 1 && w.c.groups[w.a].n == 1 && d[0] == '0'):
			return false // a spaced dash or slash only after the area code ("0 89 / 12 34 56" too)
		case g.sep == '_':
			return false // nobody writes a phone number so: a file's name, an id
		case g.sep == '2':
			return false // two numbers, or a card's groups
		}
	}
	if w.calendarDate() {
		return false // "engraving 06.12.2015": a date, not a number in pairs
	}
	if slashes > 1 {
		// A date (15/03/2024, 2024/03/15) has three groups; a number
		// written with slashes throughout (06/12/45/78/90, 415/555/0198)
		// has more, or longer ones, and is a phone only in its usual shape.
		if w.date() || ctx.code() {
			return false
		}
		return plus || w.n >= 9 && w.usual()
	}
	switch {
	case plus:
		return w.n >= 8 && d[0] != '0'
	case ctx == ctxWeak || ctx == ctxAfter:
		// A word that may not name the number ("poste 01 42 …", "Paket
		// an, Nummer 0178 1122334", "(pas celui du compte) : 06 18 …"):
		// the grouped shape of a national number with its trunk 0 is a
		// phone, and so is a mobile's run after a code word's value and
		// other words ("Postnummer 12345678 – bei Problemen
		// 015734567890"); a leaked phone costs more than a masked
		// reference.
		return !tail && d[0] == '0' && w.n >= 10 && w.usual() && (w.a < w.b || ctx == ctxAfter && w.mobile())
	case ctx.code():
		return false // "réf. 0042-1187-33"; only a + says phone after such a word
	case d[0] == '0' && d[1] == '0':
		return !tail && w.n >= 10 && d[2] != '0' && w.international(2)
	case w.exit011():
		// With a known calling code and its length only: "011" starts
		// many an id.
		return !tail && w.international(3)
	case w.n >= 9 && w.usual():
		// After a code word that does not name the number, a whole run
		// from 1 to 9 is an id: "Sendung DHL Express 4567891234".
		return ctx != ctxFar || w.a != w.b || d[0] == '0'
	case tail:
		return false
	case ctx == ctxDelivery:
		// "Lieferung: 030 4417852": a customer's landline, which no
		// parcel number is written like: one's subscriber number does
		// not start with 0 ("Envío 0360 0087 2241").
		return d[0] == '0' && w.n >= 9 && w.n <= 11 && w.a < w.b && w.subscriber() && w.national(paren)
	case ctx.whole():
		return false
	case loose:
		if w.n == 7 {
			// A North American local number: 555-0147.
			return d[0] >= '2' && (w.a == w.b || w.sizes(3, 4))
		}
		return !(w.a == w.b && gtin(d))
	case w.n < 8:
		return false
	}
	return w.national(paren)
}

// date reports a window of three groups in the shape of a date: day,
// month and year in some order, the year of two or four digits.
func (w *window) date() bool {
	if w.b-w.a != 2 {
		return false
	}
	g := w.c.groups[w.a : w.b+1]
	short := func(g group) bool { return g.n <= 2 }
	year := func(g group) bool { return g.n == 2 || g.n == 4 }
	return short(g[0]) && short(g[1]) && year(g[2]) || g[0].n == 4 && short(g[1]) && short(g[2])
}

// mobile reports a national mobile number with its trunk 0, in the
// lengths of France (06, 07), Germany (015x to 017x) and the United
// Kingdom (07): a run of them is a phone after any word but a label.
func (w *window) mobile() bool {
	d, n := w.ds(), w.n
	switch {
	case n == 10 && (d[1] == '6' || d[1] == '7'):
		return true
	case n >= 10 && n <= 12 && d[1] == '1' && d[2] >= '5' && d[2] <= '7':
		return true
	}
	return n == 11 && d[1] == '7'
}

// calendarDate reports a window that is a date written with dots or
// dashes throughout (06.12.2015, 12-06-2015, 2015-12-06): a day of 1 to
// 31, a month of 1 to 12, a year of this century or the last.
func (w *window) calendarDate() bool {
	if !w.date() || !(w.seps(func(b byte) bool { return b == '.' }) || w.seps(func(b byte) bool { return b == '-' })) {
		return false
	}
	d, g := w.ds(), w.c.groups[w.a:w.b+1]
	num := func(i, n int) int {
		v := 0
		for _, c := range d[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	day := func(v int) bool { return v >= 1 && v <= 31 }
	month := func(v int) bool { return v >= 1 && v <= 12 }
	if g[0].n == 4 {
		y := num(0, 4)
		return y >= 1900 && y <= 2099 && month(num(4, g[1].n)) && day(num(4+g[1].n, g[2].n))
	}
	a, b := num(0, g[0].n), num(g[0].n, g[1].n)
	if g[2].n == 4 {
		if y := num(g[0].n+g[1].n, 4); y < 1900 || y > 2099 {
			return false
		}
	}
	return day(a) && month(b) || month(a) && day(b)
}

// subscriber reports a window whose second group does not start with 0,
// as a subscriber's number after its area code never does.
func (w *window) subscriber() bool {
	d, i := w.ds(), w.c.groups[w.a].n
	return i < len(d) && d[i] != '0'
}

// maxPhone is the most digits a phone number is written with: 15 (ITU
// E.164), after 00 and with a trunk 0 in parentheses: 0049 (0) 151
// 23456789.
const maxPhone = 18

// national is the shapes of national numbers that are not usual enough
// to be phone numbers after a number word alone: a trunk 0 in any
// grouping, North American, Spanish and Italian numbers in groups.
func (w *window) national(paren bool) bool {
	d := w.ds()
	switch {
	case d[0] == '0':
		if w.a == w.b {
			return w.n == 10 || w.n == 11
		}
		// A lone 0 first is how barcodes are printed (0 36000 29145 2).
		return (w.c.groups[w.a].n >= 2 || paren) && w.n >= 9 && w.n <= 12
	case w.a == w.b:
		return false // without separators and without a phone word: an id
	case w.sizes(3, 3, 4) && d[0] == '3':
		return true // Italian mobile
	case w.sizes(1, 3, 3, 4) && d[0] == '1':
		return d[1] >= '2' && d[4] >= '2' // North American area code and exchange
	case w.n == 9 && d[0] >= '6':
		return w.sizes(3, 3, 3) || w.sizes(3, 2, 2, 2) || w.sizes(2, 3, 2, 2) // Spain
	}
	return false
}

// card applies the card rules to a window.
func (w *window) card() bool {
	if w.n < 13 || w.n > 19 || w.a == 0 && w.c.plus {
		return false
	}
	// Spaces, dashes or dots between the groups, or one _ or / or spaced
	// dash throughout (4242/4242/4242/4242, 4242 - 4242 - 4242 - 4242; a
	// date's or a size's groups are too short).
	switch {
	case w.seps(func(b byte) bool { return b == ' ' || b == '-' || b == '.' || b == '2' }):
	case w.seps(func(b byte) bool { return b == '_' }), w.seps(func(b byte) bool { return b == '/' }), w.seps(func(b byte) bool { return b == 'w' }):
	default:
		return false
	}
	// Groups of 3 or more, but the last group may be split in pairs
	// (4242 4242 4242 42 42).
	last := w.c.groups[w.b].n
	for i, g := range w.c.groups[w.a:w.b] {
		if g.n < 3 && !(g.n == 2 && last == 2 && w.a+i == w.b-1) {
			return false
		}
	}
	d := w.ds()
	switch {
	case w.a == w.b && gtin(d) && (w.n == 13 || w.n == 14 || w.n == 18):
		return false // a barcode: EAN-13, GTIN-14, SSCC
	case w.c.ctx == ctxLabel, w.c.ctx == ctxID && (w.n == 14 || gtin(d)):
		return false // a SIRET after its label (Luhn by design), a barcode after its own
	}
	return cardPrefix(d) && luhn(d)
}

// cardPrefix checks the issuer prefix and length of the card networks.
func cardPrefix(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch d[0] {
	case '4': // Visa
		return n == 13 || n == 16 || n == 19
	case '5':
		if p2 >= 51 && p2 <= 55 {
			return n == 16 // Mastercard
		}
		return p2 == 50 || p2 >= 56 // Maestro
	case '6': // Discover, UnionPay, Maestro
		return n >= 13
	case '3':
		switch {
		case p2 == 34 || p2 == 37:
			return n == 15 // American Express
		case p2 == 35:
			return p4 >= 3528 && p4 <= 3589 && n >= 16 // JCB
		case p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39:
			return n >= 14 // Diners Club
		}
	case '2':
		return (p4 >= 2200 && p4 <= 2204 || p4 >= 2221 && p4 <= 2720) && n >= 16 // Mir, Mastercard
	}
	return false
}

// luhn is the check digit of card numbers (ISO/IEC 7812).
func luhn(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// gtin is the check digit of barcodes (GTIN-8 to GTIN-14, SSCC-18):
// weights 3 and 1 from the right.
func gtin(d []byte) bool {
	sum := 0
	for i := len(d) - 2; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-2-i)%2 == 0 {
			n *= 3
		}
		sum += n
	}
	return (10-sum%10)%10 == int(d[len(d)-1]-'0')
}
