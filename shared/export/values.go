package export

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/platform"
)

// invalid is the reason for a value that does not parse: it names the
// column, never the value.
func invalid(column, what string) error { return fmt.Errorf("%s is not %s", column, what) }

// missing is the reason for a value that must be there.
func missing(column string) error { return fmt.Errorf("no %s", column) }

// orderID checks an order id that platforms write as an integer, keeping
// it exact (ids above 2^53 are common).
func orderID(column, s string) (string, error) {
	switch {
	case s == "":
		return "", missing(column)
	case !isDigits(s) || len(s) > 20:
		return "", invalid(column, "an integer id")
	}
	return s, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimal reads an amount as platform.ParseDecimal does; "" stays "".
func decimal(column, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	d, err := platform.ParseDecimal(s)
	if err != nil {
		return "", invalid(column, "a decimal")
	}
	return d, nil
}

// subtract returns a - b, exactly, with the larger number of decimals.
func subtract(a, b string) string {
	x, _ := new(big.Rat).SetString(a)
	y, _ := new(big.Rat).SetString(b)
	scale := max(decimals(a), decimals(b))
	d, _ := platform.ParseDecimal(x.Sub(x, y).FloatString(scale))
	return d
}

func decimals(s string) int {
	_, frac, _ := strings.Cut(s, ".")
	return len(frac)
}

// positive reports whether a canonical decimal is above zero.
func positive(d string) bool {
	return d != "" && !strings.HasPrefix(d, "-") && strings.Trim(d, "0.") != ""
}

// money builds the total of an order; no amount is no money.
func money(amount, currency string) platform.Money {
	if amount == "" {
		return platform.Money{}
	}
	return platform.Money{Amount: amount, Currency: strings.ToUpper(currency)}
}

// Layouts of the times exports write without a zone: MySQL's (WooCommerce,
// X-Series) and its ISO form, with or without seconds.
var localLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// localTime reads a time written in the store's zone, or with its own.
func localTime(column, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid(column, "a time")
}

// latest returns the latest of times that are set.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// versionAt is the version of an exported state whose latest dated event
// happened at t: one microsecond before it. The order's updated-at is at
// or after t, so any live delivery of this state or a newer one has a
// higher version, and wins even within the same second (platforms date
// updates to the second).
func versionAt(t time.Time) int64 { return t.UnixMicro() - 1 }

// unformula undoes the quote some exporters put before a cell that starts
// with = + - or @, so that spreadsheets do not run it; the sheet's own guard
// neutralizes such text again on the way out.
func unformula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

// body encodes the document a record keeps as Event.Body, for columns that
// name a raw JSON path. It holds only what the export tells, under the
// names of the platform's live payload, and nothing personal.
func body(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Bodies hold strings and numbers checked before: unreachable,
		// and no raw path is better than a wrong one.
		return nil
	}
	return b
}

// quantity reads a line item's quantity as the live presets do.
func quantity(column, s string) (int64, error) {
	q, err := platform.ParseQuantity(s)
	if err != nil {
		return 0, invalid(column, "a quantity")
	}
	return q, nil
}
