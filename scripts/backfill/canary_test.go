package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/export"
	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/gsheets"
)

// recorder is a proxy in front of the emulator that keeps every request
// body: what would be sent to Google.
type recorder struct {
	mu     sync.Mutex
	bodies bytes.Buffer
}

func (f *fixture) recorder() (*recorder, string) {
	f.t.Helper()
	target, err := url.Parse(f.emu.URL())
	if err != nil {
		f.t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies.WriteString(r.URL.String() + "\n")
		rec.bodies.Write(body)
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	f.t.Cleanup(srv.Close)
	return rec, srv.URL + "/"
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies.String()
}

// The personal data of every export (emails, names, phones, streets,
// companies, notes, staff: all canaries) reaches neither the sheet (every
// tab, the undo tab included), nor what is sent to Google, nor standard
// output or error (reports, progress bar and lines, logs, summary), nor
// the resume file; broken records included.
func TestCanariesStayOut(t *testing.T) {
	t.Parallel()
	for _, format := range export.Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			path, sum := f.export(exporttest.Spec{Format: format, Records: 120, Broken: []int{3, 50}})
			if len(sum.Canaries) == 0 {
				t.Fatal("the export holds no canaries")
			}
			rec, endpoint := f.recorder()
			args := f.args(format, path, "-v", "-concurrency", "10")
			for i, a := range args {
				if a == f.emu.URL() {
					args[i] = endpoint
				}
			}
			var seen strings.Builder

			// Interrupted, with the bar of a terminal, then resumed with
			// progress lines.
			stop, ctrlC := interrupt()
			first := f.run(context.Background(), deps{stop: stop, terminal: true, width: 200, progressEvery: time.Millisecond, afterRecord: func(done int) {
				if done >= 40 {
					ctrlC()
				}
			}}, args...)
			state, err := os.ReadFile(path + resumeSuffix)
			if err != nil {
				t.Fatalf("no resume file after an interruption (%v): %v", first.err, err)
			}
			second := f.run(context.Background(), deps{progressEvery: time.Millisecond}, args...)
			if exitCode(second.err) != 1 {
				t.Errorf("resumed run: %v, want errFailed for the broken records", second.err)
			}
			for _, s := range []string{first.stdout, first.stderr, string(state), second.stdout, second.stderr, rec.String()} {
				seen.WriteString(s)
			}
			if !strings.Contains(first.stderr, "\r") || !strings.Contains(second.stderr, "progress: ") {
				t.Errorf("no progress shown: bar %q..., lines %q...", first.stderr[:min(len(first.stderr), 200)], second.stderr[:min(len(second.stderr), 200)])
			}
			for _, tab := range []string{"Orders", "Bookings", gsheets.UndoTab} {
				rows, err := f.emu.Snapshot(f.id, tab)
				if err != nil {
					continue // a tab never created
				}
				for _, r := range rows {
					seen.WriteString(strings.Join(r, "\t") + "\n")
				}
			}
			all := seen.String()
			if strings.Contains(all, exporttest.Marker) {
				i := strings.Index(all, exporttest.Marker)
				t.Errorf("a canary got out: ...%s...", all[max(i-80, 0):min(i+80, len(all))])
			}
			for _, c := range sum.Canaries {
				if strings.Contains(all, c) {
					t.Errorf("canary %q got out", c)
				}
			}
			if rows := f.rows(); len(rows) == 0 {
				t.Error("nothing was written: the test proves nothing")
			}
		})
	}
}
