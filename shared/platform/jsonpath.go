package platform

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// JSONPath addresses values in a JSON document, in the notation of the
// configuration: keys joined by dots, [n] for an element, [] for every
// element ("data.booking.id", "line_items[0].name", "items[].qty"). It is
// the one reading of that notation: the generic presets' fields, the raw
// paths of table columns (package pipeline) and the lint of raw paths
// (package config) all parse with ParseJSONPath.
type JSONPath []PathStep

// PathStep is one step of a JSONPath: a key of an object, or an element
// of an array, Index (from 0) or every one (All).
type PathStep struct {
	Key   string // "" for an element step
	Index int    // -1 for a key step or every element
	All   bool
}

// PathError is a path that ParseJSONPath refuses. The path comes from the
// configuration, never from a payload, so messages may quote it.
type PathError struct {
	Path   string
	Reason string // e.g. "unclosed ["
}

func (e *PathError) Error() string {
	if e.Path == "" {
		return "empty path"
	}
	return e.Reason + " in path " + strconv.Quote(e.Path)
}

// ParseJSONPath reads a path; keys may hold any character but . [ and ],
// and every step starts with a key ("[0].id" is refused). Errors are
// *PathError.
func ParseJSONPath(s string) (JSONPath, error) {
	bad := func(reason string) (JSONPath, error) { return nil, &PathError{Path: s, Reason: reason} }
	if s == "" {
		return bad("empty path")
	}
	var p JSONPath
	for i := 0; ; {
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != ']' {
			j++
		}
		if j == i {
			return bad("a step without a key")
		}
		p = append(p, PathStep{Key: s[i:j], Index: -1})
		for j < len(s) && s[j] == '[' {
			end := strings.IndexByte(s[j:], ']')
			if end < 0 {
				return bad("unclosed [")
			}
			inner := s[j+1 : j+end]
			switch n, err := strconv.Atoi(inner); {
			case inner == "":
				p = append(p, PathStep{Index: -1, All: true})
			case err != nil || n < 0 || inner[0] == '+':
				return bad("bad index")
			default:
				p = append(p, PathStep{Index: n})
			}
			j += end + 1
		}
		switch {
		case j == len(s):
			return p, nil
		case s[j] == ']':
			return bad("] without [")
		case s[j] != '.':
			return bad("want . or [ after ]")
		}
		i = j + 1
	}
}

// eval returns the values the path reaches in v, a document decoded with
// numbers kept as json.Number.
func (p JSONPath) eval(v any) []any {
	out := []any{v}
	for _, st := range p {
		var next []any
		for _, cur := range out {
			switch {
			case st.Key != "":
				if m, ok := cur.(map[string]any); ok {
					if c, ok := m[st.Key]; ok {
						next = append(next, c)
					}
				}
			case st.All:
				a, _ := cur.([]any)
				next = append(next, a...)
			default:
				if a, ok := cur.([]any); ok && st.Index < len(a) {
					next = append(next, a[st.Index])
				}
			}
		}
		out = next
	}
	return out
}

// decodeDocument decodes a JSON document keeping numbers exact.
func decodeDocument(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ErrMalformed
	}
	if dec.More() {
		return nil, ErrMalformed
	}
	return v, nil
}
