// Package privacy holds what stands between a customer's identity and the
// sheet: operators that drop, mask or pseudonymise a value, and the guard
// that every outgoing text cell passes through.
//
// The operators are pure functions of their input (and, for pseudonym, a
// secret key). None of them logs or returns its input on failure: a value
// that cannot be masked properly is masked entirely.
package privacy

import (
	"slices"
	"strings"
)

// Operator transforms one value on its way to a cell.
type Operator struct {
	Name string
	// RemovesIdentity says the output no longer identifies the person, so
	// the operator may take personal data.
	RemovesIdentity bool
	// Doc is one line for the configuration reference.
	Doc   string
	apply func(v string, k *Keys) string
}

// Apply runs the operator.
func (o Operator) Apply(v string, k *Keys) string { return o.apply(v, k) }

var operators = []Operator{
	{Name: "drop", RemovesIdentity: true, Doc: "always empty: the value never leaves", apply: func(string, *Keys) string { return "" }},
	{Name: "mask_name", RemovesIdentity: true, Doc: `"Harriet Smith" becomes "H. S***"`, apply: func(v string, _ *Keys) string { return MaskName(v) }},
	{Name: "mask_email", RemovesIdentity: true, Doc: `"harriet.smith@dg1.com" becomes "h***@dg1.com"`, apply: func(v string, _ *Keys) string { return MaskEmail(v) }},
	{Name: "mask_phone", RemovesIdentity: true, Doc: "keeps at most the last 2 digits", apply: func(v string, _ *Keys) string { return MaskPhone(v) }},
	{Name: "last4", RemovesIdentity: true, Doc: "keeps the last 4 digits of a reference", apply: func(v string, _ *Keys) string { return Last4(v) }},
	{Name: "pseudonym", RemovesIdentity: true, Doc: "a keyed, stable pseudonymous id such as c_3j5k2m7q9x4w8e6r", apply: func(v string, k *Keys) string { return k.Pseudonym(DomainCustomer, v) }},
}

// LookupOperator returns the privacy operator with that name.
func LookupOperator(name string) (Operator, bool) {
	i := slices.IndexFunc(operators, func(o Operator) bool { return o.Name == name })
	if i < 0 {
		return Operator{}, false
	}
	return operators[i], true
}

// Operators returns every privacy operator.
func Operators() []Operator { return slices.Clone(operators) }

// RemovesIdentity reports whether the named operator may take personal data.
func RemovesIdentity(name string) bool {
	o, ok := LookupOperator(name)
	return ok && o.RemovesIdentity
}

// IdentityOperatorList names the operators that remove identity, for
// error messages.
func IdentityOperatorList() string {
	var names []string
	for _, o := range operators {
		if o.RemovesIdentity {
			names = append(names, o.Name)
		}
	}
	return strings.Join(names, ", ")
}
