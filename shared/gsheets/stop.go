package gsheets

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/model"
)

// ErrClosed is the error of an upsert or a request made after Close began,
// or still queued when Close's context ended; it wraps
// model.ErrUnavailable, so that the platform retries (another instance,
// or this one restarted, serves the retry).
var ErrClosed = fmt.Errorf("%w: sheet writer shutting down", model.ErrUnavailable)

// errPanic answers the ops of a flush that panicked: the platform retries
// them, and the retry finds whatever the flush wrote.
var errPanic = errors.New("sheet writer failed (a bug: see the log)")

// Close stops taking upserts and requests (they get ErrClosed), lets the
// flusher write what is queued and in flight, and returns once it is
// idle, or when ctx ends: the ops still queued then are answered
// ErrClosed, and ctx's error is returned. The flush in progress, if any,
// is not cut: its callers' own deadlines bound it. Close may be called
// more than once.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		idle := !s.running && len(s.queue) == 0
		late := !idle && ctx.Err() != nil
		if late {
			for _, o := range s.queue {
				o.finish("", ErrClosed)
			}
			clear(s.queue)
			s.queue = s.queue[:0]
		}
		s.mu.Unlock()
		switch {
		case idle:
			return nil
		case late:
			return ctx.Err()
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// flushSafely is flush with a recover: a panic in the flusher would end
// the process, and every request waiting with it. It is logged (its type
// and where it happened: never its value, which may quote a cell), the
// ops of the batch that are not answered yet get an error the platform
// retries, every tab is indexed again before the next write (the panic
// may have left an index half updated), and the flusher goes on with the
// queue.
func (s *Sink) flushSafely(fs *flushState, batch []*op) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		log := fs.log
		if log == nil {
			log = s.log
		}
		log.Error("sheet writer panicked; its rows are answered 503 and retried by the platform, and the writer goes on",
			"panic", fmt.Sprintf("%T", p), "site", panicSite(), "rows", len(batch))
		for _, o := range batch {
			select {
			case <-o.done:
			default:
				o.finish("", unavailable(errPanic))
			}
		}
		for _, t := range s.order {
			t.loaded = false
		}
		s.backoff, s.retryAt = 0, time.Time{}
		s.count(func(st *model.Stats) { st.Retries++ })
	}()
	if s.hook != nil {
		s.hook(batch)
	}
	s.flush(fs, batch)
}

// panicSite is the function, file and line where the panic being
// recovered was raised: the first frame below runtime.gopanic.
func panicSite() string {
	pc := make([]uintptr, 32)
	n := runtime.Callers(1, pc)
	frames := runtime.CallersFrames(pc[:n])
	seenPanic := false
	for {
		f, more := frames.Next()
		if seenPanic && !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, shortFile(f.File), f.Line)
		}
		if f.Function == "runtime.gopanic" {
			seenPanic = true
		}
		if !more {
			return "unknown"
		}
	}
}

func shortFile(path string) string {
	if i := strings.LastIndex(path, "/shared/"); i >= 0 {
		return path[i+1:]
	}
	return path
}
