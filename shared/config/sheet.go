package config

import (
	"time"
)

// Sheet tunes how the function talks to the Sheets API. Every field is
// optional: zero means the sink's default (package gsheets documents each
// one and docs/sheet.md explains the arithmetic behind them).
type Sheet struct {
	// WriteRequestsPerMinute paces write requests. Google allows 60 per
	// minute per user (the function's service account) and 300 per
	// project; the default, 55, leaves a margin. Raise it only with a
	// quota increase, and lower it when another program writes as the
	// same service account.
	WriteRequestsPerMinute int `yaml:"write_requests_per_minute"`
	// ReadRequestsPerMinute paces read requests, which Google counts
	// apart from writes, with the same default.
	ReadRequestsPerMinute int `yaml:"read_requests_per_minute"`
	// ProjectWriteRequestsPerMinute and ProjectReadRequestsPerMinute pace
	// every spreadsheet the function writes (the main one and each
	// destination, each as its own service account) all together, under
	// the project's quota of 300 a minute. Default 280 each: with the
	// burst that lets five spreadsheets index at once (15), at most 295
	// in any 60 seconds; or the per-account rate above when that is more
	// (a quota raised for the accounts). A quota raised for the project:
	// set it 15 under.
	ProjectWriteRequestsPerMinute int `yaml:"project_write_requests_per_minute"`
	ProjectReadRequestsPerMinute  int `yaml:"project_read_requests_per_minute"`
	// BatchWindow is how long a flush waits for more rows once it may go.
	// Default 10ms.
	BatchWindow Duration `yaml:"batch_window"`
	// MaxRowsPerFlush caps the rows of one write request. Default 500.
	MaxRowsPerFlush int `yaml:"max_rows_per_flush"`
	// RequestTimeout caps one call to the API, so that a hung call leaves
	// time for a retry within limits.deadline. Default 2s.
	RequestTimeout Duration `yaml:"request_timeout"`
	// RememberFiltered is how long the newest version of an order that
	// the filter kept out is remembered, so that an older version
	// delivered later (a paid order after its refund) does not enter.
	// Default 48h, the longest retry window of the platforms; at most
	// 30 days.
	RememberFiltered Duration `yaml:"remember_filtered"`
}

// Bounds of the sheet block.
const (
	MaxRequestsPerMinute = 3000
	MaxBatchWindow       = time.Second
	MaxRowsPerFlush      = 10000
	MinRequestTimeout    = 100 * time.Millisecond
	MinRememberFiltered  = time.Hour
	MaxRememberFiltered  = 30 * 24 * time.Hour
)

func (c *Config) validateSheet() []error {
	var errs []error
	s := c.Sheet
	for _, r := range []struct {
		path, quota string
		n           int
	}{
		{"sheet.write_requests_per_minute", "60 per minute per user", s.WriteRequestsPerMinute},
		{"sheet.read_requests_per_minute", "60 per minute per user", s.ReadRequestsPerMinute},
		{"sheet.project_write_requests_per_minute", "300 per minute per project", s.ProjectWriteRequestsPerMinute},
		{"sheet.project_read_requests_per_minute", "300 per minute per project", s.ProjectReadRequestsPerMinute},
	} {
		if r.n < 0 || r.n > MaxRequestsPerMinute {
			errs = append(errs, c.Errorf(r.path, "want between 1 and %d (Google's default quota is %s)", MaxRequestsPerMinute, r.quota))
		}
	}
	if d := time.Duration(s.BatchWindow); d > MaxBatchWindow {
		errs = append(errs, c.Errorf("sheet.batch_window", "at most %s: a longer window only delays every row", MaxBatchWindow))
	}
	if s.MaxRowsPerFlush < 0 || s.MaxRowsPerFlush > MaxRowsPerFlush {
		errs = append(errs, c.Errorf("sheet.max_rows_per_flush", "want between 1 and %d", MaxRowsPerFlush))
	}
	if d := time.Duration(s.RequestTimeout); d != 0 && (d < MinRequestTimeout || d > time.Duration(c.Limits.Deadline)) {
		errs = append(errs, c.Errorf("sheet.request_timeout", "want between %s and limits.deadline (%s)", MinRequestTimeout, time.Duration(c.Limits.Deadline)))
	}
	if d := time.Duration(s.RememberFiltered); d != 0 && (d < MinRememberFiltered || d > MaxRememberFiltered) {
		errs = append(errs, c.Errorf("sheet.remember_filtered", "want between 1h and 720h (30 days): at least the retry window of your platforms"))
	}
	return errs
}
