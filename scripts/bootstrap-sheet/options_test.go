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
	args := []string{"-config", "c.yaml", "-spreadsheet", "s", "-share", account, "-dry-run"}
	got, err := parse(args, io.Discard)
	if err != nil {
		t.Fatalf("parse(%q) error = %v", args, err)
	}
	want := options{cloud: cloud.Flags{Config: "c.yaml", Spreadsheet: "s", Project: "env-project"}, share: account, dryRun: true, dest: destinationFlags{names: "all"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(options{}, destinationFlags{})); diff != "" {
		t.Errorf("parse(%q) mismatch (-want +got):\n%s", args, diff)
	}
}

// work prints the plan of options given directly, with no flag parsed.
func TestWorkDryRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	o := options{cloud: cloud.Flags{Config: exampleConfig, Spreadsheet: "x"}, share: account, dryRun: true}
	if err := work(t.Context(), o, &out, clients{}); err != nil {
		t.Fatalf("work(dry run) error = %v", err)
	}
	if got := out.String(); !strings.Contains(got, `tab "Orders": header `) || !strings.HasSuffix(got, "share with "+account+" as an Editor\ndry run: the configuration is valid; nothing was changed\n") {
		t.Errorf("work(dry run) printed:\n%s\nwant the Orders tab, the share and the dry run's last line", got)
	}
}
