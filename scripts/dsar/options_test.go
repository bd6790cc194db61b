package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/scripts/internal/cloud"
)

func TestParse(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "env-project")
	for _, tt := range []struct {
		args []string
		want options
	}{
		{
			[]string{"access", "-email", "-"},
			options{cloud: cloud.Flags{Config: "functions/webhook/safeview.yaml", Project: "env-project"}, cmd: "access", email: "-"},
		},
		{
			[]string{"erase", "-customer-id", "7", "-platform", "shopify", "-dry-run", "-config", "c.yaml", "-spreadsheet", "s",
				"-project", "p", "-secrets", "file:k", "-sheets-endpoint", "http://emu"},
			options{cloud: cloud.Flags{Config: "c.yaml", Spreadsheet: "s", Project: "p", Secrets: "file:k", SheetsEndpoint: "http://emu"},
				cmd: "erase", customerID: "7", platform: "shopify", dryRun: true},
		},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := parse(tt.args, io.Discard)
			if err != nil {
				t.Fatalf("parse(%q) error = %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("parse(%q) mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// work answers a request given as options, with no flag parsed.
func TestWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := options{
		cloud: cloud.Flags{Config: e.config, Spreadsheet: e.id, Secrets: "file:" + e.secret, SheetsEndpoint: e.emu.URL()},
		cmd:   "erase", email: email, dryRun: true,
	}
	var out bytes.Buffer
	if err := work(t.Context(), o, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatalf("work(erase, dry run) error = %v", err)
	}
	if want := "dry run: would clear 2 rows (Orders 1, Bookings 1) of 2 found; nothing was changed\n" +
		"destination lyon: dry run: would clear 1 rows (Bookings 1) of 1 found; nothing was changed\n"; out.String() != want {
		t.Errorf("work(erase, dry run) printed %q, want %q", out.String(), want)
	}
}
