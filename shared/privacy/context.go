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
//     unless it may not name the number (a note's topic right before it,
//     "compte : 06 …", "poste 01 42 …"; a code word followed by its own
//     value and other words), when a phone grouped in its national shape
//     with its trunk 0 is one still ("06 18 29 37 46", "0157-34567890");
//   - an acronym right before the number, after a number word, names it
//     unless a phone word or a possessive comes before: "n° FINESS 752 …"
//     is an id, but a grouped national number with its trunk 0 is a phone
//     still ("Numéro SFR 06 12 …", "THE NUMBER IS 07700 900123");
//   - a German compound of "-nummer" or "-nr" takes its first word's
//     class ("Faxnummer", "Sendungsnummer"), is a code word for the ids
//     shops hand out ("Abholnummer", "Ersatzteil-Nr."), a phone word for a
//     person's ("Privatnummer"), nothing for a place's ("Hausnr."), and
//     otherwise a number word ("Alternativnummer");
//   - a label of a business or product identifier ("SIRET", "RCS", "BN",
//     "VAT", "EAN"): the same, and a number that passes that identifier's
//     check is not a card either (a SIRET passes Luhn by design); right
//     before the number, the label says no number after it is a card;
//   - a number word alone ("n°", "no", "Nummer", "number") decides with the
//     word before it: a possessive makes it a phone number ("mon n°", "my
//     number"), a code word a code ("Commande n°", "Paket Nr."; but "Paket
//     an, Nummer 0178 …": a comma ends the parcel's words); with neither,
//     the number is a phone only in its country's usual shape;
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
	ctxAfter                      // a code word, its value, then other words: as ctxWeak, and a mobile's run too
	ctxWeak                       // a code word that may not name it: a phone with a +, or grouped in its national shape with its trunk 0
	ctxCode                       // a code word: a phone only with a +
	ctxID                         // a label of a business or product id: a code, and no card if its check passes
	ctxLabel                      // such a label right before the number: a code, and no card at all
)

// code reports a context of a code word.
func (c numContext) code() bool { return c >= ctxAfter }

// whole reports a context in which a number is a phone whole or not at
// all, and only in the shapes the context allows: "n° 06 11 22 33 44 55
// 66" and "colis 250 012 345 678" hold none.
func (c numContext) whole() bool { return c >= ctxUsual && c <= ctxWeak }

// Lower-cased words, as written before a number; "…Prefixes" lists match
// the start of a word.
var (
	phoneExact    = []string{"tel", "ph", "phn", "tél", "tlf", "tfn", "fon", "fax", "gsm", "sms", "cel", "cell", "mob", "ring", "text", "bel", "natel", "tél.", "тел", "τηλ", "tfno", "tlfno", "tlfn", "fijo", "fixe", "landline"}
	phonePrefixes = []string{"telef", "teléf", "télép", "teleph", "telf", "phone", "call", "mobil", "móvil", "movil", "portable", "cellul", "celular", "handy", "whatsapp", "appel", "rappel", "joign", "joindre", "erreichbar", "anruf", "rückruf", "ruf", "llam", "chiam", "bellen", "contact", "contatt", "puhelin", "telefon", "mobiel", "festnetz", "référent", "referent"}
	// Words of an emergency, whole: "Notfall: 0157 …" (a prefix would take
	// "Emergency blanket" and its size for a phone word's).
	emergencyExact = []string{"notfall", "notruf", "urgence", "urgences", "urgencia", "emergencia", "emergency"}
	phoneCJK       = []string{"電話", "携帯", "連絡", "ＴＥＬ"}
	codeExact      = []string{"id", "part", "teil", "art", "ref", "réf", "lot", "sku", "rma", "auth", "ups", "dhl", "dpd", "gls", "tnt", "awb", "seur", "mrw", "nacex", "ctt", "evri", "yodel", "purolator", "canpar", "ontrac"}
	codePrefixes   = []string{"track", "suivi", "sendungs", "paketn", "paketsch", "lieferschein", "seguimiento", "spedizion", "imei", "serial", "série", "serie", "batch", "charge", "refer", "référ", "artikel", "article", "artícul", "articol", "item", "product", "produit", "produkt", "prodot", "modèle", "model", "code", "codice", "código", "eori", "authori", "transac", "usps", "fedex", "colissimo", "chronopost", "hermes", "postnl", "bpost", "correos", "yamato", "sagawa", "zip", "plz", "postleitzahl", "postcode", "iban", "bic", "swift", "mandat", "partn", "pièce", "pieza", "teilen", "location", "checkout", "variant", "fulfil", "collection", "inventor",
		"ersatzteil", "bauteil", "aktenzeichen", "abholschein", "kassenbon"}
	// Code words that may be a note's topic rather than a number's label
	// ("Client absent 06 …", "Order for grandma 07700 …"), where a
	// reference's labels never are ("Ref. proveedor 912 004 331").
	topicExact    = []string{"client", "cliente", "kunde", "member", "membre", "socio", "account", "compte", "cuenta", "konto"}
	topicPrefixes = []string{"order", "orden", "commande", "command", "bestell", "auftrag", "pedido", "ordine", "invoice", "factur", "factuur", "rechnung", "fattura", "receipt", "quittung", "ticket", "kunden", "customer", "claim", "réclam", "reclam", "reklam", "sinistre",
		"poste"} // La Poste, or an extension ("poste 01 42 …")
	codeCJK = []string{"注文", "追跡", "伝票", "商品", "品番", "型番", "お問い合わせ番号"}
	// Business, tax and product identifiers, by their labels in the six
	// countries of the corpora and a few more.
	idExact    = []string{"rcs", "r.c.s", "bn", "gst", "hst", "tps", "tvq", "qst", "neq", "tva", "vat", "ust", "iva", "nif", "cif", "kvk", "ein", "crn", "hrb", "hra", "ean", "upc", "gencod", "barres", "barras", "duns"}
	idPrefixes = []string{"siret", "siren", "gtin", "isbn", "barcode", "steuer", "ustid"}
	// Words that say "number" and nothing of which.
	numberWords = []string{"n", "nº", "no", "nr", "nro", "num", "núm", "numéro", "numero", "número", "nummer", "number"}
	possessives = []string{"mon", "ma", "ton", "ta", "votre", "son", "notre", "my", "your", "our", "his", "her", "mein", "meine", "meiner", "deine", "ihre", "seine", "unsere", "mi", "tu", "su", "nuestro", "mio", "mia", "mijn"}
	// Words of a delivery, whole: "Paketnummer" is a code word.
	// Titles of a person: a name between a code word and a number says the
	// number is that person's ("Réf. chantier : M. Roux 04 …").
	personTitles  = []string{"m", "mme", "mmes", "mlle", "mr", "mrs", "ms", "herr", "herrn", "frau", "sr", "sra", "srta", "señor", "señora", "monsieur", "madame"}
	deliveryWords = []string{"paket", "colis", "parcel", "pacco", "sendung", "lieferung", "livraison", "delivery", "package", "paquete", "entrega", "envío", "envio", "consegna",
		"expedición", "expedicion", "expédition", "expedition", "envoi", "remesa", "spedizione"}
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
	wordPerson
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
	add(l.exact, emergencyExact, wordPhone)
	add(l.exact, idExact, wordID)
	add(l.prefix, idPrefixes, wordID)
	add(l.exact, codeExact, wordCode)
	add(l.prefix, codePrefixes, wordCode)
	add(l.exact, topicExact, wordTopic)
	add(l.prefix, topicPrefixes, wordTopic)
	add(l.exact, numberWords, wordNumber)
	add(l.exact, possessives, wordPossessive)
	add(l.exact, deliveryWords, wordDelivery)
	add(l.exact, personTitles, wordPerson)
	for p := range l.prefix {
		if !slices.Contains(l.lens, len(p)) {
			l.lens = append(l.lens, len(p))
		}
	}
	slices.Sort(l.lens)
	return l
}()

// class returns the class of a word as written. A German compound of
// "-nummer" or "-nr" is the class of its first word when that is a phone,
// code or topic word ("Faxnummer", "Sendungsnummer", "Kundennr"); a phone
// word for a few others ("Privatnummer", "Kontaktnummer"); a code word for
// the ids shops hand out ("Abholnummer", "Vorgangsnr", "Postnummer"); no
// word for a place ("Hausnr. 12"); and otherwise a number word, which
// says nothing of which number ("Alternativnummer: 0171 …").
func (l *lexicon) class(w string) wordClass {
	c := l.word(w)
	if c != wordNone || len(w) < 5 {
		return c
	}
	stem, ok := cutSuffixFold(w, "nummer")
	if !ok {
		stem, ok = cutSuffixFold(w, "nr")
	}
	if !ok || len(stem) < 3 {
		return c
	}
	stem = strings.TrimSuffix(stem, "-")
	for _, st := range []string{stem, strings.TrimSuffix(stem, "s")} {
		if sc := l.word(st); sc == wordPhone || sc == wordCode || sc == wordTopic || sc == wordID {
			return sc
		}
	}
	switch {
	case hasPrefixFold(stem, personalStems):
		return wordPhone
	case hasPrefixFold(stem, codeStems):
		return wordCode
	case hasPrefixFold(stem, placeStems):
		return wordNone // "Hausnr. 12": a short number of an address
	}
	return wordNumber
}

// personalStems start the German compounds of "-nummer" that name a
// person's number without a phone word: "Privatnummer", "Kontaktnummer".
var personalStems = []string{"privat", "kontakt", "durchwahl", "eigene", "haupt", "zweit", "notfall", "büro", "buero", "geschäfts", "geschaefts", "dienst", "arbeits", "firmen"}

// codeStems start the German compounds of "-nummer" that name an id a
// shop, a carrier or an authority hands out: "Abholnummer", "Postnummer",
// "Ersatzteil-Nr.", "Vorgangsnr.".
var codeStems = []string{"abhol", "post", "reservierung", "vorgang", "buchung", "referenz", "vertrag", "mitglied", "kassen", "bon", "beleg", "serien", "geräte", "geraete", "ersatzteil", "bauteil", "teile", "versand", "liefer", "storno", "retoure", "paket", "kunden", "akten", "lager", "charge"}

// isAcronym reports a word of two or more capital ASCII letters.
func isAcronym(w string) bool {
	if len(w) < 2 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// placeStems start the compounds that number a place: "Hausnummer",
// "Zimmernr.".
var placeStems = []string{"haus", "zimmer", "raum", "tür", "tuer", "wohnung", "etage", "stock", "platz", "gleis", "fach"}

// cutSuffixFold cuts an ASCII suffix from w, whatever its case.
func cutSuffixFold(w, suffix string) (string, bool) {
	if len(w) < len(suffix) || !strings.EqualFold(w[len(w)-len(suffix):], suffix) {
		return w, false
	}
	return w[:len(w)-len(suffix)], true
}

// word returns the class of a word of the lists.
func (l *lexicon) word(w string) wordClass {
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

// endsValue reports a comma, or a full stop and a space, right after a
// word at end: "Code 1234A, puis 06 …", "Tor-Code 4711. Notfall …".
func endsValue(s string, end int) bool {
	return end < len(s) && (s[end] == ',' || s[end] == '.' && end+1 < len(s) && s[end+1] == ' ')
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
	far, apart, digits, weak := false, false, false, false // digits: a word of digits nearer than the one read
	numberAt, apartDelivery, topicAt, acronym, acronymLabel := 0, false, 0, false, false
	topicEnd := 0
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
		if topicAt > 0 {
			// A topic far from the number: a number word just before it
			// makes it a label ("Numéro de facture fournisseur 06…").
			if c == wordNumber && !strings.ContainsAny(s[topicEnd:i], ",;:!?") {
				ctx, far = ctxCode, false
				return true
			}
			return n >= topicAt+2
		}
		if n > 5 || n > 3 && c != wordID {
			return n > 5
		}
		switch c {
		case wordNone:
			value = value || nearer > 0 && end < len(s) && endsValue(s, end) && digitsHere
			// An acronym right before the number: after a number word, it
			// names the number ("n° FINESS 752345678", "No. NHS …").
			acronym = acronym || n == 1 && !digitsHere && isAcronym(w)
		case wordPhone:
			ctx = ctxPhone
		case wordID:
			ctx = ctxID
			if n == 1 {
				ctx = ctxLabel // "SIRET 678230145000126": a SIRET mistyped, not a card
			}
		case wordCode:
			ctx = ctxCode
			// Its value, then ordinary words: it names that value, maybe
			// not the number ("Postnummer 12345678 – bei Problemen 0157
			// …"; "Réf. 4471 taille M 0042 1187 33" is the same item's).
			weak = nearer > 0 && digits
		case wordTopic:
			// "Commande n° …" names its number; "(pas celui du compte) :
			// 06 18 …" may not.
			ctx = ctxWeak
			if numberWord {
				ctx = ctxCode
			}
			// Ordinary words between it and the number, not a value
			// ("Commandes 0612003344 et 0612003345" is a list).
			far = nearer > 0 && !numberWord && !digits
			if digits && !numberWord {
				ctx = ctxCode // its own values before the number: "Commandes 0612003344 et 0612003345"
			}
			if ctx == ctxWeak || far {
				// "n° de commande 0612…": a number word before it makes
				// it a label (read on, two words).
				topicAt, topicEnd = n, end
				return false
			}
		case wordNumber:
			numberWord, numberAt = true, end-len(w)
			// An acronym between it and the number names the number
			// ("n° FINESS 752345678"), unless a phone word or a
			// possessive further back says whose ("Mobile No. UK …",
			// "HER NUMBER IS 07700 …"): read on.
			acronymLabel = acronym && n == 2
		case wordPossessive:
			if numberWord {
				ctx = ctxPhone
			}
		case wordDelivery:
			// "Paket Nr.", "n° de colis" name a parcel's number; "Paket
			// an, Nummer 0178 …" names the number of the sentence after
			// the comma.
			delivery = true
			apartDelivery = numberWord && strings.ContainsAny(s[end:numberAt], ",;.!?")
		case wordPerson:
			// The person's name stands between: words further back name
			// no longer the number. "M" is a title only with its dot
			// (a size M is not: "taille M 0042 1187 33").
			return len(w) > 1 || end < len(s) && s[end] == '.'
		}
		digits = digits || digitsHere
		return ctx != ctxNone
	})
	switch {
	case value && (ctx.code() || numberWord || delivery):
		return ctxUsual
	case apart && ctx.code(), far:
		return ctxFar
	case weak:
		return ctxAfter
	case ctx != ctxNone:
		return ctx
	case acronymLabel:
		// Not a phone but in the grouped national shape that no id
		// takes: "Numéro SFR 06 12 34 56 78", shouted notes ("THE NUMBER
		// IS 07700 900123").
		return ctxWeak
	case numberWord && delivery && apartDelivery:
		return ctxWeak
	case numberWord && delivery:
		return ctxCode // "Paket Nr.", "n° de colis"
	case numberWord:
		return ctxUsual
	case delivery:
		return ctxDelivery
	}
	return ctxNone
}
