package platform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The steps of a path, as packages pipeline and config read them.
func TestParseJSONPathSteps(t *testing.T) {
	t.Parallel()
	good := map[string]JSONPath{
		"note":                {{Key: "note", Index: -1}},
		"line_items[0].sku":   {{Key: "line_items", Index: -1}, {Index: 0}, {Key: "sku", Index: -1}},
		"a[].b":               {{Key: "a", Index: -1}, {Index: -1, All: true}, {Key: "b", Index: -1}},
		"matrix[1][2]":        {{Key: "matrix", Index: -1}, {Index: 1}, {Index: 2}},
		"billing_address.zip": {{Key: "billing_address", Index: -1}, {Key: "zip", Index: -1}},
		"billing_address.*":   {{Key: "billing_address", Index: -1}, {Key: "*", Index: -1}},
	}
	for in, want := range good {
		got, err := ParseJSONPath(in)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("ParseJSONPath(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":       "empty path",
		"a..b":   `a step without a key in path "a..b"`,
		".a":     `a step without a key in path ".a"`,
		"[0].id": `a step without a key in path "[0].id"`,
		"a.[0]":  `a step without a key in path "a.[0]"`,
		"a[":     `unclosed [ in path "a["`,
		"a[-1]":  `bad index in path "a[-1]"`,
		"a[+1]":  `bad index in path "a[+1]"`,
		"a[x]":   `bad index in path "a[x]"`,
		"a]b":    `] without [ in path "a]b"`,
		"a[0]b":  `want . or [ after ] in path "a[0]b"`,
	}
	for in, want := range bad {
		if _, err := ParseJSONPath(in); err == nil || err.Error() != want {
			t.Errorf("ParseJSONPath(%q) = %v, want error %q", in, err, want)
		}
	}
}

// FuzzParseJSONPath checks that the parser never panics and that what it
// accepts is well formed: keys without . [ ], element steps after a key.
func FuzzParseJSONPath(f *testing.F) {
	for _, s := range []string{"a.b[0].c", "a[][]", "a[", "]", "a..b", "x-y.*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseJSONPath(s)
		if err != nil {
			return
		}
		if len(p) == 0 || p[0].Key == "" {
			t.Fatalf("ParseJSONPath(%q) = %v, want a key first", s, p)
		}
		for _, st := range p {
			switch {
			case st.Key != "" && (strings.ContainsAny(st.Key, ".[]") || st.Index != -1 || st.All):
				t.Fatalf("ParseJSONPath(%q) has a bad key step %+v", s, st)
			case st.Key == "" && st.All == (st.Index >= 0):
				t.Fatalf("ParseJSONPath(%q) has a bad element step %+v", s, st)
			}
		}
	})
}
