package privacy

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What the words before a number say it is. The nearest word that decides
// wins, among the three before the number (five for a label of an
// identifier):
//
//   - a phone word ("tel", "Handy", "portable", "電話"): a phone number, in
//     any shape of 7 to 15 digits;
//   - a code word ("order", "réf.", "SKU", "Sendungsnummer", "注文"): an
//     order, invoice, product or tracking number, a phone only with a +;
//   - a label of a business or product identifier ("SIRET", "RCS", "BN",
//     "VAT", "EAN"): the same, and a number that passes that identifier's
//     check is not a card either (a SIRET passes Luhn by design); right
//     before the number, the label says no number after it is a card;
//   - a number word alone ("n°", "no", "Nummer", "number") decides with the
//     word before it: a possessive makes it a phone number ("mon n°", "my
//     number"), a code word a code ("Commande n°", "Paket Nr."); with
//     neither, the number is a phone only in its country's usual shape;
//   - a word of a delivery ("Paket", "Lieferung", "colis", "parcel") says
//     nothing of the number after it: customers write their phone number
//     there ("Paket: 0171 2345678") as often as a parcel number. The
//     number is a phone in its country's usual shape, not in the looser
//     shapes a parcel number may take ("colis 250 012 345 678").

// numContext is what the words before a number say of it.
type numContext int8

const (
	ctxNone     numContext = iota // nothing: the shapes of national numbers decide
	ctxPhone                      // a phone word: any 7 to 15 digits
	ctxUsual                      // a number word alone: only usual shapes and international numbers
	ctxDelivery                   // a delivery word alone: those, and national numbers with their trunk 0
	ctxFar                        // a code word that does not name the number: usual shapes but whole runs from 1 to 9
	ctxCode                       // a code word: a phone only with a +
	ctxID                         // a label of a business or product id: a code, and no card if its check passes
	ctxLabel                      // such a label right before the number: a code, and no card at all
)

// code reports a context in which only a + makes a phone number.
func (c numContext) code() bool { return c >= ctxCode }

// whole reports a context in which a number is a phone whole or not at
// all, and only in the shapes the context allows: "n° 06 11 22 33 44 55
// 66" and "colis 250 012 345 678" hold none.
func (c numContext) whole() bool { return c >= ctxUsual && c <= ctxFar }

// Lower-cased words, as written before a number; "…Prefixes" lists match
// the start of a word.
var (
	phoneExact    = []string{"tel", "ph", "phn", "tél", "tlf", "tfn", "fon", "fax", "gsm", "sms", "cel", "cell", "mob", "ring", "text", "bel", "natel", "tél.", "тел", "τηλ", "tfno", "tlfno", "tlfn", "fijo", "fixe", "landline"}
	phonePrefixes = []string{"telef", "teléf", "télép", "teleph", "telf", "phone", "call", "mobil", "móvil", "movil", "portable", "cellul", "celular", "handy", "whatsapp", "appel", "rappel", "joign", "joindre", "erreichbar", "anruf", "rückruf", "ruf", "llam", "chiam", "bellen", "contact", "contatt", "puhelin", "telefon", "mobiel", "festnetz"}
	phoneCJK      = []string{"電話", "携帯", "連絡", "ＴＥＬ"}
	codeExact     = []string{"id", "part", "teil", "art", "ref", "réf", "lot", "sku", "rma", "auth", "ups", "dhl", "dpd", "gls", "tnt", "awb"}
	codePrefixes  = []string{"track", "suivi", "sendungs", "paketn", "paketsch", "lieferschein", "seguimiento", "spedizion", "imei", "serial", "série", "serie", "batch", "charge", "refer", "référ", "artikel", "article", "artícul", "articol", "item", "product", "produit", "produkt", "prodot", "modèle", "model", "code", "codice", "código", "eori", "authori", "transac", "usps", "fedex", "colissimo", "chronopost", "hermes", "postnl", "bpost", "correos", "poste", "yamato", "sagawa", "iban", "bic", "swift", "mandat", "partn", "pièce", "pieza", "teilen", "location", "checkout", "variant", "fulfil", "collection", "inventor"}
	// Code words that may be a note's topic rather than a number's label
	// ("Client absent 06 …", "Order for grandma 07700 …"), where a
	// reference's labels never are ("Ref. proveedor 912 004 331").
	topicExact    = []string{"client", "cliente", "kunde", "member", "membre", "socio", "account", "compte", "cuenta", "konto"}
	topicPrefixes = []string{"order", "orden", "commande", "command", "bestell", "auftrag", "pedido", "ordine", "invoice", "factur", "factuur", "rechnung", "fattura", "receipt", "quittung", "ticket", "kunden", "customer"}
	codeCJK       = []string{"注文", "追跡", "伝票", "商品", "品番", "型番", "お問い合わせ番号"}
	// Business, tax and product identifiers, by their labels in the six
	// countries of the corpora and a few more.
	idExact    = []string{"rcs", "r.c.s", "bn", "gst", "hst", "tps", "tvq", "qst", "neq", "tva", "vat", "ust", "iva", "nif", "cif", "kvk", "ein", "crn", "hrb", "hra", "ean", "upc", "gencod", "barres", "barras"}
	idPrefixes = []string{"siret", "siren", "gtin", "isbn", "barcode", "steuer", "ustid"}
	// Words that say "number" and nothing of which.
	numberWords = []string{"n", "nº", "no", "nr", "nro", "num", "núm", "numéro", "numero", "número", "nummer", "number"}
	possessives = []string{"mon", "ma", "ton", "ta", "votre", "son", "notre", "my", "your", "our", "his", "her", "mein", "meine", "meiner", "deine", "ihre", "seine", "unsere", "mi", "tu", "su", "nuestro", "mio", "mia", "mijn"}
	// Words of a delivery, whole: "Paketnummer" is a code word.
	deliveryWords = []string{"paket", "colis", "parcel", "pacco", "sendung", "lieferung", "livraison", "delivery", "package", "paquete", "entrega", "envío", "envio", "consegna"}
)

// wordClass is what a word before a number says; the lower the value,
// the more it weighs when a word is of two (a phone word's prefix is
// another's).
type wordClass uint8

const (
	wordNone wordClass = iota
	wordPhone
	wordID
	wordCode
	wordTopic // a code word that may be the note's topic
	wordNumber
	wordPossessive
	wordDelivery
)

// lexicon classifies words by lower-cased map look-ups: a text's every
// number asks for up to three words, and comparing each with every word
// of the lists above was most of the guard's time on clean text.
type lexicon struct {
	exact, prefix map[string]wordClass
	lens          []int // the lengths of the prefixes, ascending
}

var words = func() *lexicon {
	l := &lexicon{exact: map[string]wordClass{}, prefix: map[string]wordClass{}}
	add := func(m map[string]wordClass, list []string, c wordClass) {
		for _, w := range list {
			if old, ok := m[w]; !ok || c < old {
				m[w] = c
			}
		}
	}
	add(l.exact, phoneExact, wordPhone)
	add(l.prefix, phonePrefixes, wordPhone)
	add(l.exact, idExact, wordID)
	add(l.prefix, idPrefixes, wordID)
	add(l.exact, codeExact, wordCode)
	add(l.prefix, codePrefixes, wordCode)
	add(l.exact, topicExact, wordTopic)
	add(l.prefix, topicPrefixes, wordTopic)
	add(l.exact, numberWords, wordNumber)
	add(l.exact, possessives, wordPossessive)
	add(l.exact, deliveryWords, wordDelivery)
	for p := range l.prefix {
		if !slices.Contains(l.lens, len(p)) {
			l.lens = append(l.lens, len(p))
		}
	}
	slices.Sort(l.lens)
	return l
}()

// class returns the class of a word as written.
func (l *lexicon) class(w string) wordClass {
	if w != "" && w[0] >= 0xE0 { // a CJK word holds its label: 注文番号, お電話番号
		switch {
		case containsAny(w, phoneCJK):
			return wordPhone
		case containsAny(w, codeCJK):
			return wordCode
		}
	}
	var buf [32]byte
	b := buf[:0]
	for _, r := range w {
		if len(b)+utf8.UTFMax > len(buf) {
			return wordNone // longer than any word of the lists
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	c := l.exact[string(b)]
	for _, n := range l.lens {
		if n > len(b) {
			break
		}
		if p := l.prefix[string(b[:n])]; p != wordNone && (c == wordNone || p < c) {
			c = p
		}
	}
	return c
}

// hasDigits reports whether w holds a digit, and whether it holds only
// digits (or nothing): one pass, no set built as strings.ContainsAny and
// strings.Trim build them, since every word before every number asks.
func hasDigits(w string) (some, only bool) {
	only = true
	for i := 0; i < len(w); i++ {
		if d := w[i] >= '0' && w[i] <= '9'; d {
			some = true
		} else {
			only = false
		}
	}
	return some, only
}

// numberContext reads up to three words before a number (see above),
// and two more for a label of an identifier only: a company's register
// names its city between its label and its number ("RCS Aix-en-Provence
// B 732 829 320").
//
// Words of digits do not count among these. A label names the value
// right after it: with another value, a comma and a word between them
// ("Code 1234A, puis 06 90 …"), a code word or a label says only that
// numbers are about, as a number word does. A code word names no more
// the number either when it may be the note's topic (an order, a
// client, an invoice: not a reference's label, "Ref. proveedor 912 004
// 331") and ordinary words stand between them ("Client absent 06 …",
// "Order for grandma 07700 …"), or when its own value ends with a mark
// before the number ("Commande 4471 : 06 …", "Order #2213 – 312-…"):
// the number is then a
// phone in its usual shape, but a whole run of digits from 1 to 9, which
// is how order ids and waybills are written ("Sendung DHL Express
// 4567891234").
func numberContext(s string, i int) numContext {
	ctx, numberWord, delivery, value, n := ctxNone, false, false, false, 0
	far, apart, digits := false, false, false // digits: a word of digits nearer than the one read
	wordsBefore(s, i, 8, func(w string, end int) bool {
		// Words of digits are values, not words: they do not count, so
		// that a label is found before a long reference of groups, or a
		// list of them ("Réf. 0042-1187-33, 0042-1187-34").
		digitsHere, allDigits := hasDigits(w)
		nearer := n
		if !allDigits {
			n++
		}
		if nearer == 0 && !digits {
			// The word right before the number (the first read): a
			// value, then a mark that ends it ("Commande 4471 : 06 …")?
			apart = digitsHere && strings.ContainsAny(s[end:i], ":/-–—→=")
		}
		c := words.class(w)
		if n > 5 || n > 3 && c != wordID {
			return n > 5
		}
		switch c {
		case wordNone:
			value = value || nearer > 0 && end < len(s) && s[end] == ',' && digitsHere
		case wordPhone:
			ctx = ctxPhone
		case wordID:
			ctx = ctxID
			if n == 1 {
				ctx = ctxLabel // "SIRET 678230145000126": a SIRET mistyped, not a card
			}
		case wordCode:
			ctx = ctxCode
		case wordTopic:
			ctx = ctxCode
			// Ordinary words between it and the number, not a value
			// ("Commandes 0612003344 et 0612003345" is a list).
			far = nearer > 0 && !numberWord && !digits
		case wordNumber:
			numberWord = true
		case wordPossessive:
			if numberWord {
				ctx = ctxPhone
			}
		case wordDelivery:
			delivery = true
		}
		digits = digits || digitsHere
		return ctx != ctxNone
	})
	switch {
	case value && (ctx.code() || numberWord || delivery):
		return ctxUsual
	case apart && ctx.code(), far:
		return ctxFar
	case ctx != ctxNone:
		return ctx
	case numberWord && delivery:
		return ctxCode // "Paket Nr.", "n° de colis"
	case numberWord:
		return ctxUsual
	case delivery:
		return ctxDelivery
	}
	return ctxNone
}
