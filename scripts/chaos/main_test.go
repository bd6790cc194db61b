package main

import (
	"io"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	o, err := parse(nil, io.Discard)
	if err != nil || o.run.Deliveries != 1000 || o.run.Rate != 100 || o.run.Kills != 3 || o.run.Retries != 8 || len(o.faults) != 2 || o.faults[1] != 0.3 {
		t.Errorf("parse() = %+v, %v, want the issue's defaults: 1000 at 100/s, 3 kills, 8 retries, faults 0 and 0.3", o, err)
	}
	for _, args := range [][]string{{"-faults", "0,2"}, {"-faults", "x"}, {"-deliveries", "0"}, {"extra"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) = nil error", args)
		}
	}
}
