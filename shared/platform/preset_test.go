package platform

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// unmarshal keeps numbers exact whichever way it decodes, and reports
// malformed documents as ErrMalformed.
func TestUnmarshal(t *testing.T) {
	t.Parallel()
	var named struct {
		ID    json.Number `json:"id"`
		Total json.Number `json:"total"`
	}
	if err := unmarshal([]byte(`{"id": 820982911946154508, "total": "12.50"}`), &named); err != nil || named.ID != "820982911946154508" || named.Total != "12.50" {
		t.Errorf("unmarshal(struct) = %+v, %v, want the id exact", named, err)
	}
	var tree map[string]any
	if err := unmarshal([]byte(`{"id": 820982911946154508}`), &tree); err != nil || tree["id"] != json.Number("820982911946154508") {
		t.Errorf("unmarshal(map) = %v, %v, want a json.Number", tree, err)
	}
	for _, bad := range []string{``, `{`, `{"id": 1} {"id": 2}`, `[1]`} {
		if err := unmarshal([]byte(bad), &named); !errors.Is(err, ErrMalformed) {
			t.Errorf("unmarshal(%q) = %v, want ErrMalformed", bad, err)
		}
		if err := unmarshal([]byte(bad), &tree); !errors.Is(err, ErrMalformed) {
			t.Errorf("unmarshal(%q) into a map = %v, want ErrMalformed", bad, err)
		}
	}
	if !holdsInterface(reflectTypeOf(&tree)) || holdsInterface(reflectTypeOf(&named)) {
		t.Errorf("holdsInterface: map[string]any and a struct of json.Number misclassified")
	}
}

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
