package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// step is one step of a raw JSON path: a key, an index, or every element.
type step struct {
	key   string
	index int // -1: not an index step; -2: every element
}

// parsePath reads a raw path such as "line_items[0].sku",
// "note_attributes[].value" or "shipping_lines[0].title".
func parsePath(s string) ([]step, error) {
	if s == "" {
		return nil, errors.New("empty path")
	}
	var out []step
	for _, part := range strings.Split(s, ".") {
		name, rest, bracket := strings.Cut(part, "[")
		if name == "" && !bracket || strings.Contains(name, "]") {
			return nil, errors.New("bad step in path " + strconv.Quote(s))
		}
		if bracket && rest == "" {
			return nil, errors.New("unclosed [ in path " + strconv.Quote(s))
		}
		if name != "" {
			out = append(out, step{key: name, index: -1})
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, errors.New("unclosed [ in path " + strconv.Quote(s))
			}
			switch n, err := strconv.Atoi(idx); {
			case idx == "":
				out = append(out, step{index: -2})
			case err != nil || n < 0:
				return nil, errors.New("bad index in path " + strconv.Quote(s))
			default:
				out = append(out, step{index: n})
			}
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, errors.New("want . or [ after ] in path " + strconv.Quote(s))
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out, nil
}

// rawDoc is the payload parsed once, on first use, for every raw column of
// every table.
type rawDoc struct {
	once sync.Once
	v    any
}

func (in *Input) rawValue(path []step) (any, bool) {
	if in.raw == nil {
		in.raw = &rawDoc{}
	}
	in.raw.once.Do(func() {
		dec := json.NewDecoder(bytes.NewReader(in.Event.Body))
		dec.UseNumber()
		if dec.Decode(&in.raw.v) != nil {
			in.raw.v = nil
		}
	})
	vals := walk(in.raw.v, path)
	var parts []string
	for _, v := range vals {
		if s, ok := scalar(v); ok && s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return nil, false
	}
	return strings.Join(parts, ", "), true
}

func walk(v any, path []step) []any {
	if len(path) == 0 {
		return []any{v}
	}
	s := path[0]
	switch {
	case s.index == -1:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		child, ok := m[s.key]
		if !ok {
			return nil
		}
		return walk(child, path[1:])
	case s.index == -2:
		a, _ := v.([]any)
		var out []any
		for _, e := range a {
			out = append(out, walk(e, path[1:])...)
		}
		return out
	default:
		a, ok := v.([]any)
		if !ok || s.index >= len(a) {
			return nil
		}
		return walk(a[s.index], path[1:])
	}
}

// scalar renders a JSON scalar exactly; objects and arrays are not cell
// values.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
