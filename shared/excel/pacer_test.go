package excel

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The pacer keeps every window of 10 s, wherever it starts, under the
// limit (fixed windows let twice the limit out across their border).
func TestPacerKeepsEveryWindowUnderTheLimit(t *testing.T) {
	t.Parallel()
	const limit, per = 1200, 10 * time.Second
	for _, size := range []struct{ lo, hi int }{{240, 260}, {1, 300}, {1100, 1300}} {
		p := pacer{limit: limit, per: per}
		rng := rand.New(rand.NewPCG(1, uint64(size.lo)))
		start := time.Unix(1_000_000, 0)
		now := start
		var sent []spent
		for now.Sub(start) < 10*time.Minute {
			n := size.lo + rng.IntN(size.hi-size.lo+1)
			now = now.Add(p.takeAt(now, n))
			sent = append(sent, spent{at: now, n: n})
			now = now.Add(time.Duration(rng.IntN(50)) * time.Millisecond) // the flush's own time
		}
		// Every window that starts at a send holds at most the limit,
		// but for one batch above it, sent alone.
		for i, a := range sent {
			in := 0
			for _, b := range sent[i:] {
				if b.at.Sub(a.at) < per {
					in += b.n
				}
			}
			if in > limit && in != a.n {
				t.Fatalf("batches of %d to %d: %d operations in the 10 s from %s, over %d", size.lo, size.hi, in, a.at.Sub(start), limit)
			}
		}
	}
}

// A sink with more rows waiting than Graph's limit lets through writes
// at the limit: a flush takes the rows that fit in what the window has
// left, rather than wait for room for a whole one (flushes of 250 rows
// at about one operation each: 4 in 10 s, 1,000 of 1,200).
func TestFlushesFillTheLimit(t *testing.T) {
	t.Parallel()
	for _, perRow := range []float64{1, 0.5, 3} {
		s := &Sink{opt: Options{MaxRowsPerFlush: 250}, pace: pacer{limit: 1200, per: 10 * time.Second}}
		start := time.Unix(1_000_000, 0)
		now, ops := start, 0
		for now.Sub(start) < 10*time.Minute {
			rows := s.rowsThatFit(now) // 250 rows wait, always
			s.sentOps = flushOverhead + int(perRow*float64(rows))
			now = now.Add(s.pace.takeAt(now, s.sentOps))
			ops += s.sentOps
			s.learnCost(rows)
			now = now.Add(300 * time.Millisecond) // the flush's round trips
		}
		rate := float64(ops) / now.Sub(start).Seconds()
		if want := 0.95 * 120; rate < want {
			t.Errorf("%.1f operations a row: %.1f operations a second, want at least %.1f (95%% of the limit)", perRow, rate, want)
		}
	}
}
