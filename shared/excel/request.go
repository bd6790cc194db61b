package excel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/safeview/safeview/shared/model"
)

// request is one Apply waiting for its turn.
type request struct {
	action model.Action
	sel    []model.Select
	report model.Report
}

// Apply counts, reads, clears or deletes the rows the selections pick,
// as one turn of the group commit: after the upserts queued before it,
// before those queued after it. Finding the rows reads the whole tables
// concerned (a request a shop gets a few times a year); a clear or a
// deletion reads each row just before changing it, in the same $batch,
// and puts back one that a team edit moved under it.
func (s *Sink) Apply(ctx context.Context, a model.Action, sel []model.Select) (model.Report, error) {
	for _, sl := range sel {
		if s.tabs[sl.Tab] == nil {
			return model.Report{}, fmt.Errorf("excel: no table %q configured", sl.Tab)
		}
	}
	switch a {
	case model.Count, model.Read, model.Clear, model.Delete:
	default:
		return model.Report{}, fmt.Errorf("excel: unknown action %q", a)
	}
	o := &op{ctx: ctx, req: &request{action: a, sel: sel}, done: make(chan struct{})}
	if !s.enqueue(ctx, o) {
		return model.Report{}, fmt.Errorf("%w: %s not done within the deadline: %w", model.ErrUnavailable, a, context.DeadlineExceeded)
	}
	return o.req.report, o.err
}

// picked is a row a request picked.
type picked struct {
	row     int
	id      string
	values  []any
	text    []any
	erased  bool
	version int64
}

// applyRequest does one request; it finishes the op, or returns an
// error for the flusher to retry.
func (s *Sink) applyRequest(ctx context.Context, o *op) error {
	if err := s.load(ctx); err != nil {
		return err
	}
	req := o.req
	var tabs []*tab
	for _, sl := range req.sel {
		if t := s.tabs[sl.Tab]; !slices.Contains(tabs, t) {
			tabs = append(tabs, t)
		}
	}
	var calls []call
	for _, t := range tabs {
		calls = append(calls, t.headerCall(s.base), call{method: http.MethodGet, url: t.url(s.base) + "/dataBodyRange?$select=values,text"})
	}
	rs, err := s.batch(ctx, calls)
	if err != nil {
		return err
	}
	rep := model.Report{}
	var changes []call
	type change struct {
		t *tab
		p picked
	}
	var changed []change
	for i, t := range tabs {
		before := slices.Clone(t.header)
		if _, err := t.readHeader(rs[2*i]); err != nil {
			return err
		}
		if !slices.Equal(before, t.header) {
			return s.moved(t)
		}
		body, err := decodeRange(rs[2*i+1])
		if err != nil || !rs[2*i+1].ok() {
			return firstFailure(rs[2*i+1])
		}
		tr := model.TabReport{Tab: t.Tab}
		if req.action == model.Read {
			tr.Header = t.header
		}
		for r, row := range body.Values {
			p, ok := t.pick(req.sel, r, row)
			if !ok {
				continue
			}
			if r < len(body.Text) {
				p.text = body.Text[r]
			}
			tr.Selected++
			switch req.action {
			case model.Read:
				tr.Rows = append(tr.Rows, texts(p.text))
			case model.Count, model.Clear:
				if !p.erased {
					tr.Changed++
					changed = append(changed, change{t, p})
				}
			case model.Delete:
				tr.Changed++
				changed = append(changed, change{t, p})
			}
		}
		rep.Tabs = append(rep.Tabs, tr)
	}
	if req.action == model.Delete {
		// Bottom up, so that each deletion leaves the rows above in place.
		slices.SortStableFunc(changed, func(a, b change) int { return b.p.row - a.p.row })
	}
	if req.action == model.Clear || req.action == model.Delete {
		for _, c := range changed {
			changes = append(changes, c.t.changeCalls(s.base, req.action, c.p, len(changes) > 0)...)
		}
	}
	if len(changes) > 0 {
		rs, err := s.batch(ctx, changes)
		if err != nil {
			for _, t := range tabs {
				t.loaded = false
			}
			return err
		}
		var undo []call
		for i, c := range changed {
			snap, done := rs[2*i], rs[2*i+1]
			if !snap.ok() || !done.ok() {
				continue
			}
			a, err := decodeRange(snap)
			if err != nil || len(a.Values) == 0 || c.t.idAt(a.Values[0]) == c.p.id {
				continue
			}
			// A team edit moved another row under the change: put it back.
			undo = append(undo, c.t.putBack(s.base, req.action, c.p.row, a)...)
		}
		for _, t := range tabs {
			t.loaded = false // rows changed: indexed again at the next write
		}
		if len(undo) > 0 {
			s.count(func(st *model.Stats) { st.Heals++ })
			if err := s.write(ctx, undo); err != nil {
				return err
			}
			return errMoved
		}
		for i := range changed {
			if !rs[2*i+1].ok() {
				return rs[2*i+1].err(string(req.action))
			}
		}
		s.count(func(st *model.Stats) {
			st.Flushes++
			if req.action == model.Clear {
				st.RowsCleared += len(changed)
			} else {
				st.RowsDeleted += len(changed)
			}
		})
	}
	req.report = rep
	o.finish("", nil)
	return nil
}

// pick reports whether a row (data row r, values as read) is picked by
// one of the selections of its table.
func (t *tab) pick(sel []model.Select, r int, row []any) (picked, bool) {
	key := cellString(row, t.cols[t.key])
	if key == "" {
		return picked{}, false // a row the team typed without a key is theirs
	}
	src, v, erased := parseVersion(cellString(row, t.ver))
	p := picked{row: r, id: model.ID(src, key), values: row, erased: erased, version: v}
	for _, sl := range sel {
		if sl.Tab != t.Tab || !sl.Admits(src) || sl.Before > 0 && v >= sl.Before {
			continue
		}
		if sl.Where != nil && !slices.Contains(sl.Where.Values, t.cell(row, sl.Where.Header)) {
			continue
		}
		hit := sl.All || slices.Contains(sl.Keys, key)
		for _, c := range sl.Any {
			hit = hit || slices.Contains(c.Values, t.cell(row, c.Header))
		}
		if hit {
			return p, true
		}
	}
	return picked{}, false
}

// cell is a row's value under an owned header, as text.
func (t *tab) cell(row []any, header string) string {
	i := slices.Index(t.Headers, header)
	if i < 0 {
		return ""
	}
	return cellString(row, t.cols[i])
}

// changeCalls clear or delete one row: a read of the row just before,
// then the change, each after the call before it.
func (t *tab) changeCalls(base string, a model.Action, p picked, after bool) []call {
	full := t.sheetRange(base, p.row, p.row, 0, len(t.header)-1)
	read := call{method: http.MethodGet, url: full + "?$select=values,formulas,numberFormat", after: after}
	if a == model.Delete {
		return []call{read, {method: http.MethodDelete, url: t.url(base) + "/rows/itemAt(index=" + itoa(p.row) + ")", after: true}}
	}
	vals := make([]json.RawMessage, len(t.header))
	for i := range vals {
		vals[i] = json.RawMessage("null")
	}
	for _, i := range t.personal {
		vals[t.cols[i]] = json.RawMessage(`""`)
	}
	src, _, _ := parseVersion(cellString(p.values, t.ver))
	v, _ := encode(model.Cell{Text: versionCell(src, p.version, true)})
	vals[t.ver] = v
	return []call{read, {method: http.MethodPatch, url: full, body: map[string]any{"values": [][]json.RawMessage{vals}}, after: true}}
}

// putBack undoes a change that landed on another row than meant: the
// cleared cells written back, or the deleted row added again at its
// place, from the read taken just before.
func (t *tab) putBack(base string, a model.Action, row int, snap rangeAnswer) []call {
	u := update{g: &group{t: t, row: row}, span: [2]int{0, len(t.header) - 1}}
	if a == model.Clear {
		return []call{t.undoCall(base, u, snap)}
	}
	vals := make([]json.RawMessage, len(t.header))
	for i := range vals {
		var f any
		if len(snap.Formulas) > 0 && i < len(snap.Formulas[0]) {
			f = snap.Formulas[0][i]
		}
		vals[i] = restore(snap.Values[0][i], f)
	}
	c := t.undoCall(base, u, snap)
	c.body = map[string]any{"numberFormat": c.body.(map[string]any)["numberFormat"]}
	return []call{{method: http.MethodPost, url: t.url(base) + "/rows/add", body: map[string]any{"index": row, "values": [][]json.RawMessage{vals}}, after: true}, c}
}

func texts(row []any) []string {
	out := make([]string, len(row))
	for i := range row {
		out[i] = cellString(row, i)
	}
	return out
}
