package pipeline

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/safeview/safeview/shared/platform"
)

// rawValue reads a raw path from the payload. The payload is not decoded
// into a tree: the path is followed through the JSON text and everything
// else is skipped unread, so a column costs one pass over the bytes it
// needs and allocates only its values. Numbers are kept as written (ids
// above 2^53 stay exact); objects and arrays are not cell values; several
// values (line_items[].sku) are joined with ", ".
func (in *Input) rawValue(path platform.JSONPath) (any, bool) {
	var parts []string
	walkRaw(in.Event.Body, skipSpace(in.Event.Body, 0), path, func(v string) {
		if v != "" {
			parts = append(parts, v)
		}
	})
	switch len(parts) {
	case 0:
		return nil, false
	case 1:
		return parts[0], true
	}
	return strings.Join(parts, ", "), true
}

// walkRaw follows path from the JSON value at d[i:], calls visit with each
// scalar it leads to, and returns the offset after the value. Malformed
// JSON ends the walk; it never panics.
func walkRaw(d []byte, i int, path platform.JSONPath, visit func(string)) int {
	if i >= len(d) {
		return len(d)
	}
	if len(path) == 0 {
		end := skipValue(d, i)
		if s, ok := rawScalar(d[i:end]); ok {
			visit(s)
		}
		return end
	}
	s := path[0]
	switch {
	case s.Key != "" && d[i] == '{':
		i = skipSpace(d, i+1)
		for i < len(d) && d[i] != '}' {
			keyEnd := skipString(d, i)
			key := d[i:keyEnd]
			i = skipSpace(d, keyEnd)
			if i >= len(d) || d[i] != ':' {
				return len(d)
			}
			i = skipSpace(d, i+1)
			if keyIs(key, s.Key) {
				i = walkRaw(d, i, path[1:], visit)
			} else {
				i = skipValue(d, i)
			}
			if i = afterMember(d, i); i < 0 {
				return len(d)
			}
		}
		return min(i+1, len(d))
	case s.Key == "" && d[i] == '[':
		i = skipSpace(d, i+1)
		for n := 0; i < len(d) && d[i] != ']'; n++ {
			at := i
			if s.All || s.Index == n {
				i = walkRaw(d, i, path[1:], visit)
			} else {
				i = skipValue(d, i)
			}
			if i == at {
				return len(d) // no value where one should be
			}
			if i = afterMember(d, i); i < 0 {
				return len(d)
			}
		}
		return min(i+1, len(d))
	}
	return skipValue(d, i)
}

// keyIs compares a quoted JSON key with a path step's key.
func keyIs(quoted []byte, key string) bool {
	if len(quoted) < 2 {
		return false
	}
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == key
	}
	var k string
	return json.Unmarshal(quoted, &k) == nil && k == key
}

// rawScalar renders a JSON scalar exactly: strings unquoted, numbers as
// written, booleans as true or false; null and containers are no value.
func rawScalar(v []byte) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		if len(v) >= 2 && bytes.IndexByte(v, '\\') < 0 {
			return string(v[1 : len(v)-1]), true
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case '{', '[', 'n':
		return "", false
	}
	return string(v), true
}

// afterMember moves past the comma after a member or an element; -1 when what
// follows is neither a comma nor the end of the object or array.
func afterMember(d []byte, i int) int {
	i = skipSpace(d, i)
	switch {
	case i >= len(d):
		return -1
	case d[i] == ',':
		return skipSpace(d, i+1)
	case d[i] == '}' || d[i] == ']':
		return i
	}
	return -1
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the offset after the string that starts at d[i].
func skipString(d []byte, i int) int {
	if i >= len(d) || d[i] != '"' {
		return len(d)
	}
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(d)
}

// skipValue returns the offset after the value that starts at d[i].
func skipValue(d []byte, i int) int {
	if i >= len(d) {
		return len(d)
	}
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		depth := 0
		for ; i < len(d); i++ {
			switch d[i] {
			case '"':
				i = skipString(d, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(d)
	}
	for ; i < len(d); i++ {
		switch d[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
