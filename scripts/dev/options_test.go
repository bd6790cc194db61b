package main

import (
	"io"
	"testing"
)

// -sheets-endpoint and -spreadsheet name an emulator of your own: both or
// neither.
func TestParseSheetsEndpoint(t *testing.T) {
	t.Parallel()
	o, err := parse([]string{"-sheets-endpoint", "http://127.0.0.1:8081/", "-spreadsheet", "abc"}, io.Discard)
	if err != nil || o.SheetsEndpoint != "http://127.0.0.1:8081/" || o.SpreadsheetID != "abc" {
		t.Errorf("parse(both) = %+v, %v", o, err)
	}
	for _, args := range [][]string{{"-sheets-endpoint", "http://127.0.0.1:8081/"}, {"-spreadsheet", "abc"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) = nil error, want both or neither", args)
		}
	}
}

// -queue runs queued mode; without it, direct mode as before.
func TestParseQueue(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{{nil, false}, {[]string{"-queue"}, true}} {
		o, err := parse(tt.args, io.Discard)
		if err != nil || o.Queue != tt.want {
			t.Errorf("parse(%q) = queue %v, %v, want %v", tt.args, o.Queue, err, tt.want)
		}
	}
}
