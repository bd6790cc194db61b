package gsheets

import (
	"testing"
	"time"
)

// Five sinks that start at once (a cold instance, the first delivery of a
// sale for every destination) each index their spreadsheet: three reads
// in a row. The project has used none of its minute: none of those reads
// waits for it, and none waits behind another sink's.
func TestProjectLetsColdSinksIndexAtOnce(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	project := NewProject(0, 0)
	project.reads.now = clock
	const sinks, reads = 5, 3
	pacers := make([]pacer, sinks)
	for i := range pacers {
		pacers[i] = pacer{own: newLimiter(DefaultReadRequestsPerMinute, readBurst, clock), shared: project.reads}
	}
	// Each round, every sink asks for its next read as its previous one
	// is answered, one round trip later.
	for r := range reads {
		for i, p := range pacers {
			if d := p.reserve(); d > 0 {
				t.Errorf("read %d of sink %d waits %v, want none: the project has headroom", r+1, i, d)
			}
		}
		now = now.Add(150 * time.Millisecond)
	}
}
