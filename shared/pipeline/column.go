package pipeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/sheets"
)

// Format operators, by the field type they take. The first of each list is
// the type's default.
var formats = map[platform.FieldType][]string{
	platform.TypeString: {"text"},
	platform.TypeTime:   {"datetime", "date", "iso"},
	platform.TypeMoney:  {"money", "amount"},
	platform.TypeItems:  {"items"},
	platform.TypeInt:    {"number", "text"},
	platform.TypeBool:   {"text"},
}

// ItemsMaxLen caps an items summary, in characters; beyond it the summary
// ends with "(+N more)".
const ItemsMaxLen = 500

func compileColumn(cfg *config.Config, c *config.Column, path string, keys *privacy.Keys) (column, error) {
	col := column{header: c.Header}
	typ := platform.TypeString
	if c.Field != "" {
		f, _ := platform.LookupField(c.Field) // known: config validated it
		typ = f.Type
		col.get = func(in *Input) (any, bool) { return f.Get(in.Event) }
	} else {
		p, err := parsePath(c.Path)
		if err != nil {
			return column{}, cfg.Errorf(path+".path", "%v", err)
		}
		col.get = func(in *Input) (any, bool) { return in.rawValue(p) }
	}
	if op, ok := privacy.LookupOperator(c.Op); ok {
		if typ != platform.TypeString {
			return column{}, cfg.Errorf(path+".op", "%s takes text, and %s is %s", c.Op, c.Field, typ)
		}
		if c.Op == "pseudonym" && keys == nil {
			return column{}, cfg.Errorf(path+".op", "pseudonym needs a key: set privacy.pseudonym_key to a secret name")
		}
		col.format = func(v any, _ *Input) sheets.Cell { return sheets.Cell{Text: op.Apply(v.(string), keys)} }
		return col, nil
	}
	allowed := formats[typ]
	name := c.Op
	if name == "" {
		name = allowed[0]
	}
	if !slices.Contains(allowed, name) {
		return column{}, cfg.Errorf(path+".op", "unknown operator %q for a %s value (use one of: %s; privacy operators: %s)",
			c.Op, typ, strings.Join(allowed, ", "), privacy.IdentityOperatorList())
	}
	col.format = formatFunc(name)
	return col, nil
}

func formatFunc(name string) func(v any, in *Input) sheets.Cell {
	switch name {
	case "datetime":
		return func(v any, in *Input) sheets.Cell {
			return serialDate(v.(time.Time).In(in.Zone), "DATE_TIME", "yyyy-mm-dd hh:mm")
		}
	case "date":
		return func(v any, in *Input) sheets.Cell { return serialDate(v.(time.Time).In(in.Zone), "DATE", "yyyy-mm-dd") }
	case "iso":
		return func(v any, in *Input) sheets.Cell {
			return sheets.Cell{Text: v.(time.Time).In(in.Zone).Format(time.RFC3339)}
		}
	case "money":
		return func(v any, _ *Input) sheets.Cell { return moneyCell(v.(platform.Money), true) }
	case "amount":
		return func(v any, _ *Input) sheets.Cell { return moneyCell(v.(platform.Money), false) }
	case "items":
		return func(v any, _ *Input) sheets.Cell { return sheets.Cell{Text: Items(v.([]platform.Item), ItemsMaxLen)} }
	case "number":
		return func(v any, _ *Input) sheets.Cell {
			return sheets.Cell{Number: strconv.FormatInt(v.(int64), 10), FormatType: "NUMBER", FormatPattern: "0"}
		}
	}
	return func(v any, _ *Input) sheets.Cell { return sheets.Cell{Text: text(v)} }
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// serialDate writes a time as the spreadsheet's serial number (days since
// 1899-12-30, the fraction the time of day) of its wall clock in its
// zone, so that the sheet shows the store's local time and can sort,
// filter and pivot by date. The decimal is computed in integers: exact to
// the second.
func serialDate(t time.Time, typ, pattern string) sheets.Cell {
	_, off := t.Zone()
	secs := t.Unix() + int64(off) + 25569*86400 // 25569 days from 1899-12-30 to 1970-01-01
	days, rem := secs/86400, secs%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	n := strconv.FormatInt(days, 10)
	if rem != 0 {
		// rem/86400 has a finite decimal expansion only in general up to
		// many digits; 10 places is finer than a millisecond.
		frac := rem * 10_000_000_000 / 86400
		n += "." + strings.TrimRight(fmt.Sprintf("%010d", frac), "0")
	}
	return sheets.Cell{Number: n, FormatType: typ, FormatPattern: pattern}
}

// moneyCell writes an exact amount as a number, with the currency in the
// number format so that the column still sums.
func moneyCell(m platform.Money, withCurrency bool) sheets.Cell {
	places := platform.MinorUnitExponent(m.Currency)
	pattern := "#,##0"
	if places > 0 {
		pattern += "." + strings.Repeat("0", places)
	}
	typ := "NUMBER"
	if withCurrency && m.Currency != "" {
		pattern += ` "` + m.Currency + `"`
		typ = "CURRENCY"
	}
	return sheets.Cell{Number: m.Amount, FormatType: typ, FormatPattern: pattern}
}

// Items summarizes line items as "Name x2, Other x1" in at most maxLen
// characters (roughly: the "(+N more)" that counts the items that did not
// fit may pass it by a few). A first item longer than maxLen is cut with "…".
func Items(items []platform.Item, maxLen int) string {
	var b strings.Builder
	n := 0 // characters written
	for i, it := range items {
		part := strings.TrimSpace(it.Name) + " x" + strconv.FormatInt(it.Quantity, 10)
		if i > 0 {
			part = ", " + part
		}
		size := utf8.RuneCountInString(part)
		if n+size > maxLen {
			if i == 0 {
				name := []rune(strings.TrimSpace(it.Name))
				name = name[:max(0, min(len(name), maxLen-10))]
				b.WriteString(string(name) + "… x" + strconv.FormatInt(it.Quantity, 10))
				i++
			}
			if rest := len(items) - i; rest > 0 {
				b.WriteString(" (+" + strconv.Itoa(rest) + " more)")
			}
			return b.String()
		}
		b.WriteString(part)
		n += size
	}
	return b.String()
}
