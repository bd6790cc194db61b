package main

import (
	"io"
	"testing"
)

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
