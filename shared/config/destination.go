package config

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

// Destination is where rows go besides the main spreadsheet: a partner's
// or a franchisee's spreadsheet holding only their rows, in fewer columns
// if need be. Google shares whole spreadsheets, never rows, so a
// spreadsheet of their own is the only way they see what they need and
// nothing more.
type Destination struct {
	// Kind is the kind of destination: google-sheets (the default), or
	// excel (see excel.go).
	Kind string `yaml:"kind"`
	// Excel is an Excel destination's workbook and sign-in.
	Excel *DestinationExcel `yaml:"excel"`
	// Spreadsheet is the destination's Google spreadsheet: its id, or the
	// title scripts/bootstrap-sheet gives the one it creates.
	Spreadsheet DestinationSpreadsheet `yaml:"spreadsheet"`
	// Where is a CEL expression over the event, like a table's filter,
	// choosing the rows the destination holds, e.g. order.store ==
	// "Vancouver". Empty: every row its tables admit. A row enters when
	// the table's filter and where both pass; an order that stops
	// matching (its store changed) leaves the destination.
	Where string `yaml:"where"`
	// Tables are the tables the destination holds, by tab, each with the
	// columns it keeps; none listed means every table with every column.
	Tables map[string]*DestinationTable `yaml:"tables"`
	// Share lists who may open the spreadsheet (scripts/bootstrap-sheet
	// shares it). The function writes it as the destination's own service
	// account, which Terraform creates.
	Share []Share `yaml:"share"`
}

// DestinationSpreadsheet names a destination's Google spreadsheet.
type DestinationSpreadsheet struct {
	// ID is the long id in the spreadsheet's URL.
	ID string `yaml:"id"`
	// Title is the title of the spreadsheet scripts/bootstrap-sheet
	// creates when there is no id yet.
	Title string `yaml:"title"`
}

// DestinationTable is one table of a destination.
type DestinationTable struct {
	// Columns are the headers of the table's columns the destination
	// keeps, the key always among them; empty: all of them.
	Columns []string `yaml:"columns"`
	// Where replaces the destination's where for this table (a booking
	// table when the destination's where reads order fields).
	Where string `yaml:"where"`
	// Table is the named table that holds the table in an Excel
	// destination (default: Safeview and the tab, e.g. SafeviewOrders).
	Table string `yaml:"table"`
}

// Share is someone who may open a destination's spreadsheet.
type Share struct {
	Email string `yaml:"email"`
	// Role is reader (the default) or commenter; writer only when said
	// explicitly, since a writer may share the spreadsheet on.
	Role string `yaml:"role"`
}

// Kinds of destination.
const (
	KindGoogleSheets = "google-sheets"
)

// Roles a destination's spreadsheet may be shared with.
const (
	RoleReader    = "reader"
	RoleCommenter = "commenter"
	RoleWriter    = "writer"
)

var destinationName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,29}$`)

// MainName names the main spreadsheet where destinations are named: in
// the bench's tables, and in queued mode's subscription of it
// (<prefix>-writer-main). No destination of the configuration takes it.
const MainName = "main"

// DestinationTables returns the tables a destination holds, in the
// order of the configuration.
func (c *Config) DestinationTables(d *Destination) []*Table {
	var out []*Table
	for _, t := range c.Tables {
		if len(d.Tables) == 0 || d.Tables[t.Tab] != nil {
			out = append(out, t)
		}
	}
	return out
}

// WhereFor returns the where of a destination for one of its tables.
func (d *Destination) WhereFor(tab string) string {
	if dt := d.Tables[tab]; dt != nil && dt.Where != "" {
		return dt.Where
	}
	return d.Where
}

// ColumnsFor returns the headers a destination keeps of a table, in the
// table's order; all of them when it names none.
func (c *Config) ColumnsFor(d *Destination, t *Table) []string {
	var keep []string
	if dt := d.Tables[t.Tab]; dt != nil {
		keep = dt.Columns
	}
	var out []string
	for _, col := range t.Columns {
		if len(keep) == 0 || slices.Contains(keep, col.Header) {
			out = append(out, col.Header)
		}
	}
	return out
}

func (c *Config) validateDestinations() []error {
	var errs []error
	for _, name := range c.DestinationNames {
		d, path := c.Destinations[name], "destinations."+name
		if d == nil {
			errs = append(errs, c.Errorf(path, "empty destination"))
			continue
		}
		if !destinationName.MatchString(name) {
			errs = append(errs, c.Errorf(path, "a destination's name has 1 to 30 lower-case letters, digits, - and _ (it names its service account)"))
		}
		if name == MainName {
			errs = append(errs, c.Errorf(path, "the name main is the main spreadsheet's (spreadsheet:): give this destination another"))
		}
		switch d.Kind {
		case "":
			d.Kind = KindGoogleSheets
		case KindGoogleSheets, KindExcel:
		default:
			errs = append(errs, c.Errorf(path+".kind", "unknown kind %q (known: %s, %s)", d.Kind, KindGoogleSheets, KindExcel))
		}
		errs = append(errs, c.validateExcel(name, d)...)
		if d.Spreadsheet.ID != "" && d.Spreadsheet.ID == c.Spreadsheet.ID {
			errs = append(errs, c.Errorf(path+".spreadsheet.id", "is the main spreadsheet: a destination has a spreadsheet of its own"))
		}
		tables := map[string]*Table{}
		for _, t := range c.Tables {
			if t != nil {
				tables[t.Tab] = t
			}
		}
		for _, tab := range sortedKeys(d.Tables) {
			tp := path + ".tables." + tab
			t := tables[tab]
			if t == nil {
				errs = append(errs, c.Errorf(tp, "no table has the tab %q", tab))
				continue
			}
			dt := d.Tables[tab]
			if dt == nil {
				d.Tables[tab] = &DestinationTable{} // "Orders:" alone: every column
				continue
			}
			for i, h := range dt.Columns {
				if !slices.ContainsFunc(t.Columns, func(col *Column) bool { return col != nil && col.Header == h }) {
					errs = append(errs, c.Errorf(tp+".columns["+itoa(i)+"]", "table %q has no column %q", tab, h))
				}
			}
			if len(dt.Columns) > 0 && !slices.Contains(dt.Columns, t.Key) {
				errs = append(errs, c.Errorf(tp+".columns", "keep the key column %q: rows are found by it", t.Key))
			}
		}
		for i, s := range d.Share {
			sp := path + ".share[" + itoa(i) + "]"
			if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || !strings.Contains(s.Email, ".") {
				errs = append(errs, c.Errorf(sp+".email", "want an email address, such as manager@example.com"))
			}
			switch d.Share[i].Role {
			case "":
				d.Share[i].Role = RoleReader
			case RoleReader, RoleCommenter, RoleWriter:
			default:
				errs = append(errs, c.Errorf(sp+".role", "want reader, commenter or writer, not %q", s.Role))
			}
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
