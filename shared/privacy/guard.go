package privacy

// Neutralize makes a text safe for whoever opens the sheet or its CSV
// export: a value starting with = + - @, a tab or a carriage return would
// be read as a formula by a spreadsheet program, so it gets a leading
// apostrophe. Values are also written RAW, so the sheet itself never
// evaluates them; this protects the export.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
