package privacy

import "testing"

// The words before a number, its country's usual shape and the checks of
// the identifiers it may be decide whether it is a phone or a card
// number (issue 12).
func TestGuardNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// A delivery word says nothing of the number after it; with a
		// number word, it names a parcel number.
		{"Paket 0171 2345678", "Paket ***78"},
		{"Lieferung: 0160 91827364", "Lieferung: ***64"},
		{"Paket Nr. 0171 2345678", "Paket Nr. 0171 2345678"},
		{"n° de colis 0612345678", "n° de colis 0612345678"},
		{"colis 250 012 345 678", "colis 250 012 345 678"},
		// A number word alone decides with the word before it, or with
		// the number's shape.
		{"mon n° : 06 12 34 56 78", "mon n° : ***78"},
		{"My number 07700 900123", "My number ***23"},
		{"Commande n° 06 12 34 56 78", "Commande n° 06 12 34 56 78"},
		// A label names the value right after it, not one after a comma.
		{"Code 2B7, puis 06 11 22 33 44", "Code 2B7, puis ***44"},
		{"Bestellung 4711, danach 0171 9876543", "Bestellung 4711, danach ***43"},
		{"Réf. 0042-1187-33 0042-1187-34", "Réf. 0042-1187-33 0042-1187-34"},
		{"Réf. 0042-1187-33, 0042-1187-34", "Réf. 0042-1187-33, 0042-1187-34"},
		{"Pedido ES-2024 612345678", "Pedido ES-2024 612345678"},
		{"mobiele nummer 06-24681357", "mobiele nummer ***57"},
		{"n° 0612345678", "n° ***78"},
		{"N° client 0712 3456 78", "N° client 0712 3456 78"},
		{"mon n° client 12345678", "mon n° client 12345678"},
		{"Mi número de socio 612345678", "Mi número de socio 612345678"},
		{"n° 06 11 22 33 44 55 66", "n° 06 11 22 33 44 55 66"},
		// Mobiles in their country's usual shape, without a word.
		{"4165550147", "***47"},
		{"612345678", "***78"},
		{"017612345678", "***78"},
		{"07911123456", "***56"},
		{"Pedido 612345678", "Pedido 612345678"},
		{"Location 655441491", "Location 655441491"},
		// North American local numbers, after a phone word only.
		{"call 555-0147", "call ***47"},
		{"ph: 555-0147", "ph: ***47"},
		{"Room 555-0147", "Room 555-0147"},
		// + percent-encoded.
		{"?phone=%2B33612345678&x=1", "?phone=***78&x=1"},
		{"?phone=%252B447911123456", "?phone=***56"},
		{"tel=%2B1%20212%20555%200189&x=1", "tel=***89&x=1"},
		{"?utm_campaign=summer%202024&page=2", "?utm_campaign=summer%202024&page=2"},
		// 00 and a country code: the national number has its length.
		{"0033612345678", "***78"},
		{"0033 (0)6 12 34 56 78", "***78"},
		{"Coupon 0012345678", "Coupon 0012345678"},
		{"casier 00441234567", "casier 00441234567"},
		{"Sendung 0034 0434 1610 9404", "Sendung 0034 0434 1610 9404"},
		{"Tel 06 12 34 56 78 0033 6 98 76 54 32", "Tel ***78 ***32"},
		// Identifiers as printed, with their check.
		{"4 006381 333931", "4 006381 333931"},
		{"0 36000 29145 2", "0 36000 29145 2"},
		{"732 829 320 00074", "732 829 320 00074"},
		{"SIRET 67823014500016", "SIRET 67823014500016"},
		{"67823014500016", "***0016"},                                // a card, without its label
		{"SIRET 652014887000190", "SIRET 652014887000190"},           // mistyped: 15 digits, right after its label
		{"SIRET du siège 652014887000190", "SIRET du siège ***0190"}, // further away, only a SIRET's length is kept
		{"RCS Paris B 732 829 320", "RCS Paris B 732 829 320"},
		{"RCS Aix-en-Provence B 732 829 320", "RCS Aix-en-Provence B 732 829 320"},
		{"R.C.S. Lyon 732 829 320", "R.C.S. Lyon 732 829 320"},
		{"U.S. 732 829 320", "U.S. ***20"},
		{"732 829 320", "***20"}, // a Spanish phone's shape, without its label
		{"12345 6782 RT0001", "12345 6782 RT0001"},
		{"tel 12345 6782", "tel ***82"},
		{"Part no. 212-555-0100", "Part no. 212-555-0100"},
		// Cards with two spaces between groups, or the last split in pairs.
		{"4111  1111  1111  1111", "***1111"},
		{"4242 4242 4242 42 42", "***4242"},
		{"06 12 34 56 78  06 98 76 54 32", "***78  ***32"},
		// Slashes throughout: a date has three groups, a number more or
		// longer ones, and then only its usual shape is a phone.
		{"06/12/45/78/90", "***90"},
		{"0171/234/5678", "***78"},
		{"212/555/0147", "***47"},
		{"tel 15/03/2024", "tel 15/03/2024"},
		{"2024/03/15", "2024/03/15"},
		{"Tailles 34/36/38/40/42", "Tailles 34/36/38/40/42"},
		{"Réf. 06/12/45/78/90", "Réf. 06/12/45/78/90"},
		// A country code in parentheses is masked with them.
		{"(+34) 644 12 34 56", "***56"},
		{"tel (+1) 514-555-0172", "tel ***72"},
		{"(+2) 5 pièces", "(+2) 5 pièces"},
		{"(06 12 34 56 78)", "(***78)"},
		{"(030) 1234567", "***67"},
		// A lone digit and three groups of three: a part number, but
		// after a phone word.
		{"0 986 494 062", "0 986 494 062"},
		{"2 608 597 123", "2 608 597 123"},
		{"appelez le 0 800 123 456", "appelez le ***56"},
		{"Bloc 2, 612 345 678", "Bloc 2, ***78"},
		// A code word that does not name the number: words between
		// them, or its own value ended by a mark.
		{"Client absent 06 84 21 37 95", "Client absent ***95"},
		{"Commande 4471 : 06 58 12 44 93", "Commande 4471 : ***93"},
		{"Pedido 5521 / 655 12 34 56", "Pedido 5521 / ***56"},
		{"Order #2213 – 312-555-0129", "Order #2213 – ***29"},
		{"Sendung DHL Express 4567891234", "Sendung DHL Express 4567891234"},
		{"Commandes 0612003344 et 0612003345", "Commandes 0612003344 et 0612003345"},
		{"Réf. 0042-1187-33 / 0042-1187-34", "Réf. 0042-1187-33 / 0042-1187-34"},
		// A flat's code is no tracking number's.
		{"Apt 4B 312-555-0174", "Apt 4B ***74"},
		{"UPS 1Z 999 AA1 01 2345 6784", "UPS 1Z 999 AA1 01 2345 6784"},
		{"Suivi 8R 0123 4567 89", "Suivi 8R 0123 4567 89"},
		// After a delivery word alone, a landline with its trunk 0 too.
		{"Lieferung: 030 4417852", "Lieferung: ***52"},
		{"Paket 250 012 345 678", "Paket 250 012 345 678"},
		// 00, a country code and a trunk 0 in parentheses: 16 digits.
		{"0049 (0) 157 39284716", "***16"},
		{"Tfno. 963124578", "Tfno. ***78"},
	}
	guardCases(t, tests)
}
