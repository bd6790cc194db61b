package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// A jsonPath addresses values in a JSON document, in the notation of the
// configuration: keys joined by dots, [n] for an element, [] for every
// element ("data.booking.id", "line_items[0].name", "items[].qty").
type jsonPath []pathStep

// pathStep is a key, an index (index >= 0) or every element (all).
type pathStep struct {
	key   string
	index int
	all   bool
}

var errPath = errors.New("want keys joined by dots, with [n] or [] after a key")

// parseJSONPath reads a path; keys may hold any character but . [ ].
func parseJSONPath(s string) (jsonPath, error) {
	var p jsonPath
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != ']' {
			j++
		}
		if j == i {
			return nil, errPath
		}
		p = append(p, pathStep{key: s[i:j], index: -1})
		for j < len(s) && s[j] == '[' {
			end := strings.IndexByte(s[j:], ']')
			if end < 0 {
				return nil, errPath
			}
			inner := s[j+1 : j+end]
			switch n, err := strconv.Atoi(inner); {
			case inner == "":
				p = append(p, pathStep{index: -1, all: true})
			case err != nil || n < 0 || inner[0] == '+':
				return nil, errPath
			default:
				p = append(p, pathStep{index: n})
			}
			j += end + 1
		}
		switch {
		case j == len(s):
			return p, nil
		case s[j] != '.' || j+1 == len(s):
			return nil, errPath
		}
		i = j + 1
	}
	return nil, errPath
}

// eval returns the values the path reaches in v, a document decoded with
// numbers kept as json.Number.
func (p jsonPath) eval(v any) []any {
	out := []any{v}
	for _, st := range p {
		var next []any
		for _, cur := range out {
			switch {
			case st.index < 0 && !st.all:
				if m, ok := cur.(map[string]any); ok {
					if c, ok := m[st.key]; ok {
						next = append(next, c)
					}
				}
			case st.all:
				a, _ := cur.([]any)
				next = append(next, a...)
			default:
				if a, ok := cur.([]any); ok && st.index < len(a) {
					next = append(next, a[st.index])
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
