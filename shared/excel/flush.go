package excel

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/safeview/safeview/shared/model"
)

// group is the pending ops of one identity and what the flush decided.
type group struct {
	t      *tab
	id     string
	ops    []*op
	exists bool
	row    int
	erased bool
	win    *op
	mark   int64
	remove *op
}

func groups(batch []*op) []*group {
	var out []*group
	at := map[string]*group{}
	for _, o := range batch {
		if o.finished() {
			continue
		}
		k := o.tab.Tab + "\x00" + o.p.Row.ID()
		g := at[k]
		if g == nil {
			g = &group{t: o.tab, id: o.p.Row.ID()}
			at[k] = g
			out = append(out, g)
		}
		g.ops = append(g.ops, o)
	}
	return out
}

// decide coalesces a group's ops against its row as read and its mark.
func (g *group) decide(stored, mark int64) {
	ps := make([]*model.Pending, len(g.ops))
	for i, o := range g.ops {
		ps[i] = &o.p
	}
	win, remove, raised := model.Coalesce(g.exists, stored, mark, ps)
	g.win, g.remove, g.mark = nil, nil, raised
	for _, o := range g.ops {
		if &o.p == win {
			g.win = o
		}
		if &o.p == remove {
			g.remove = o
		}
	}
}

func tabsOf(gs []*group) []*tab {
	var out []*tab
	for _, g := range gs {
		if !slices.Contains(out, g.t) {
			out = append(out, g.t)
		}
	}
	return out
}

// attempt is one flush: the tables indexed if need be, then one $batch
// that reads what the flush is about to change (every table's header and
// size, and the row of every identity already there) to check that the
// index still holds, then one $batch that writes.
func (s *Sink) attempt(ctx context.Context, batch []*op) error {
	gs := groups(batch)
	if len(gs) == 0 {
		return nil
	}
	if slices.ContainsFunc(gs, func(g *group) bool { return !g.t.loaded }) {
		if err := s.load(ctx); err != nil {
			if errors.Is(err, errNoTable) {
				for _, o := range batch {
					o.finish("", unavailable(err))
				}
				return nil
			}
			return err
		}
	}
	tabs := tabsOf(gs)
	if err := s.verify(ctx, tabs, gs); err != nil {
		return err
	}
	return s.writeGroups(ctx, tabs, gs)
}

// verify reads, in one $batch, each table's header and size and the row
// of each identity the index places, then decides every group. A header
// that moved, a size that changed (rows inserted, deleted or added by
// another writer) or a row that no longer holds its identity makes the
// tables be indexed again (errMoved).
func (s *Sink) verify(ctx context.Context, tabs []*tab, gs []*group) error {
	var calls []call
	for _, t := range tabs {
		calls = append(calls, t.headerCall(s.base), call{method: http.MethodGet, url: t.url(s.base) + "/dataBodyRange?$select=rowCount"})
	}
	var placed []*group
	for _, g := range gs {
		if e, ok := g.t.index[g.id]; ok {
			placed = append(placed, g)
			calls = append(calls, call{method: http.MethodGet, url: g.t.url(s.base) + "/rows/itemAt(index=" + itoa(e.row) + ")"})
		}
	}
	rs, err := s.batch(ctx, calls)
	if err != nil {
		return err
	}
	for i, t := range tabs {
		header, size := rs[2*i], rs[2*i+1]
		if !header.ok() || !size.ok() {
			if header.status == http.StatusNotFound {
				t.loaded = false
				return errMoved
			}
			return firstFailure(header, size)
		}
		before := slices.Clone(t.header)
		top, left, sheet := t.top, t.left, t.sheet
		if _, err := t.readHeader(header); err != nil {
			return err
		}
		a, err := decodeRange(size)
		if err != nil {
			return err
		}
		if !slices.Equal(before, t.header) || top != t.top || left != t.left || sheet != t.sheet || a.RowCount != t.rows {
			return s.moved(t)
		}
	}
	rows := map[*group][]any{}
	for i, g := range placed {
		r := rs[2*len(tabs)+i]
		if !r.ok() {
			if r.status == http.StatusNotFound {
				return s.moved(g.t)
			}
			return r.err("read a row")
		}
		var row struct {
			Values [][]any `json:"values"`
		}
		if json.Unmarshal(r.body, &row) != nil || len(row.Values) == 0 || g.t.idAt(row.Values[0]) != g.id {
			return s.moved(g.t)
		}
		rows[g] = row.Values[0]
	}
	for _, g := range gs {
		e, ok := g.t.index[g.id]
		g.exists, g.row, g.erased = ok, e.row, false
		stored := int64(0)
		if ok {
			_, stored, g.erased = parseVersion(cellString(rows[g], g.t.ver))
		}
		g.decide(stored, s.marks.of(g.t.Tab, g.id))
	}
	return nil
}

// moved forgets a table's index: it is read again before anything is
// written.
func (s *Sink) moved(t *tab) error {
	t.loaded = false
	return errMoved
}

func firstFailure(rs ...reply) error {
	for _, r := range rs {
		if !r.ok() {
			return r.err("verify")
		}
	}
	return nil
}

// update is one row write of a flush and where its answer is.
type update struct {
	g        *group
	snapshot int // index of the read of the row just before the write
	span     [2]int
}

// writeGroups sends the flush's writes as one chain of calls, each after
// the one before: for every row updated, a read of the row then its
// write (so that the answer shows exactly what was overwritten); the new
// rows of each table in one rows/add, then their number formats; the
// marks; and last a read of each header, to see that no column moved
// during the write. Misplaced writes are put back and the flush tried
// again after a fresh index.
func (s *Sink) writeGroups(ctx context.Context, tabs []*tab, gs []*group) error {
	var calls []call
	var ups []update
	adds := map[*tab][]*group{}
	for _, g := range gs {
		if g.win == nil {
			continue
		}
		if !g.exists {
			adds[g.t] = append(adds[g.t], g)
			continue
		}
		t := g.t
		lo, hi := t.span()
		addr := t.sheetRange(s.base, g.row, g.row, lo, hi)
		ups = append(ups, update{g: g, snapshot: len(calls), span: [2]int{lo, hi}})
		vals, fmts := t.rowCells(g.win.p.Row, g.erased, lo, hi, false)
		calls = append(calls,
			call{method: http.MethodGet, url: addr + "?$select=values,formulas,numberFormat", after: len(calls) > 0},
			call{method: http.MethodPatch, url: addr, body: map[string]any{"values": [][]json.RawMessage{vals}, "numberFormat": [][]*string{fmts}}, after: true})
	}
	addAt := map[*tab]int{}
	for _, t := range tabs {
		ag := adds[t]
		if len(ag) == 0 {
			continue
		}
		var vals [][]json.RawMessage
		var fmts [][]*string
		for _, g := range ag {
			v, f := t.rowCells(g.win.p.Row, false, 0, len(t.header)-1, true)
			vals, fmts = append(vals, v), append(fmts, f)
		}
		addAt[t] = len(calls)
		calls = append(calls,
			call{method: http.MethodPost, url: t.url(s.base) + "/rows/add", body: map[string]any{"index": nil, "values": vals}, after: len(calls) > 0},
			call{method: http.MethodPatch, url: t.sheetRange(s.base, t.rows, t.rows+len(ag)-1, 0, len(t.header)-1), body: map[string]any{"numberFormat": fmts}, after: true})
	}
	news := map[markKey]mark{}
	now := s.marks.now().Unix()
	for _, g := range gs {
		if g.mark > 0 {
			news[markKey{g.t.Tab, g.id}] = mark{version: g.mark, at: now}
		}
	}
	if len(news) > 0 {
		calls = append(calls, s.marks.addCall(s.base, news))
	}
	if len(calls) == 0 {
		s.settle(gs)
		return nil
	}
	check := len(calls)
	for _, t := range tabs {
		c := t.headerCall(s.base)
		c.after = true
		calls = append(calls, c)
	}
	rs, err := s.batch(ctx, calls)
	if err != nil {
		// The answer was lost: whatever landed is found by the next read
		// (a version already there, a table grown, which is indexed again).
		for _, g := range gs {
			if g.win != nil {
				g.win.p.Sent = true
			}
		}
		for _, t := range tabs {
			if len(adds[t]) > 0 {
				t.loaded = false
			}
		}
		return err
	}
	return s.checkWrite(ctx, tabs, gs, calls, rs, ups, adds, addAt, news, check)
}

// checkWrite reads the write's answers: a row that did not hold its
// identity just before it was overwritten, or a header that moved, is put
// back as it was; the rows just added under moved columns are deleted;
// and the tables are indexed again (errMoved). Otherwise the index learns
// what was written and every op is answered.
func (s *Sink) checkWrite(ctx context.Context, tabs []*tab, gs []*group, calls []call, rs []reply, ups []update, adds map[*tab][]*group, addAt map[*tab]int, news map[markKey]mark, check int) error {
	var failed error
	for i, r := range rs {
		if !r.ok() && r.status != http.StatusFailedDependency {
			failed = r.err(calls[i].method + " " + opName(calls[i].url))
			break
		}
	}
	movedTabs := map[*tab]bool{}
	for i, t := range tabs {
		r := rs[check+i]
		if !r.ok() {
			continue
		}
		before := slices.Clone(t.header)
		if _, err := t.readHeader(r); err != nil || !slices.Equal(before, t.header) {
			movedTabs[t] = true
		}
	}
	var undo []call
	for _, u := range ups {
		snap, write := rs[u.snapshot], rs[u.snapshot+1]
		if !snap.ok() || !write.ok() {
			continue
		}
		a, err := decodeRange(snap)
		if err != nil || len(a.Values) == 0 {
			continue
		}
		t := u.g.t
		row := make([]any, len(t.header))
		copy(row[u.span[0]:], a.Values[0])
		if t.idAt(row) == u.g.id && !movedTabs[t] {
			continue
		}
		// The write landed on another row (a sort, a row inserted above)
		// or under moved columns: put back exactly what it overwrote.
		movedTabs[t] = true
		undo = append(undo, t.undoCall(s.base, u, a))
	}
	for t := range movedTabs {
		if i, ok := addAt[t]; ok && rs[i].ok() {
			var added struct {
				Index int `json:"index"`
			}
			_ = json.Unmarshal(rs[i].body, &added)
			for n := len(adds[t]) - 1; n >= 0; n-- {
				undo = append(undo, call{method: http.MethodDelete, url: t.url(s.base) + "/rows/itemAt(index=" + itoa(added.Index+n) + ")", after: true})
			}
		}
	}
	if len(undo) > 0 || len(movedTabs) > 0 {
		s.count(func(st *model.Stats) { st.Heals++ })
		if len(undo) > 0 {
			if err := s.write(ctx, undo); err != nil {
				return err
			}
		}
		for t := range movedTabs {
			t.loaded = false
		}
		return errMoved
	}
	if failed != nil {
		for _, g := range gs {
			if g.win != nil {
				g.win.p.Sent = true
			}
		}
		for _, t := range tabs {
			if i, ok := addAt[t]; ok && rs[i].ok() {
				t.loaded = false // rows were added: index them
			}
		}
		return failed
	}
	written := map[markKey]int64{}
	rows := 0
	for _, g := range gs {
		if g.win == nil {
			continue
		}
		rows++
		e := entry{row: g.row, version: g.win.p.Row.Version, erased: g.erased}
		if !g.exists {
			var added struct {
				Index int `json:"index"`
			}
			_ = json.Unmarshal(rs[addAt[g.t]].body, &added)
			e.row = added.Index + slices.Index(adds[g.t], g)
		}
		g.t.index[g.id] = e
		written[markKey{g.t.Tab, g.id}] = e.version
	}
	for t, ag := range adds {
		t.rows += len(ag)
	}
	s.marks.commit(news, written)
	s.count(func(st *model.Stats) {
		st.Flushes++
		st.Rows += rows
		st.Marks += len(news)
	})
	s.settle(gs)
	return nil
}

// settle answers every op of the groups, and holds back those whose row
// leaves until it is deleted (see leave).
func (s *Sink) settle(gs []*group) {
	for _, g := range gs {
		for _, o := range g.ops {
			if o == g.remove && g.exists {
				o.leaving = true
				continue
			}
			o.finish(o.p.Result, nil)
		}
	}
}

// rowCells are a row's cells across table columns lo..hi, as values and
// number formats: the owned cells, null for the key (an update never
// rewrites it) and for the team's columns. fresh is a new row: its key
// is written too, and its version.
func (t *tab) rowCells(r model.Row, erased bool, lo, hi int, fresh bool) ([]json.RawMessage, []*string) {
	vals := make([]json.RawMessage, hi-lo+1)
	fmts := make([]*string, hi-lo+1)
	for i := range vals {
		vals[i] = json.RawMessage("null")
	}
	for i, c := range r.Cells {
		if i == t.key && !fresh {
			continue
		}
		if erased && slices.Contains(t.personal, i) {
			c = model.Cell{}
		}
		v, f := encode(c)
		vals[t.cols[i]-lo], fmts[t.cols[i]-lo] = v, &f
	}
	v, f := encode(model.Cell{Text: versionCell(r.Source, r.Version, erased)})
	vals[t.ver-lo], fmts[t.ver-lo] = v, &f
	return vals, fmts
}

// undoCall puts back what a write overwrote: the values (formulas as
// formulas) and number formats of the cells it wrote, read just before.
func (t *tab) undoCall(base string, u update, a rangeAnswer) call {
	n := u.span[1] - u.span[0] + 1
	vals := make([]json.RawMessage, n)
	fmts := make([]*string, n)
	for i := range n {
		vals[i] = json.RawMessage("null")
		var f any
		if len(a.Formulas) > 0 && i < len(a.Formulas[0]) {
			f = a.Formulas[0][i]
		}
		if i < len(a.Values[0]) {
			vals[i] = restore(a.Values[0][i], f)
		}
		if len(a.NumberFormat) > 0 && i < len(a.NumberFormat[0]) {
			if s, ok := a.NumberFormat[0][i].(string); ok {
				fmts[i] = &s
			}
		}
	}
	return call{method: http.MethodPatch, url: t.sheetRange(base, u.g.row, u.g.row, u.span[0], u.span[1]),
		body: map[string]any{"values": [][]json.RawMessage{vals}, "numberFormat": [][]*string{fmts}}, after: true}
}

// leave deletes the rows of the ops whose row left the destination once
// their flush (and its marks) landed, as a request of its own that
// deletes a row only if it still holds an older version.
func (s *Sink) leave(ctx context.Context, batch []*op) {
	var leaving []*op
	var sel []model.Select
	for _, o := range batch {
		if !o.leaving || o.finished() {
			continue
		}
		o.leaving = false
		leaving = append(leaving, o)
		r := o.p.Row
		sl := model.Select{Tab: o.tab.Tab, Keys: []string{r.Key}, Before: r.Version, Legacy: r.Source == ""}
		if r.Source != "" {
			sl.Sources = []string{r.Source}
		}
		sel = append(sel, sl)
	}
	if len(leaving) == 0 {
		return
	}
	req := &op{ctx: leaving[0].ctx, req: &request{action: model.Delete, sel: sel}, done: make(chan struct{})}
	err := s.untilSettled(ctx, func() error { return s.applyRequest(ctx, req) })
	if err == nil && !req.finished() {
		err = errMoved
	}
	if err == nil {
		err = req.err
	}
	for _, o := range leaving {
		if err != nil {
			o.finish("", unavailable(err))
			continue
		}
		o.finish(model.Removed, nil)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
