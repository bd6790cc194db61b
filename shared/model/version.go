package model

import (
	"strconv"
	"strings"
)

// The hidden version cell every destination keeps beside a row:
// "SOURCE:VERSION", then " erased" once an erasure cleared the row
// ("shopify:1712345678000000 erased"). A row written before rows named
// their source holds its version alone.
const (
	// SourceSep ends the source in a version cell: source names hold
	// none (Row.Check).
	SourceSep = ":"
	// ErasedMark ends the cell of a row an erasure cleared.
	ErasedMark = " erased"
)

// VersionCell is the version cell of a row.
func VersionCell(source string, version int64, erased bool) string {
	s := strconv.FormatInt(version, 10)
	if source != "" {
		s = source + SourceSep + s
	}
	if erased {
		s += ErasedMark
	}
	return s
}

// ParseVersionCell reads a version cell: the row's source ("" when it
// names none), its version (0 when unreadable, so that any delivery
// replaces it) and whether an erasure cleared it.
func ParseVersionCell(s string) (source string, version int64, erased bool) {
	s, erased = strings.CutSuffix(s, ErasedMark)
	if src, v, ok := strings.Cut(s, SourceSep); ok {
		source, s = src, v
	}
	version, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		version = 0
	}
	return source, version, erased
}
