package excel

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MarksSheet is the hidden worksheet, and MarksTable the named table on
// it, where the sink remembers for a while the newest version of each
// identity that a filter kept out (its mark): a version older than a mark
// is answered model.Stale and never written, so that the workbook never
// shows a version older than the newest delivered. Each mark is one row
// (table, identity, version, recorded in Unix seconds), added by the same
// $batch as the flush that decided it.
const (
	MarksSheet = "_safeview_marks"
	MarksTable = "SafeviewMarks"
)

var marksHeader = []string{"table", "row", "version", "recorded (Unix seconds)"}

type markKey struct{ tab, id string }

type mark struct {
	version int64
	at      int64
}

// marks is what the sink knows of the marks table; the flusher's only.
type marks struct {
	loaded bool
	live   map[markKey]mark
	ttl    time.Duration
	now    func() time.Time
}

func newMarks(ttl time.Duration) marks {
	return marks{live: map[markKey]mark{}, ttl: ttl, now: time.Now}
}

func (m *marks) url(base string) string { return base + "/tables/" + MarksTable }

func (m *marks) readCall(base string) call {
	return call{method: http.MethodGet, url: m.url(base) + "/dataBodyRange?$select=values"}
}

// errNoMarks means the marks table does not exist yet.
var errNoMarks = errors.New("no marks table")

// load reads the marks as the read call returned them; expired ones are
// left out.
func (m *marks) load(r reply) error {
	if r.status == http.StatusNotFound {
		return errNoMarks
	}
	if !r.ok() {
		return r.err("read the marks")
	}
	a, err := decodeRange(r)
	if err != nil {
		return err
	}
	oldest := m.now().Add(-m.ttl).Unix()
	m.live = map[markKey]mark{}
	for _, row := range a.Values {
		k := markKey{cellString(row, 0), cellString(row, 1)}
		v, err1 := strconv.ParseInt(cellString(row, 2), 10, 64)
		at, err2 := strconv.ParseInt(cellString(row, 3), 10, 64)
		if k.tab == "" || k.id == "" || err1 != nil || err2 != nil || at < oldest {
			continue
		}
		if old, ok := m.live[k]; !ok || v > old.version {
			m.live[k] = mark{version: v, at: at}
		}
	}
	m.loaded = true
	return nil
}

// createCalls make the hidden worksheet and, on it, the table with its
// header. Graph names a new table itself: named() renames it.
func (m *marks) createCalls(base string) []call {
	sheet := base + "/worksheets/" + MarksSheet
	header := make([]string, len(marksHeader))
	for i, h := range marksHeader {
		header[i] = "'" + h
	}
	return []call{
		{method: http.MethodPost, url: base + "/worksheets/add", body: map[string]any{"name": MarksSheet}, after: true},
		{method: http.MethodPatch, url: sheet, body: map[string]any{"visibility": "Hidden"}, after: true},
		{method: http.MethodPatch, url: sheet + "/range(address='A1:D1')", body: map[string]any{"values": [][]string{header}}, after: true},
		{method: http.MethodPost, url: sheet + "/tables/add", body: map[string]any{"address": MarksSheet + "!A1:D1", "hasHeaders": true}, after: true},
	}
}

// named gives the marks table its name once created: the table on the
// marks sheet that is not named yet.
func (m *marks) named(ctx context.Context, s *Sink) error {
	if m.loaded {
		return nil
	}
	r, err := s.g.do(ctx, s.session, call{method: http.MethodGet, url: s.base + "/tables"})
	if err != nil {
		return err
	}
	if !r.ok() {
		return r.err("list tables")
	}
	var in struct {
		Value []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Worksheet struct {
				Name string `json:"name"`
			} `json:"worksheet"`
		} `json:"value"`
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return errors.New("excel: unreadable table list")
	}
	for _, t := range in.Value {
		if t.Name == MarksTable {
			m.loaded = true
			return nil
		}
	}
	for _, t := range in.Value {
		if t.Worksheet.Name == MarksSheet {
			if err := s.write(ctx, []call{{method: http.MethodPatch, url: s.base + "/tables/" + url.PathEscape(t.ID), body: map[string]any{"name": MarksTable}}}); err != nil {
				return err
			}
			m.loaded, m.live = true, map[markKey]mark{}
			return nil
		}
	}
	return errors.New("excel: the marks table could not be created")
}

// of returns the live mark of an identity, 0 when none.
func (m *marks) of(tab, id string) int64 {
	mk, ok := m.live[markKey{tab, id}]
	if !ok || mk.at < m.now().Add(-m.ttl).Unix() {
		return 0
	}
	return mk.version
}

// addCall appends new marks to the table.
func (m *marks) addCall(base string, news map[markKey]mark) call {
	var rows [][]string
	for k, v := range news {
		rows = append(rows, []string{"'" + k.tab, "'" + k.id, "'" + strconv.FormatInt(v.version, 10), strconv.FormatInt(v.at, 10)})
	}
	return call{method: http.MethodPost, url: m.url(base) + "/rows/add", body: map[string]any{"values": rows}, after: true}
}

// commit records marks a write added, and drops those that the rows it
// wrote made moot.
func (m *marks) commit(news map[markKey]mark, written map[markKey]int64) {
	for k, v := range news {
		m.live[k] = v
	}
	for k, v := range written {
		if mk, ok := m.live[k]; ok && mk.version <= v {
			delete(m.live, k)
		}
	}
}
