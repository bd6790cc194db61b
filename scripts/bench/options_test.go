package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

// parse turns -quick and the sizes into the run's params.
func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args                           []string
		events, calmEvents, slowEvents int
		over                           time.Duration
		quick                          bool
	}{
		{nil, 1000, 60, 20, 60 * time.Second, false},
		{[]string{"-quick"}, 200, 20, 8, 12 * time.Second, true},
		{[]string{"-quick", "-events", "30", "-over", "1s", "-calm", "6"}, 30, 6, 2, time.Second, true},
	} {
		o, err := parse(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("parse(%q) error = %v", tt.args, err)
		}
		p := o.params
		if p.events != tt.events || p.calmEvents != tt.calmEvents || p.slowEvents != tt.slowEvents || p.over != tt.over || o.quick != tt.quick {
			t.Errorf("parse(%q) = events %d, calm %d, slow %d, over %s, quick %v; want %d, %d, %d, %s, %v",
				tt.args, p.events, p.calmEvents, p.slowEvents, p.over, o.quick, tt.events, tt.calmEvents, tt.slowEvents, tt.over, tt.quick)
		}
	}
}

// -destinations takes counts from 1 to 50, separated by commas.
func TestParseDestinations(t *testing.T) {
	t.Parallel()
	o, err := parse([]string{"-destinations", "1,5, 10,20"}, io.Discard)
	if err != nil || !slices.Equal(o.destinations, []int{1, 5, 10, 20}) {
		t.Errorf("parse(-destinations 1,5, 10,20) = %v, %v", o.destinations, err)
	}
	for _, bad := range []string{"0", "x", "4,", "51"} {
		if _, err := parse([]string{"-destinations", bad}, io.Discard); err == nil {
			t.Errorf("parse(-destinations %q) error = nil, want one", bad)
		}
	}
}
