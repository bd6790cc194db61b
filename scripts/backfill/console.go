package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// console is the run's output: reports (failed records, the summary) on
// standard output, notes, logs and progress on standard error, where a
// bar is redrawn in place on a terminal. Every line is written whole, and
// the bar is cleared before anything else is written, so that the two
// streams interleave cleanly on one terminal.
type console struct {
	mu    sync.Mutex
	out   io.Writer
	err   io.Writer
	bar   bool // standard error is a terminal
	width int  // of the terminal; 0 when unknown
	shown bool // a bar is on the screen
}

func newConsole(out, err io.Writer, bar bool, width int) *console {
	return &console{out: out, err: err, bar: bar, width: width}
}

// clear removes the bar from the screen; c.mu is held.
func (c *console) clear() {
	if c.shown {
		io.WriteString(c.err, "\r\033[K")
		c.shown = false
	}
}

// report writes a line to standard output.
func (c *console) report(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	fmt.Fprintln(c.out, line)
}

// note writes a line to standard error.
func (c *console) note(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	fmt.Fprintln(c.err, line)
}

// Write writes log lines to standard error.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	return c.err.Write(p)
}

// progress shows the state of the run: redraws the bar on a terminal,
// writes a line otherwise.
func (c *console) progress(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.bar {
		fmt.Fprintln(c.err, line)
		return
	}
	if c.width > 1 && len([]rune(line)) >= c.width {
		line = string([]rune(line)[:c.width-1])
	}
	io.WriteString(c.err, "\r"+line+"\033[K")
	c.shown = true
}

// done ends the progress display.
func (c *console) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
}

// show displays progress until done is closed: a bar five times a second
// on a terminal, a line every linesEvery otherwise.
func (j *job) show(t *tracker, size int64, done <-chan struct{}) {
	every := 10 * time.Second
	if j.con.bar {
		every = 200 * time.Millisecond
	}
	every = cmpOr(j.d.progressEvery, every)
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			j.con.done()
			return
		case <-tick.C:
			j.con.progress(progressLine(t.snapshot(), size, time.Since(start), j.con.bar, j.dryRun))
		}
	}
}

// persist saves the resume file whenever the position moved, until done
// is closed (the run saves it a last time).
func (j *job) persist(t *tracker, done <-chan struct{}) {
	tick := time.NewTicker(cmpOr(j.d.saveEvery, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if st, ok := t.unsaved(); ok {
				if err := st.save(j.resumePath); err != nil {
					j.con.note(fmt.Sprintf("resume file %s: %v", j.resumePath, err))
				}
			}
		}
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// progressLine is the bar, or the periodic line: the share of the file
// done, records and their rate, the time left, and what they came to. It
// holds counts only.
func progressLine(s snapshot, size int64, elapsed time.Duration, bar, dry bool) string {
	var b strings.Builder
	frac := -1.0
	if size > 0 {
		frac = min(float64(s.offset)/float64(size), 1)
	}
	rate := float64(s.run.Read) / max(elapsed.Seconds(), 1e-3)
	left := "?"
	if s.offset > s.start && size > 0 {
		per := elapsed.Seconds() / float64(s.offset-s.start)
		left = time.Duration(per * float64(size-s.offset) * float64(time.Second)).Round(time.Second).String()
	}
	switch {
	case bar && frac >= 0:
		const width = 24
		n := int(frac * width)
		fmt.Fprintf(&b, "%3.0f%% [%s%s] ", frac*100, strings.Repeat("=", n), strings.Repeat(" ", width-n))
	case frac >= 0:
		fmt.Fprintf(&b, "progress: %.0f%%, ", frac*100)
	default:
		b.WriteString("progress: ")
	}
	fmt.Fprintf(&b, "%s records, %.0f/s, %s left | %s", thousands(s.shown.Read), rate, left, tally(s.shown, dry))
	return b.String()
}

// tally lists what the records came to.
func tally(c counts, dry bool) string {
	if dry {
		return fmt.Sprintf("would write %s, update only %s, filtered %s, ignored %s, failed %s",
			thousands(c.Written), thousands(c.UpdateOnly), thousands(c.Filtered), thousands(c.Ignored), thousands(c.Failed))
	}
	return fmt.Sprintf("written %s, unchanged %s, stale %s, filtered %s, ignored %s, failed %s",
		thousands(c.Written), thousands(c.Unchanged), thousands(c.Stale), thousands(c.Filtered), thousands(c.Ignored), thousands(c.Failed))
}

// summary reports the end of the run on standard output.
func (j *job) summary(s snapshot, elapsed time.Duration, complete bool) {
	c := s.state.Counts
	what := "backfill"
	if j.dryRun {
		what = "dry run"
	}
	switch {
	case complete:
		j.con.report(fmt.Sprintf("%s complete: %s, %s records", what, j.path, thousands(c.Read)))
	default:
		j.con.report(fmt.Sprintf("%s stopped at line %d, after %s records: run the same command again to resume", what, max(s.token.Line, 1), thousands(c.Read)))
	}
	rows := []struct {
		name string
		n    int
	}{{"read", c.Read}, {"written", c.Written}, {"unchanged", c.Unchanged}, {"stale", c.Stale}, {"filtered", c.Filtered}, {"ignored", c.Ignored}, {"failed", c.Failed}}
	if j.dryRun {
		rows = []struct {
			name string
			n    int
		}{{"read", c.Read}, {"would write", c.Written}, {"update only", c.UpdateOnly}, {"filtered", c.Filtered}, {"ignored", c.Ignored}, {"failed", c.Failed}}
	}
	for _, r := range rows {
		j.con.report(fmt.Sprintf("  %-12s %9s", r.name, thousands(r.n)))
	}
	if c.Failed > len(s.state.Failures) {
		j.con.report(fmt.Sprintf("  (%s failures beyond the first %d are not listed again)", thousands(c.Failed-len(s.state.Failures)), maxFailures))
	}
	rate := float64(s.run.Read) / max(elapsed.Seconds(), 1e-3)
	line := fmt.Sprintf("  this run: %s records in %s, %.0f records/s", thousands(s.run.Read), roundDuration(elapsed), rate)
	if !j.dryRun {
		st := j.view.Stats()
		line += fmt.Sprintf(", %d write requests", st.Flushes)
		if s.run.Read > 0 {
			line += fmt.Sprintf(" (%.4f a record)", float64(st.Flushes)/float64(s.run.Read))
		}
	}
	j.con.report(line)
	if extra := s.run.Read - (c.Read - s.base.Read); !complete && extra > 0 {
		j.con.report(fmt.Sprintf("  %s records after line %d were done too; resuming reads them again (answered unchanged)", thousands(extra), max(s.token.Line, 1)))
	}
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
