package main

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// sightings records when each order's row showed each of its versions in
// each spreadsheet the bench watches, read from the emulator right after
// every write is applied (gsheetstest.WithAppliedHook): the time a person
// looking at that spreadsheet starts seeing the row. A delivery's answer
// comes once its row is in every spreadsheet that takes it, so the
// answer's time is only a bound of the row's time in each one.
type sightings struct {
	emu  *gsheetstest.Server
	tab  string
	key  string
	ids  map[string]string // spreadsheet id → name; read-only once watching
	mu   sync.Mutex
	last map[string]map[string]int64      // name → order → newest version shown
	seen map[string]map[string][]sighting // name → order → each newer version, in order
}

// sighting is the first time a spreadsheet showed an order at a version.
type sighting struct {
	at      time.Time
	version int64
}

func newSightings(emu *gsheetstest.Server, tab, key string, ids map[string]string) *sightings {
	s := &sightings{emu: emu, tab: tab, key: key, ids: ids, last: map[string]map[string]int64{}, seen: map[string]map[string][]sighting{}}
	for _, name := range ids {
		s.last[name], s.seen[name] = map[string]int64{}, map[string][]sighting{}
	}
	return s
}

// applied is the emulator's applied hook: it reads the spreadsheet the
// write changed and records the versions it shows for the first time.
func (s *sightings) applied(c gsheetstest.Call) {
	name, ok := s.ids[c.Spreadsheet]
	if !ok {
		return
	}
	rows, err := rowsOf(s.emu, c.Spreadsheet, s.tab, s.key, gsheets.VersionHeader)
	if err != nil {
		return // the tab is not there yet: nothing to see
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for order, vs := range rows {
		if v := slices.Max(vs); v > s.last[name][order] {
			s.last[name][order] = v
			s.seen[name][order] = append(s.seen[name][order], sighting{c.At, v})
		}
	}
}

// visible returns, for each delivery answered 200 of an order the named
// spreadsheet holds, how long after its receipt the spreadsheet first
// showed its version or a newer one. A delivery whose version (or a
// newer one) was already shown when it arrived (a duplicate, a late
// version) changed nothing there and is left out.
func (s *sightings) visible(name string, ds []delivery, res []outcome, held map[string]int64) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for i, d := range ds {
		if _, ok := held[d.order]; !ok || res[i].status != http.StatusOK {
			continue
		}
		v := d.version.UnixMicro()
		seen := s.seen[name][d.order]
		j := slices.IndexFunc(seen, func(x sighting) bool { return x.version >= v })
		if j < 0 || seen[j].at.Before(res[i].due) {
			continue
		}
		out = append(out, seen[j].at.Sub(res[i].due))
	}
	return out
}
