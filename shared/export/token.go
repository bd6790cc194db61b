package export

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Token marks where the next record of a file starts, so that a backfill
// interrupted after some records resumes without reading them again: save
// Record.Resume (or Reader.Token) once the record is written, and give it to
// Open as Options.Resume.
//
// The file must not change between the runs: a token is a byte offset. To
// refuse another file, or one that changed, a token also keeps a checksum
// of the file's first row (the CSV header, the first jsonl line) and of the
// record just before the offset; Open checks both and fails with ErrResume.
// A re-export with new orders is another file: start it from the beginning
// (upserts make that safe, only slower).
//
// The checksums are 64-bit FNV-1a hashes, not content; a token is safe to
// log and store.
type Token struct {
	// Offset is the byte offset where the next record starts.
	Offset int64
	// Line is the line where the next record starts.
	Line int
	// Records counts the records (read or not) before the token.
	Records int
	// prev and prevLine are where the record before Offset starts.
	prev     int64
	prevLine int
	// head and sum are the checksums of the file's first row and of the
	// rows of that record.
	head, sum uint64
}

// IsZero reports whether t is the zero Token, the start of any file.
func (t Token) IsZero() bool { return t == Token{} }

const tokenPrefix = "v1"

// String encodes the token for storage, e.g. in a resume file.
func (t Token) String() string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d:%d:%d:%d:%016x:%016x", tokenPrefix, t.Offset, t.Line, t.Records, t.prev, t.prevLine, t.head, t.sum)
}

var errToken = errors.New("not a resume token")

// ParseToken decodes a token from its String form; "" is the zero Token.
func ParseToken(s string) (Token, error) {
	if s == "" {
		return Token{}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 8 || parts[0] != tokenPrefix {
		return Token{}, errToken
	}
	var n [5]int64
	for i, p := range parts[1:6] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 {
			return Token{}, errToken
		}
		n[i] = v
	}
	t := Token{Offset: n[0], Line: int(n[1]), Records: int(n[2]), prev: n[3], prevLine: int(n[4])}
	var err error
	if t.head, err = strconv.ParseUint(parts[6], 16, 64); err != nil {
		return Token{}, errToken
	}
	if t.sum, err = strconv.ParseUint(parts[7], 16, 64); err != nil {
		return Token{}, errToken
	}
	if t.prev >= t.Offset || t.prevLine < 1 || t.Line <= t.prevLine {
		return Token{}, errToken
	}
	return t, nil
}

// MarshalText encodes the token as String does.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText decodes a token as ParseToken does.
func (t *Token) UnmarshalText(b []byte) error {
	v, err := ParseToken(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// checksum hashes the fields of one row, with separators that keep
// ("ab","c") and ("a","bc") apart.
func checksum(fields []string) uint64 {
	h := fnv.New64a()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return h.Sum64()
}

// fold combines the checksums of the rows of one record.
func fold(acc, sum uint64) uint64 { return (acc ^ sum) * 1099511628211 }

// checksumBytes hashes one raw line.
func checksumBytes(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
