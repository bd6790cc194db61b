package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
)

// A dry run reads everything and runs the pipelines, and neither calls
// the Sheets API nor leaves a resume file.
func TestDryRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 100, Broken: []int{9}})
	res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path, "-dry-run")...)
	if exitCode(res.err) != 1 {
		t.Errorf("dry run with a broken record = %v, want errFailed", res.err)
	}
	want, _ := expected(t, path)
	c := summaryCounts(res.stdout)
	if c["read"] != 100 || c["would write"] != len(want) || c["failed"] != 1 || c["would write"]+c["update only"]+c["filtered"] != 99 {
		t.Errorf("dry run summary %v, want 100 read, %d to write, 1 failed\n%s", c, len(want), res.stdout)
	}
	if st := f.emu.Stats(); st.Reads+st.Writes != 0 {
		t.Errorf("dry run made %d reads and %d writes, want none", st.Reads, st.Writes)
	}
	if _, err := os.Stat(path + resumeSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run left a resume file: %v", err)
	}
}

// A resume file is refused for another spreadsheet, source or format,
// and for an export that changed since; the message says what to do.
func TestResumeFileChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 200})
	stop, ctrlC := interrupt()
	res := f.run(context.Background(), deps{stop: stop, afterRecord: func(done int) {
		if done >= 100 {
			ctrlC()
		}
	}}, f.args(export.ShopifyCSV, path, "-concurrency", "10")...)
	if !errors.Is(res.err, errStopped) {
		t.Fatalf("interrupted run: %v", res.err)
	}
	st, err := loadState(path + resumeSuffix)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := export.ParseToken(st.Token)

	other := f.args(export.ShopifyCSV, path)
	other[slices.Index(other, "-spreadsheet")+1] = "another-spreadsheet"
	if res := f.run(context.Background(), deps{}, other...); res.err == nil || !strings.Contains(res.err.Error(), "remove it to start from the beginning") {
		t.Errorf("resume into another spreadsheet: %v, want a refusal", res.err)
	}

	// The export is cut short before the saved position.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data[:tok.Offset/2], 0o600); err != nil {
		t.Fatal(err)
	}
	res = f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path)...)
	if !errors.Is(res.err, export.ErrResume) || !strings.Contains(res.err.Error(), "remove "+path+resumeSuffix) {
		t.Errorf("resume of a changed export: %v, want ErrResume saying which file to remove", res.err)
	}
}

func TestArguments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	shopify, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 3})
	woo, _ := f.export(exporttest.Spec{Format: export.WooCommerceCSV, Records: 3})
	without := func(args []string, flag string) []string {
		i := slices.Index(args, flag)
		return slices.Delete(slices.Clone(args), i, i+2)
	}
	with := func(args []string, flag, v string) []string {
		args = slices.Clone(args)
		args[slices.Index(args, flag)+1] = v
		return args
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no store", without(f.args(export.ShopifyCSV, shopify), "-store"), "-store is required"},
		{"unknown source", with(f.args(export.ShopifyCSV, shopify), "-source", "magento"), `-source "magento": not a source`},
		{"export of another platform", with(f.args(export.WooCommerceCSV, woo), "-source", "shopify"), "reads woocommerce exports"},
		{"not this format", f.args(export.WooCommerceCSV, shopify), "header"},
		{"unknown format", with(f.args(export.ShopifyCSV, shopify), "-format", "magento-csv"), "unknown or misconfigured export format"},
		{"no file", f.args(export.ShopifyCSV, shopify)[:len(f.args(export.ShopifyCSV, shopify))-1], "want one export file"},
		{"missing file", f.args(export.ShopifyCSV, shopify+".missing"), "no such file"},
		{"no spreadsheet", without(f.args(export.ShopifyCSV, shopify), "-spreadsheet"), "no spreadsheet"},
		{"no pseudonym key", with(f.args(export.ShopifyCSV, shopify), "-secrets", "env"), "privacy.pseudonym_key"},
		{"secrets nowhere", with(f.args(export.ShopifyCSV, shopify), "-secrets", "vault"), "-secrets"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := f.run(context.Background(), deps{}, tt.args...)
			if res.err == nil || exitCode(res.err) != 2 || !strings.Contains(res.err.Error(), tt.want) {
				t.Errorf("run(%q) = %v (exit %d), want an error containing %q", tt.args, res.err, exitCode(res.err), tt.want)
			}
		})
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	s := snapshot{
		shown:  counts{Read: 4210, Written: 4100, Filtered: 109, Failed: 1},
		run:    counts{Read: 4210},
		offset: 42 << 20, start: 0,
	}
	for _, tt := range []struct {
		bar, dry bool
		want     string
	}{
		{true, false, " 42% [==========              ] 4,210 records, 421/s, 14s left | written 4,100, unchanged 0, stale 0, filtered 109, ignored 0, failed 1"},
		{false, false, "progress: 42%, 4,210 records, 421/s, 14s left | written 4,100, unchanged 0, stale 0, filtered 109, ignored 0, failed 1"},
		{false, true, "progress: 42%, 4,210 records, 421/s, 14s left | would write 4,100, update only 0, filtered 109, ignored 0, failed 1"},
	} {
		if got := progressLine(s, 100<<20, 10*time.Second, tt.bar, tt.dry); got != tt.want {
			t.Errorf("progressLine(bar %v, dry %v) =\n%q, want\n%q", tt.bar, tt.dry, got, tt.want)
		}
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands(1234567) = %q", got)
	}
}

// A resume file that cannot be written fails the run before anything is
// written, rather than leaving it unable to resume.
func TestResumeFileMustBeWritable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path, _ := f.export(exporttest.Spec{Format: export.ShopifyCSV, Records: 10})
	res := f.run(context.Background(), deps{}, f.args(export.ShopifyCSV, path, "-resume", filepath.Join(f.dir, "missing", "state"))...)
	if res.err == nil || !strings.Contains(res.err.Error(), "-resume") {
		t.Errorf("run with a resume file in a missing folder = %v, want an error naming -resume", res.err)
	}
	if st := f.emu.Stats(); st.Writes != 0 {
		t.Errorf("%d write requests before the failure, want 0", st.Writes)
	}
}
