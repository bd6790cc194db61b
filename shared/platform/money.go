package platform

import (
	"errors"
	"strings"
)

// Money is an exact amount in a currency. Amount is a canonical decimal
// string ("359.97", "-5", "0.125"): amounts never pass through a float.
type Money struct {
	Amount   string
	Currency string // ISO 4217 code, upper case; empty when the platform sends none
}

// IsZero reports whether m holds no amount at all.
func (m Money) IsZero() bool { return m.Amount == "" }

var errDecimal = errors.New("not a decimal number")

// maxIntDigits and maxFracDigits bound a decimal: far beyond any amount
// (10^30; 18 decimals of a crypto currency), and short enough that no
// number can reach a cell's limit or a float's range.
const (
	maxIntDigits  = 30
	maxFracDigits = 20
)

// ParseDecimal validates a decimal number as platforms write it in JSON
// ("12.50", "-3", "1e2" is refused) and returns it in canonical form:
// no plus sign, no leading zeros, no trailing fractional zeros beyond the
// first two ("12.50" stays "12.50", "12.5" stays "12.5", "012.000" becomes
// "12.00").
func ParseDecimal(s string) (string, error) {
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return "", errDecimal
	}
	if !digits(intPart) || !digits(frac) || (hasDot && frac == "") {
		return "", errDecimal
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	for len(frac) > 2 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(intPart) > maxIntDigits || len(frac) > maxFracDigits {
		return "", errDecimal
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FromMinorUnits converts an integer amount in the currency's minor unit
// (cents for EUR, yen for JPY, fils for KWD), as Stripe and Square send it,
// to an exact decimal Money.
func FromMinorUnits(units string, currency string) (Money, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	neg := strings.HasPrefix(units, "-")
	u := strings.TrimPrefix(units, "-")
	if u == "" || !digits(u) {
		return Money{}, errDecimal
	}
	exp := MinorUnitExponent(currency)
	for len(u) <= exp {
		u = "0" + u
	}
	s := u
	if exp > 0 {
		s = u[:len(u)-exp] + "." + u[len(u)-exp:]
	}
	if neg {
		s = "-" + s
	}
	amount, err := ParseDecimal(s)
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// MinorUnitExponent returns the number of decimal places of a currency's
// minor unit per ISO 4217 (2 unless listed otherwise).
func MinorUnitExponent(currency string) int {
	switch strings.ToUpper(currency) {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
		"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}
