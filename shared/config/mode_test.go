package config

import (
	"strings"
	"testing"
)

// mode is direct unless the file says queued; anything else is refused
// with its line and path.
func TestMode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		prefix  string
		want    string
		queued  bool
		wantErr string
	}{
		{"", ModeDirect, false, ""},
		{"mode: direct\n", ModeDirect, false, ""},
		{"mode: queued\n", ModeQueued, true, ""},
		{"mode: Queued\n", "", false, `safeview.yaml:1: mode: want direct or queued, not "Queued"`},
		{"mode: [queued]\n", "", false, "safeview.yaml:1: mode: want a single value"},
	} {
		c, err := Parse("safeview.yaml", []byte(tt.prefix+valid))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.prefix, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.prefix, err)
		}
		if c.Mode != tt.want || c.Queued() != tt.queued {
			t.Errorf("Parse(%q) = mode %q, queued %v, want %q, %v", tt.prefix, c.Mode, c.Queued(), tt.want, tt.queued)
		}
	}
}
