package webhookfn

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// These tests cover the edge of the function: which paths it routes, and
// how long a client may take to send its body. Deadlines are short; the
// bounds the tests wait for are generous, and no test asserts a speed.

// A source is reached by exactly one path, "/" and its name: the variants
// that decode, clean or fold to it are other paths, answered 404.
func TestOnlyTheCanonicalPathRoutes(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, nil)
	tests := []struct {
		target string
		status int
	}{
		{"/woo", 200},
		{"/woo?x=1", 200},
		{"/woo/", 404},
		{"/woo%2f", 404},
		{"/woo%2F", 404},
		{"/%2fwoo", 404},
		{"/%2Fwoo", 404},
		{"//woo", 404},
		{"/woo//", 404},
		{"/./woo", 404},
		{"/woo/.", 404},
		{"/WOO", 404},
		{"/Woo", 404},
		{"/%77oo", 404},
		{"/woo%00", 404},
		{"/woo/extra", 404},
		{"/", 404},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			// A WooCommerce ping: 200 where the path names the source.
			r := httptest.NewRequest(http.MethodPost, tt.target, strings.NewReader("webhook_id=12"))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var a answer
			_ = json.Unmarshal(w.Body.Bytes(), &a)
			want := ""
			if tt.status == http.StatusNotFound {
				want = "unknown source"
			}
			if w.Code != tt.status || a.Error != want {
				t.Errorf("POST %s = %d %q, want %d %q", tt.target, w.Code, a.Error, tt.status, want)
			}
		})
	}
}
