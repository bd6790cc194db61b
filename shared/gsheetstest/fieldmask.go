package gsheetstest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// maskPaths splits a request field mask such as
// "userEnteredValue,userEnteredFormat.numberFormat" into its paths.
func maskPaths(fields string) ([]string, error) {
	var paths []string
	for _, p := range strings.Split(fields, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, invalidArgument("At least one field must be specified.")
	}
	return paths, nil
}

// validPath reports whether a dotted path names a field of type t, following
// JSON names, or is "*".
func validPath(t reflect.Type, path string) bool {
	if path == "*" {
		return true
	}
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		found := false
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == name {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// mergeMasked copies the fields named by paths from src to dst, two values of
// the same API type, going through their JSON form: a path absent from src
// clears the field in dst, as Google's field masks do.
func mergeMasked(dst, src any, paths []string) error {
	t := reflect.TypeOf(dst).Elem()
	for _, p := range paths {
		if !validPath(t, p) {
			return invalidArgument("Invalid field mask: %q is not a field of %s", p, t.Name())
		}
	}
	d, err := toMap(dst)
	if err != nil {
		return err
	}
	s, err := toMap(src)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if p == "*" {
			d = s
			continue
		}
		setPath(d, strings.Split(p, "."), getPath(s, strings.Split(p, ".")))
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	reflect.ValueOf(dst).Elem().SetZero()
	return json.Unmarshal(b, dst)
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if string(b) != "null" {
		err = json.Unmarshal(b, &m)
	}
	return m, err
}

func getPath(m map[string]any, path []string) any {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	last := path[len(path)-1]
	if v == nil {
		delete(m, last)
	} else {
		m[last] = v
	}
}

// maskNode is a parsed response field selector: nil children select the
// whole value.
type maskNode struct{ children map[string]*maskNode }

// applyFieldMask keeps only the fields that a `fields` system parameter such
// as "sheets(properties(sheetId,title)),spreadsheetId" or
// "sheets.properties.title" selects.
func applyFieldMask(body []byte, fields string) ([]byte, error) {
	root := &maskNode{children: map[string]*maskNode{}}
	p := maskParser{s: fields}
	if err := p.list(root); err != nil || p.i != len(p.s) {
		return nil, fmt.Errorf("Invalid field selection %s", fields)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return json.Marshal(filterJSON(v, root))
}

type maskParser struct {
	s string
	i int
}

func (p *maskParser) list(parent *maskNode) error {
	for {
		if err := p.item(parent); err != nil {
			return err
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return nil
	}
}

func (p *maskParser) item(parent *maskNode) error {
	node := parent
	for {
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(",()/.", rune(p.s[p.i])) {
			p.i++
		}
		name := strings.TrimSpace(p.s[start:p.i])
		if name == "" {
			return fmt.Errorf("empty field name")
		}
		if node.children == nil {
			node.children = map[string]*maskNode{}
		}
		child := node.children[name]
		if child == nil {
			child = &maskNode{}
			node.children[name] = child
		}
		node = child
		if p.i < len(p.s) && (p.s[p.i] == '/' || p.s[p.i] == '.') {
			p.i++
			continue
		}
		break
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		if err := p.list(node); err != nil {
			return err
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return fmt.Errorf("unbalanced parentheses")
		}
		p.i++
	}
	return nil
}

func filterJSON(v any, n *maskNode) any {
	if n == nil || n.children == nil {
		return v
	}
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = filterJSON(e, n)
		}
		return out
	case map[string]any:
		if all := n.children["*"]; all != nil {
			out := map[string]any{}
			for k, e := range v {
				out[k] = filterJSON(e, all)
			}
			return out
		}
		out := map[string]any{}
		for k, child := range n.children {
			if e, ok := v[k]; ok {
				out[k] = filterJSON(e, child)
			}
		}
		return out
	}
	return v
}
