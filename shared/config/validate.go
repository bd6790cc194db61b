package config

import (
	"errors"
	"slices"
	"time"
)

func (c *Config) validate() error {
	var errs []error
	if _, err := time.LoadLocation(c.Spreadsheet.TimeZone); err != nil {
		errs = append(errs, c.Errorf("spreadsheet.time_zone", "unknown time zone %q", c.Spreadsheet.TimeZone))
	}
	if c.Limits.MaxBodyBytes < 0 {
		errs = append(errs, c.Errorf("limits.max_body_bytes", "must be positive"))
	}
	if d := time.Duration(c.Limits.Deadline); d > 9*time.Minute {
		errs = append(errs, c.Errorf("limits.deadline", "at most 9m: platforms give up long before"))
	}
	if c.Privacy.PseudonymKey != "" && !secretName.MatchString(c.Privacy.PseudonymKey) {
		errs = append(errs, c.Errorf("privacy.pseudonym_key", "a secret name has 1 to 255 letters, digits, - and _"))
	}
	errs = append(errs, c.validateMode()...)
	errs = append(errs, c.validateSheet()...)
	errs = append(errs, c.validateSources()...)
	errs = append(errs, c.validateTables()...)
	errs = append(errs, c.validateDestinations()...)
	return errors.Join(errs...)
}

// Feeds reports whether a source's events may land in a table: the table
// names the source, or names none. An erasure source feeds no table.
func (c *Config) Feeds(t *Table, source string) bool {
	if s := c.Sources[source]; s == nil || s.Platform == ErasurePlatform {
		return false
	}
	return len(t.Sources) == 0 || slices.Contains(t.Sources, source)
}

// TablesFor returns the tables that take events of a source and kind.
func (c *Config) TablesFor(source, kind string) []*Table {
	var out []*Table
	for _, t := range c.Tables {
		if t.Kind != kind {
			continue
		}
		if len(t.Sources) == 0 {
			out = append(out, t)
			continue
		}
		for _, s := range t.Sources {
			if s == source {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// SecretNames lists every secret the configuration names, each once.
func (c *Config) SecretNames() []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, name := range c.SourceNames {
		for _, s := range c.Sources[name].SecretNames() {
			add(s)
		}
	}
	add(c.Privacy.PseudonymKey)
	for _, name := range c.DestinationNames {
		if d := c.Destinations[name]; d.Excel != nil {
			add(d.Excel.ClientSecret) // the fallback, when named
		}
	}
	return out
}
