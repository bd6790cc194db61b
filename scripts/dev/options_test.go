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
