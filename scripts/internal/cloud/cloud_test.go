package cloud

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRegister(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "env-project")
	for _, tt := range []struct {
		name     string
		register func(*Flags, *flag.FlagSet)
		args     []string
		want     Flags
		names    []string
	}{
		{
			name:     "Register defaults",
			register: (*Flags).Register,
			want:     Flags{Config: "functions/webhook/safeview.yaml", Project: "env-project"},
			names:    []string{"config", "entra-client-id", "entra-tenant-id", "graph-endpoint", "project", "secrets", "service-account", "sheets-endpoint", "spreadsheet"},
		},
		{
			name:     "Register",
			register: (*Flags).Register,
			args: []string{"-config", "c.yaml", "-spreadsheet", "s", "-project", "p", "-secrets", "env", "-sheets-endpoint", "http://e",
				"-graph-endpoint", "https://127.0.0.1:1/v1.0", "-service-account", "fn@p.iam.gserviceaccount.com", "-entra-tenant-id", "tn", "-entra-client-id", "cl"},
			want: Flags{Config: "c.yaml", Spreadsheet: "s", Project: "p", Secrets: "env", SheetsEndpoint: "http://e",
				GraphFlags: GraphFlags{GraphEndpoint: "https://127.0.0.1:1/v1.0", ServiceAccount: "fn@p.iam.gserviceaccount.com", Tenant: "tn", Client: "cl"}},
			names: []string{"config", "entra-client-id", "entra-tenant-id", "graph-endpoint", "project", "secrets", "service-account", "sheets-endpoint", "spreadsheet"},
		},
		{
			name:     "RegisterSheet",
			register: (*Flags).RegisterSheet,
			args:     []string{"-spreadsheet", "s"},
			want:     Flags{Config: "functions/webhook/safeview.yaml", Spreadsheet: "s", Project: "env-project"},
			names:    []string{"config", "project", "spreadsheet"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var f Flags
			tt.register(&f, fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, f); diff != "" {
				t.Errorf("Flags after Parse(%q) mismatch (-want +got):\n%s", tt.args, diff)
			}
			var names []string
			fs.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
			if !slices.Equal(names, tt.names) {
				t.Errorf("flags defined = %q, want %q", names, tt.names)
			}
		})
	}
}

func TestSecretsSpec(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f    Flags
		want string
	}{
		{Flags{}, "env"},
		{Flags{Project: "p"}, "secretmanager"},
		{Flags{Project: "p", Secrets: "file:key"}, "file:key"},
		{Flags{Secrets: "env"}, "env"},
	} {
		if got := tt.f.SecretsSpec(); got != tt.want {
			t.Errorf("%+v.SecretsSpec() = %q, want %q", tt.f, got, tt.want)
		}
	}
}
