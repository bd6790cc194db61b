package pipeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
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
		p, err := platform.ParseJSONPath(c.Path)
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
		col.format = func(v any, _ *Input, _ *privacy.Counts) model.Cell {
			return model.Cell{Text: op.Apply(v.(string), keys)}
		}
		col.pseudonym = c.Op == "pseudonym"
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

func formatFunc(name string) func(v any, in *Input, c *privacy.Counts) model.Cell {
	switch name {
	case "datetime":
		return func(v any, in *Input, _ *privacy.Counts) model.Cell {
			return serialDate(v.(time.Time).In(in.Zone), "DATE_TIME", "yyyy-mm-dd hh:mm")
		}
	case "date":
		// The day in the store's zone, as a whole number, so that the team
		// can filter and pivot by day.
		return func(v any, in *Input, _ *privacy.Counts) model.Cell { return serialDay(v.(time.Time).In(in.Zone)) }
	case "iso":
		return func(v any, in *Input, _ *privacy.Counts) model.Cell {
			return model.Cell{Text: v.(time.Time).In(in.Zone).Format(time.RFC3339)}
		}
	case "money":
		return func(v any, _ *Input, _ *privacy.Counts) model.Cell { return moneyCell(v.(platform.Money), true) }
	case "amount":
		return func(v any, _ *Input, _ *privacy.Counts) model.Cell { return moneyCell(v.(platform.Money), false) }
	case "items":
		return func(v any, _ *Input, c *privacy.Counts) model.Cell {
			items := v.([]platform.Item)
			guarded := make([]platform.Item, len(items))
			for i, it := range items {
				// What Items can show of a name (ItemsMaxLen characters;
				// 2× in UTF-16 units): a long name costs no more. Where
				// masks make that short enough to show whole, "…" still
				// says the name goes on.
				name, n, cut := privacy.MaskPrefix(it.Name, 2*ItemsMaxLen+2)
				if cut {
					name = strings.TrimRightFunc(name, unicode.IsSpace) + "…"
				}
				guarded[i].Name = name
				guarded[i].Quantity = it.Quantity
				guarded[i].Returned = it.Returned
				c.Add(n)
			}
			return model.Cell{Text: Items(guarded, ItemsMaxLen)}
		}
	case "number":
		return func(v any, _ *Input, _ *privacy.Counts) model.Cell {
			return model.Cell{Number: strconv.FormatInt(v.(int64), 10), FormatType: "NUMBER", FormatPattern: "0"}
		}
	}
	return func(v any, _ *Input, _ *privacy.Counts) model.Cell { return model.Cell{Text: text(v)} }
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
func serialDate(t time.Time, typ, pattern string) model.Cell {
	secs := localSeconds(t)
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	n := sign + strconv.FormatInt(secs/86400, 10)
	if rem := secs % 86400; rem != 0 {
		// rem/86400 rarely ends; 10 places is finer than a millisecond.
		frac := rem * 10_000_000_000 / 86400
		n += "." + strings.TrimRight(fmt.Sprintf("%010d", frac), "0")
	}
	return model.Cell{Number: n, FormatType: typ, FormatPattern: pattern}
}

// serialDay is the serial number of the day of t's wall clock, a whole
// number.
func serialDay(t time.Time) model.Cell {
	secs := localSeconds(t)
	days := secs / 86400
	if secs%86400 < 0 {
		days-- // floor, not toward zero, before 1899-12-30
	}
	return model.Cell{Number: strconv.FormatInt(days, 10), FormatType: "DATE", FormatPattern: "yyyy-mm-dd"}
}

// localSeconds counts the seconds of t's wall clock in its zone since
// 1899-12-30 00:00, the spreadsheet epoch.
func localSeconds(t time.Time) int64 {
	_, off := t.Zone()
	return t.Unix() + int64(off) + 25569*86400 // 25569 days from 1899-12-30 to 1970-01-01
}

// moneyCell writes an exact amount as a number, with the currency in the
// number format so that the column still sums.
func moneyCell(m platform.Money, withCurrency bool) model.Cell {
	places := platform.MinorUnitExponent(m.Currency)
	pattern := "#,##0"
	if places > 0 {
		pattern += "." + strings.Repeat("0", places)
	}
	typ := "NUMBER"
	if withCurrency && isCurrencyCode(m.Currency) {
		pattern += ` "` + m.Currency + `"`
		typ = "CURRENCY"
	}
	return model.Cell{Number: m.Amount, FormatType: typ, FormatPattern: pattern}
}

// isCurrencyCode accepts an ISO 4217 code: three letters A to Z. Anything
// else never reaches a number format pattern, where a quote would end the
// literal.
func isCurrencyCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Items summarizes line items as "Name x2, Other x1" in at most maxLen
// characters. Items that do not fit are counted, "(+N more)", within the
// cap; a first item too long on its own is cut with "…". Names should be
// guarded before (privacy.Mask), so that a cut never splits a value the
// guard would have recognized.
func Items(items []platform.Item, maxLen int) string {
	var b strings.Builder
	n := 0 // characters written
	for i, it := range items {
		name := strings.TrimSpace(it.Name)
		qty := " x" + strconv.FormatInt(it.Quantity, 10)
		if it.Returned {
			qty += " returned"
		}
		sep := ""
		if i > 0 {
			sep = ", "
		}
		size := utf8.RuneCountInString(sep + name + qty)
		need := size
		if rest := len(items) - i - 1; rest > 0 {
			need += utf8.RuneCountInString(more(rest)) // room to say what follows does not fit
		}
		if n+need <= maxLen {
			b.WriteString(sep + name + qty)
			n += size
			continue
		}
		if i == 0 {
			suffix := qty + more(len(items)-1)
			room := maxLen - utf8.RuneCountInString(suffix) - 1 // 1 for …
			if room < 1 {
				return cut(more(len(items)), maxLen)
			}
			return cut(name, room) + "…" + suffix
		}
		b.WriteString(more(len(items) - i))
		return b.String()
	}
	return b.String()
}

// more says how many items a summary leaves out.
func more(n int) string {
	if n == 0 {
		return ""
	}
	return " (+" + strconv.Itoa(n) + " more)"
}

// cut keeps at most n characters of s.
func cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
