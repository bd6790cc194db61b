package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/model"
)

// resumeSuffix names the default resume file after the export.
const resumeSuffix = ".safeview-resume"

// maxFailures bounds the failures a resume file lists; beyond it only
// their count is kept.
const maxFailures = 10000

// state is the resume file: where to go on, and what the records before
// that point came to. It holds no content of the export: a token is
// offsets and checksums, a failure a line number and a reason.
type state struct {
	Export      string `json:"export"`
	Format      string `json:"format"`
	Source      string `json:"source"`
	Spreadsheet string `json:"spreadsheet"`
	// Token resumes after the last record whose row, and every row
	// before it, was written.
	Token  string `json:"token"`
	Counts counts `json:"counts"`
	// Failures are the records before Token that failed.
	Failures []string `json:"failures,omitempty"`
}

// counts tally records by what they came to.
type counts struct {
	Read       int `json:"read"`
	Written    int `json:"written"`
	Unchanged  int `json:"unchanged"`
	Stale      int `json:"stale"`
	Filtered   int `json:"filtered"`
	UpdateOnly int `json:"update_only,omitempty"`
	Ignored    int `json:"ignored"`
	Failed     int `json:"failed"`
}

func (c *counts) add(result string) {
	c.Read++
	switch result {
	case string(model.Written):
		c.Written++
	case string(model.Unchanged):
		c.Unchanged++
	case string(model.Stale):
		c.Stale++
	case string(model.Filtered):
		c.Filtered++
	case updateOnly:
		c.UpdateOnly++
	case ignored:
		c.Ignored++
	default:
		c.Failed++
	}
}

func (c counts) plus(o counts) counts {
	return counts{
		Read: c.Read + o.Read, Written: c.Written + o.Written, Unchanged: c.Unchanged + o.Unchanged,
		Stale: c.Stale + o.Stale, Filtered: c.Filtered + o.Filtered, UpdateOnly: c.UpdateOnly + o.UpdateOnly,
		Ignored: c.Ignored + o.Ignored, Failed: c.Failed + o.Failed,
	}
}

// matches refuses to resume a run made with other arguments.
func (s *state) matches(want *state) error {
	switch {
	case s.Format != want.Format:
		return fmt.Errorf("it is of format %s, not %s", s.Format, want.Format)
	case s.Source != want.Source:
		return fmt.Errorf("it is of source %q, not %q", s.Source, want.Source)
	case s.Spreadsheet != want.Spreadsheet:
		return fmt.Errorf("it is of spreadsheet %s, not %s", s.Spreadsheet, want.Spreadsheet)
	}
	return nil
}

func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("resume file %s: not a resume file (remove it to start from the beginning)", path)
	}
	return &s, nil
}

// save writes the file atomically: a temporary file beside it, synced,
// then renamed over it, so that a crash leaves the old state or the new.
func (s *state) save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func removeState(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// tracker follows the records in flight and commits them in file order:
// the position to resume from only passes a record once that record and
// every one before it are done, whatever order their upserts return in.
type tracker struct {
	// window holds a slot for every record read and not yet committed,
	// which bounds how far reading runs ahead of a slow record.
	window chan struct{}
	// stopping is closed when a record could not be written.
	stopping chan struct{}

	mu      sync.Mutex
	st      state // committed: earlier runs and this one's
	base    counts
	run     counts // this run's records done, committed or not
	next    int    // the first record not committed
	pending map[int]outcome
	token   export.Token
	offset  int64 // the furthest record done, for the time left
	start   int64 // where this run started reading
	stop    error
	saved   string // the token last saved
}

func newTracker(st *state, resume export.Token, window int) *tracker {
	return &tracker{
		window: make(chan struct{}, window), stopping: make(chan struct{}),
		st: *st, base: st.Counts, pending: map[int]outcome{}, token: resume,
		offset: resume.Offset, start: resume.Offset,
	}
}

// done records a record's outcome and commits every record it completes
// the run of. A record that could not be written is not done: the run
// stops, and resumes before it.
func (t *tracker) done(o outcome, after func(int)) {
	t.mu.Lock()
	if o.stop != nil {
		if t.stop == nil {
			t.stop = o.stop
			close(t.stopping)
		}
		t.mu.Unlock()
		return
	}
	t.run.add(o.result)
	t.offset = max(t.offset, o.token.Offset)
	t.pending[o.seq] = o
	for {
		c, ok := t.pending[t.next]
		if !ok {
			break
		}
		delete(t.pending, t.next)
		t.next++
		t.st.Counts.add(c.result)
		if c.reason != "" {
			if len(t.st.Failures) < maxFailures {
				t.st.Failures = append(t.st.Failures, c.reason)
			}
		}
		t.token = c.token
		t.st.Token = c.token.String()
		<-t.window
	}
	n := t.run.Read
	t.mu.Unlock()
	if after != nil {
		after(n)
	}
}

// snapshot is the tracker at one moment.
type snapshot struct {
	state   state  // committed
	base    counts // of earlier runs
	shown   counts
	run     counts
	pending int // records done but not committed (behind a slow one)
	offset  int64
	start   int64
	token   export.Token
	stop    error
}

func (t *tracker) snapshot() snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	st.Failures = append([]string(nil), t.st.Failures...)
	return snapshot{state: st, base: t.base, shown: t.base.plus(t.run), run: t.run, pending: len(t.pending),
		offset: t.offset, start: t.start, token: t.token, stop: t.stop}
}

// unsaved returns the state when its token moved since the last call.
func (t *tracker) unsaved() (state, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.st.Token == t.saved {
		return state{}, false
	}
	t.saved = t.st.Token
	st := t.st
	st.Failures = append([]string(nil), t.st.Failures...)
	return st, true
}
