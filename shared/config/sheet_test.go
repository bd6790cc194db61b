package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSheetBlock(t *testing.T) {
	t.Parallel()
	c, err := Parse("safeview.yaml", []byte(valid+`sheet:
  write_requests_per_minute: 50
  read_requests_per_minute: 40
  batch_window: 20ms
  max_rows_per_flush: 100
  request_timeout: 1500ms
  project_write_requests_per_minute: 200
  project_read_requests_per_minute: 250
`))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	want := Sheet{WriteRequestsPerMinute: 50, ReadRequestsPerMinute: 40, BatchWindow: Duration(20 * time.Millisecond),
		MaxRowsPerFlush: 100, RequestTimeout: Duration(1500 * time.Millisecond),
		ProjectWriteRequestsPerMinute: 200, ProjectReadRequestsPerMinute: 250}
	if diff := cmp.Diff(want, c.Sheet); diff != "" {
		t.Errorf("Sheet mismatch (-want +got):\n%s", diff)
	}
	c, err = Parse("safeview.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sheet != (Sheet{}) {
		t.Errorf("Sheet = %+v without a sheet block, want zero (the sink's defaults)", c.Sheet)
	}
}

func TestSheetBlockErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, block string
		want        []string
	}{
		{"unknown key", "sheet: {writes_per_minute: 10}\n", []string{`safeview.yaml:23: sheet: unknown key "writes_per_minute"`}},
		{"negative rate", "sheet: {write_requests_per_minute: -1}\n", []string{"safeview.yaml:23: sheet.write_requests_per_minute: want between 1 and 3000"}},
		{"rate too high", "sheet: {read_requests_per_minute: 5000}\n", []string{"sheet.read_requests_per_minute: want between 1 and 3000"}},
		{"project rate too high", "sheet: {project_write_requests_per_minute: 5000}\n", []string{"sheet.project_write_requests_per_minute: want between 1 and 3000 (Google's default quota is 300 per minute per project)"}},
		{"not a number", "sheet: {write_requests_per_minute: fast}\n", []string{"sheet.write_requests_per_minute: want a whole number"}},
		{"long window", "sheet: {batch_window: 2s}\n", []string{"sheet.batch_window: at most 1s"}},
		{"bad window", "sheet: {batch_window: soon}\n", []string{"sheet.batch_window: want a duration"}},
		{"rows", "sheet: {max_rows_per_flush: 20000}\n", []string{"sheet.max_rows_per_flush: want between 1 and 10000"}},
		{"timeout past deadline", "sheet: {request_timeout: 5s}\n", []string{"sheet.request_timeout: want between 100ms and limits.deadline (4s)"}},
		{"tiny timeout", "sheet: {request_timeout: 1ms}\n", []string{"sheet.request_timeout: want between 100ms"}},
		{"filtered forgotten too soon", "sheet: {remember_filtered: 10m}\n", []string{"sheet.remember_filtered: want between 1h and 720h"}},
		{"filtered remembered too long", "sheet: {remember_filtered: 1000h}\n", []string{"sheet.remember_filtered: want between 1h and 720h"}},
		{"two mistakes", "sheet: {write_requests_per_minute: -5, max_rows_per_flush: -1}\n", []string{"sheet.write_requests_per_minute", "sheet.max_rows_per_flush"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("safeview.yaml", []byte(valid+tt.block))
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want errors %q", tt.block, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%q) error =\n%v\nwant it to contain %q", tt.block, err, w)
				}
			}
		})
	}
}
