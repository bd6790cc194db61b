package config

import (
	"slices"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// The lint refuses a column that takes personal data without an operator
// that removes identity: a canonical field marked PII (customer.email), or
// a raw JSON path under (or above) one of the PII paths of the sources
// that feed the table. A table without sources is fed by every source.

// lintColumn returns the lint's error for a column, or nil.
func (c *Config) lintColumn(t *Table, col *Column, cp string) error {
	if privacy.RemovesIdentity(col.Op) {
		return nil
	}
	what := ""
	switch {
	case col.Field != "":
		if f, ok := platform.LookupField(col.Field); ok && f.PII {
			what = f.Name
		}
	case col.Path != "":
		what = c.piiUnder(t, col.Path)
	}
	if what == "" {
		return nil
	}
	return c.Errorf(cp+".op", "table %q column %q takes personal data (%s) without an operator that removes identity (one of: %s)",
		t.Tab, col.Header, what, privacy.IdentityOperatorList())
}

// piiUnder describes the PII path that a raw path reads from, for the
// sources that feed t, or returns "". Each source's preset is built with
// the source's options: the generic presets' PII paths are the paths its
// fields: map customer fields to.
func (c *Config) piiUnder(t *Table, path string) string {
	col := pathSegments(path)
	if col == nil {
		return "" // not a path: the pipeline reports it
	}
	for _, name := range c.sourcesOf(t) {
		s := c.Sources[name]
		preset, err := platform.New(s.Platform, s.PresetOptions())
		if err != nil {
			continue // an unknown platform or a bad field map is reported with its source
		}
		for _, pii := range preset.PIIPaths() {
			if overlaps(col, pathSegments(pii)) {
				return "raw path " + path + " reads " + s.Platform + "'s personal data at " + pii
			}
		}
	}
	return ""
}

// sourcesOf lists the names of the sources that feed a table.
func (c *Config) sourcesOf(t *Table) []string {
	names := t.Sources
	if len(names) == 0 {
		names = c.SourceNames
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return c.Sources[n] == nil })
}

// pathSegments splits a path of the configuration's notation into keys
// and "[]" (any element: line_items[0] and line_items[] alike); "*" is any
// key. It returns nil for a malformed path.
func pathSegments(p string) []string {
	path, err := platform.ParseJSONPath(p)
	if err != nil {
		return nil
	}
	out := make([]string, len(path))
	for i, st := range path {
		out[i] = st.Key
		if st.Key == "" {
			out[i] = "[]"
		}
	}
	return out
}

// overlaps reports whether one path lies under the other (or is it): a
// column that reads below a PII path reads personal data, and one that
// reads above it reads a value that holds it.
func overlaps(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] && a[i] != "*" && b[i] != "*" {
			return false
		}
	}
	return true
}
