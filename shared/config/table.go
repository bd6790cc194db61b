package config

import (
	"slices"
	"strconv"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// Table is one tab of the spreadsheet and what feeds it.
type Table struct {
	// Tab is the tab's title.
	Tab string `yaml:"tab"`
	// Kind is the kind of event the table takes: order or booking.
	Kind string `yaml:"kind"`
	// Sources limits the table to these sources; default every source.
	Sources []string `yaml:"sources"`
	// Key is the header of the column that identifies a row (one row per
	// order or booking).
	Key string `yaml:"key"`
	// Filter is a CEL expression over the event that decides whether a new
	// row enters, e.g. order.status == "paid". Empty lets everything in.
	Filter string `yaml:"filter"`
	// Updates says whether updates of a row already present always apply
	// ("always", the default: a paid order later refunded must show it) or
	// only when the filter passes ("filter").
	Updates string `yaml:"updates"`
	// Columns are the only data that ever leaves: anything not declared
	// here never reaches the sheet.
	Columns []*Column `yaml:"columns"`
}

// Update policies.
const (
	UpdatesAlways = "always"
	UpdatesFilter = "filter"
)

// Column is one column of a table.
type Column struct {
	// Header is the column's header in row 1; Safeview finds its columns
	// by header, wherever the team moves them.
	Header string `yaml:"header"`
	// Field names a canonical field (see package platform), e.g.
	// "order.total". Exactly one of Field and Path is set.
	Field string `yaml:"field"`
	// Path is a raw JSON path into the platform's payload, e.g.
	// "line_items[0].sku", for what no canonical field covers.
	Path string `yaml:"path"`
	// Op is the operator applied to the value: a privacy operator
	// (mask_email, pseudonym, ...) or a format (date, money, items, ...).
	// Empty means the field's default format.
	Op string `yaml:"op"`
	// Personal marks a column derived from the customer, cleared by
	// erasure requests even though it holds no direct identifier. Columns
	// of customer.* fields are personal without it (see IsPersonal).
	Personal bool `yaml:"personal"`
}

// IsPersonal reports whether a column is derived from the customer, and
// so cleared by an erasure: marked personal; taking a customer.* field,
// whatever its operator (a pseudonym, a masked email or name: pseudonymous
// data is still personal data); or taking a raw path through a privacy
// operator, which is the only way the lint lets a raw path of personal
// data out.
func (col *Column) IsPersonal() bool {
	if col.Personal {
		return true
	}
	if f, ok := platform.LookupField(col.Field); ok && f.PII {
		return true
	}
	return col.Path != "" && privacy.RemovesIdentity(col.Op)
}

// PersonalHeaders lists the headers of a table's personal columns.
func (t *Table) PersonalHeaders() []string {
	var out []string
	for _, col := range t.Columns {
		if col != nil && col.IsPersonal() {
			out = append(out, col.Header)
		}
	}
	return out
}

// Kinds a table can take.
var tableKinds = []string{string(platform.KindOrder), string(platform.KindBooking)}

func (c *Config) validateTables() []error {
	var errs []error
	if len(c.Tables) == 0 {
		errs = append(errs, c.Errorf("tables", "at least one table is required"))
	}
	tabs := map[string]bool{}
	for i, t := range c.Tables {
		path := "tables[" + itoa(i) + "]"
		if t == nil {
			errs = append(errs, c.Errorf(path, "empty table"))
			continue
		}
		switch {
		case t.Tab == "":
			errs = append(errs, c.Errorf(path+".tab", "the tab's title is required"))
		case len(t.Tab) > 100:
			errs = append(errs, c.Errorf(path+".tab", "a tab title has at most 100 characters"))
		case tabs[t.Tab]:
			errs = append(errs, c.Errorf(path+".tab", "tab %q is used by two tables", t.Tab))
		}
		tabs[t.Tab] = true
		if !slices.Contains(tableKinds, t.Kind) {
			errs = append(errs, c.Errorf(path+".kind", "want order or booking, not %q", t.Kind))
		}
		for j, s := range t.Sources {
			src, ok := c.Sources[s]
			switch {
			case !ok:
				errs = append(errs, c.Errorf(path+".sources["+itoa(j)+"]", "no source named %q", s))
			case src != nil && src.Platform == ErasurePlatform:
				errs = append(errs, c.Errorf(path+".sources["+itoa(j)+"]", "source %q takes erasure requests and feeds no table", s))
			}
		}
		switch t.Updates {
		case "":
			t.Updates = UpdatesAlways
		case UpdatesAlways, UpdatesFilter:
		default:
			errs = append(errs, c.Errorf(path+".updates", "want always or filter, not %q", t.Updates))
		}
		errs = append(errs, c.validateColumns(t, path)...)
	}
	return errs
}

func (c *Config) validateColumns(t *Table, path string) []error {
	var errs []error
	if len(t.Columns) == 0 {
		errs = append(errs, c.Errorf(path+".columns", "at least one column is required"))
	}
	headers := map[string]bool{}
	for j, col := range t.Columns {
		cp := path + ".columns[" + itoa(j) + "]"
		if col == nil {
			errs = append(errs, c.Errorf(cp, "empty column"))
			continue
		}
		switch {
		case col.Header == "":
			errs = append(errs, c.Errorf(cp+".header", "the header is required"))
		case headers[col.Header]:
			errs = append(errs, c.Errorf(cp+".header", "header %q is used twice", col.Header))
		case col.Header == VersionHeader:
			errs = append(errs, c.Errorf(cp+".header", "header %q is reserved for Safeview", col.Header))
		}
		headers[col.Header] = true
		switch {
		case col.Field == "" && col.Path == "":
			errs = append(errs, c.Errorf(cp, "set field (a canonical field) or path (a raw JSON path)"))
		case col.Field != "" && col.Path != "":
			errs = append(errs, c.Errorf(cp, "set field or path, not both"))
		case col.Field != "":
			f, ok := platform.LookupField(col.Field)
			if !ok {
				errs = append(errs, c.Errorf(cp+".field", "unknown field %q", col.Field))
				break
			}
			if f.Kind != "" && string(f.Kind) != t.Kind {
				errs = append(errs, c.Errorf(cp+".field", "%s is a field of %s events, and this table takes %s events", f.Name, f.Kind, t.Kind))
			}
		}
		if col.Field != "" || col.Path != "" {
			if err := c.lintColumn(t, col, cp); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if t.Key == "" {
		errs = append(errs, c.Errorf(path+".key", "name the header of the column that identifies a row"))
	} else if i := slices.IndexFunc(t.Columns, func(col *Column) bool { return col != nil && col.Header == t.Key }); i < 0 {
		errs = append(errs, c.Errorf(path+".key", "no column has the header %q", t.Key))
	} else if k := t.Columns[i]; k.Op != "" || (k.Field != t.Kind+".id" && k.Path == "") {
		errs = append(errs, c.Errorf(path+".key", "the key column must take %s.id (or a raw path) with no operator", t.Kind))
	} else if k.Personal {
		errs = append(errs, c.Errorf(path+".columns["+itoa(i)+"].personal", "the key column cannot be personal: an erasure clears personal cells, and a row without its key is lost to Safeview"))
	}
	return errs
}

// VersionHeader is the header of the column where Safeview keeps each
// row's version, so that an older delivery never overwrites a newer one,
// across restarts. Hidden in the sheet.
const VersionHeader = "_safeview_version"

func itoa(i int) string { return strconv.Itoa(i) }
