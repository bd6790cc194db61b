package gsheets

import (
	"context"
	"time"
)

// Project paces the requests of several sinks together, under the quota
// their Google Cloud project shares. Google counts Sheets requests per
// user (a service account: 60 a minute) and per project (300 a minute),
// reads and writes apart. A process that writes several spreadsheets,
// each as its own service account (the main spreadsheet and the partners'
// destinations), paces each sink under the per-user quota, and all of
// them together under the project's: give every sink the same Project.
//
// Each request takes a token of its sink and one of the project at the
// same instant, the later of the two, so that neither bucket lends a
// token the other delays: in any window of length T the project sends
// at most projectBurst + T/interval requests, whatever the number of
// sinks. Past the point where the sinks' own rates add up to more than
// the project's, each sink's flushes come further apart, and its rows
// wait longer, but every sink gets its turn (the project's bucket hands
// out its tokens in the order they are asked for).
type Project struct {
	writes, reads *limiter
}

// DefaultProjectRequestsPerMinute leaves a margin under Google's default
// quota of 300 requests a minute per project: with projectBurst, the
// sinks of a Project send at most 295 in any 60 seconds. It is above what
// five sinks ask at their own pace (5 × 55 = 275), so that up to five
// spreadsheets are each paced by their own account's quota alone.
const DefaultProjectRequestsPerMinute = 280

// projectBurst is how many requests the project's bucket saves up: the
// cold start of five sinks at once, three reads each (the tabs, their
// headers, their key columns), so that no sink's index waits behind the
// others' while the project has used almost none of its minute. With a
// burst of 5, the reads of five cold sinks went out one every 207 ms,
// round robin: each sink's second and third read waited a turn of the
// four others (about a second each), and the rows of the first two
// seconds of a sale reached their spreadsheets after 2 to 3.4 s.
const projectBurst = 15

// NewProject returns the pacing of a project's quota: at most the given
// write and read requests a minute (DefaultProjectRequestsPerMinute when
// zero or less), shared by every sink given it in its Options.
func NewProject(writesPerMinute, readsPerMinute int) *Project {
	if writesPerMinute <= 0 {
		writesPerMinute = DefaultProjectRequestsPerMinute
	}
	if readsPerMinute <= 0 {
		readsPerMinute = DefaultProjectRequestsPerMinute
	}
	return &Project{
		writes: newLimiter(writesPerMinute, projectBurst, nil),
		reads:  newLimiter(readsPerMinute, projectBurst, nil),
	}
}

// pacer is a sink's pacing of one kind of request: its own bucket (the
// per-user quota) and, when the sink shares a Project, the project's.
type pacer struct {
	own    *limiter
	shared *limiter // nil: no project pacing
}

// reserve takes a token of both buckets, for the same instant, and
// returns how long the caller must wait before using them.
func (p pacer) reserve() time.Duration {
	if p.shared == nil {
		return p.own.reserve()
	}
	// Always the sink's own lock first, then the project's: no cycle.
	p.own.mu.Lock()
	defer p.own.mu.Unlock()
	p.shared.mu.Lock()
	defer p.shared.mu.Unlock()
	now := p.own.now()
	at := p.own.earliest(now)
	if sh := p.shared.earliest(now); sh.After(at) {
		at = sh
	}
	before := p.own.tat
	if before.Before(now) {
		before = now
	}
	p.own.take(at)
	p.shared.take(at)
	// When the project's bucket delays the request past the sink's own
	// next token, the sink's bucket counts it when it goes; a cancel must
	// undo that too, or the token given back would not be the next one.
	p.own.jumped = p.own.tat.Sub(before) - p.own.interval
	return at.Sub(now)
}

// cancel gives back the tokens of a reservation that was not used.
func (p pacer) cancel() {
	p.own.cancel()
	if p.shared != nil {
		p.shared.cancel()
	}
}

// wait takes the tokens, sleeping until they are due. It fails without
// consuming anything when ctx ends first.
func (p pacer) wait(ctx context.Context) error { return waitFor(ctx, p.reserve(), p.cancel) }

// penalize pushes the sink's next token back after a 429. The project's
// bucket is left alone: one account's quota answer says nothing of the
// others', and each sink that gets one backs off by itself.
func (p pacer) penalize(d time.Duration) { p.own.penalize(d) }

// earliest is when the bucket lets the next request go, at the soonest
// now. The caller holds l.mu.
func (l *limiter) earliest(now time.Time) time.Time {
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	allowAt := tat.Add(-time.Duration(l.burst-1) * l.interval)
	if allowAt.Before(now) {
		return now
	}
	return allowAt
}

// take counts a request sent at at, no earlier than earliest said. The
// caller holds l.mu.
func (l *limiter) take(at time.Time) {
	if l.tat.Before(at) {
		l.tat = at
	}
	l.tat = l.tat.Add(l.interval)
}
