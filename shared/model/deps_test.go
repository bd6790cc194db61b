package model_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The pure core depends on no Google, Microsoft or network client: the
// row model, the configuration and the pipeline run without them, and
// every destination adapts to them rather than the other way round. The
// row model depends on the standard library alone, and not on net/http.
func TestCoreImportsNoClient(t *testing.T) {
	t.Parallel()
	clients := []string{"google.golang.org/api", "cloud.google.com/", "google.golang.org/grpc", "github.com/Azure/",
		"github.com/microsoft", "github.com/safeview/safeview/shared/gsheets"}
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"../model", append(clients, "net/", ".")}, // "." : any module's package
		{"../config", clients},
		{"../pipeline", clients},
	}
	for _, tt := range tests {
		out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tt.pkg, err)
		}
		deps := strings.Fields(string(out))
		for _, d := range deps {
			for _, f := range tt.forbidden {
				bad := strings.HasPrefix(d, f)
				if f == "." {
					// A package of a module (its path has a dot), but the
					// row model itself.
					bad = strings.Contains(strings.SplitN(d, "/", 2)[0], ".") && d != "github.com/safeview/safeview/shared/model"
				}
				if bad {
					t.Errorf("%s depends on %s", tt.pkg, d)
				}
			}
		}
		t.Logf("go list -deps %s: %d packages", tt.pkg, len(deps))
	}
}
