package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"context"
	"fmt"
	"slices"

	"google.golang.org/api/sheets/v4"
)

// Apply does a with the rows sel picks, as one turn of the group commit:
// the upserts queued before it are written first, those queued after it
// wait for it, so that an upsert and an erasure of the same row never
// interleave their reads and writes. Finding the rows costs one read of
// the columns it compares (key, version, personal and selected columns,
// whole: O(rows) bytes, which suits a request a shop gets a few times a
// year); model.Read costs one read more, of the rows picked. model.Clear and model.Delete
// are one write request whatever the number of rows; model.Delete reads the
// whole tab first, so that a row a team edit moved under the deletion
// can be put back. The write's answer shows whether a team edit moved
// rows in the round trip since the read: what landed on the wrong rows is
// restored, and the request is tried again.
//
// model.Clear marks the rows it clears in their version cell. An upsert of a
// marked row writes its personal cells empty whatever its version, so
// that a delivery in flight when the erasure was written (or a platform
// that keeps sending the customer) never brings them back; a new key is
// a new row. Apply is idempotent: applied again, it changes nothing and
// reports Changed 0.
//
// An error wrapping model.ErrUnavailable means the sheet could not be read or
// written before ctx ended; the caller should try again, and the retry
// finds whatever landed. The work already under way goes on without the
// caller.
func (s *Sink) Apply(ctx context.Context, a model.Action, sel []model.Select) (model.Report, error) {
	switch a {
	case model.Count, model.Read, model.Clear, model.Delete:
	default:
		return model.Report{}, fmt.Errorf("sheets: unknown action %q", a)
	}
	for _, sl := range sel {
		t, ok := s.tabs[sl.Tab]
		if !ok {
			return model.Report{}, fmt.Errorf("sheets: no tab %q configured", sl.Tab)
		}
		named := slices.Clone(sl.Any)
		if sl.Where != nil {
			named = append(named, *sl.Where)
		}
		for _, c := range named {
			if !slices.Contains(t.Headers, c.Header) {
				return model.Report{}, fmt.Errorf("sheets: tab %q: %q is not one of its headers", sl.Tab, c.Header)
			}
		}
	}
	if len(sel) == 0 {
		return model.Report{}, nil
	}
	if err := ctx.Err(); err != nil {
		return model.Report{}, fmt.Errorf("%w: %s: %w", model.ErrUnavailable, a, err)
	}
	o := &op{ctx: ctx, req: &request{action: a, sel: sel, sent: map[*tab]map[string]bool{}}, done: make(chan struct{})}
	if !s.enqueue(ctx, o) {
		return model.Report{}, fmt.Errorf("%w: %s: not done within the deadline: %w", model.ErrUnavailable, a, context.DeadlineExceeded)
	}
	return o.req.report, o.err
}

// request is one Apply waiting for its turn.
type request struct {
	action model.Action
	sel    []model.Select
	report model.Report
	// sent holds the keys, by tab, that an earlier attempt cleared or
	// deleted, or may have (its answer was lost): an attempt that finds
	// them done counts them as changed.
	sent map[*tab]map[string]bool
}

// picked is what one attempt of a request found in one tab.
type picked struct {
	t    *tab
	sel  []model.Select
	read snapshot
	rows []int // rows picked, ascending
	// change are the rows to clear or delete; done counts the rows an
	// earlier attempt of the request changed.
	change []int
	done   int
	// header and found are the header row and the rows picked, as the
	// sheet shows them (model.Read).
	header []string
	found  [][]string
}

// snapshot is part of a tab as read: whole columns, or whole rows.
type snapshot struct {
	cols map[int][]any // by sheet column, header first
	rows [][]any       // whole rows, header first
}

func (g snapshot) value(r, c int) any {
	if g.rows != nil {
		if r < len(g.rows) && c < len(g.rows[r]) {
			return g.rows[r][c]
		}
		return nil
	}
	if col := g.cols[c]; r < len(col) {
		return col[r]
	}
	return nil
}

func (g snapshot) text(r, c int) string { return cellString([]any{g.value(r, c)}, 0) }

// has reports whether the snapshot holds sheet column c.
func (g snapshot) has(c int) bool {
	if g.rows != nil {
		return true
	}
	_, ok := g.cols[c]
	return ok
}

// len is the number of rows read, header included.
func (g snapshot) len() int {
	if g.rows != nil {
		return len(g.rows)
	}
	n := 0
	for _, col := range g.cols {
		n = max(n, len(col))
	}
	return n
}

// applyRequest applies a request, reading again when the team changed
// the sheet under it.
func (s *Sink) applyRequest(fs *flushState, o *op) error {
	return untilSettled(func() error { return s.applyOnce(fs, o) })
}

// applyOnce is one read (two for model.Read) and at most one write. It finishes
// o when it succeeds.
func (s *Sink) applyOnce(fs *flushState, o *op) error {
	r := o.req
	var ps []*picked
	for _, sl := range r.sel {
		t := s.tabs[sl.Tab]
		i := slices.IndexFunc(ps, func(p *picked) bool { return p.t == t })
		if i < 0 {
			ps = append(ps, &picked{t: t})
			i = len(ps) - 1
		}
		ps[i].sel = append(ps[i].sel, sl)
	}
	if slices.ContainsFunc(ps, func(p *picked) bool { return !p.t.loaded }) {
		broken, err := s.loadTabs(fs)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := broken[p.t]; err != nil {
				// A request must cover every tab it names, or none.
				o.finish("", unavailable(err))
				return nil
			}
		}
	}
	// A request never trusts a fresh index, and leaves none behind: the
	// next flush of each tab verifies what it reads.
	for _, t := range s.order {
		t.fresh = false
	}
	// Not bounded by the caller's deadline: a large tab may take longer
	// to read than a delivery may wait, and the retry finds it done.
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	if err := s.readPicked(ctx, fs, r.action, ps); err != nil {
		return err
	}
	for _, p := range ps {
		p.pick(r.action, r.sent[p.t])
	}
	var err error
	switch r.action {
	case model.Read:
		err = s.readPickedRows(ctx, fs, ps)
	case model.Clear:
		err = s.clearRows(ctx, fs, r, ps)
	case model.Delete:
		err = s.deleteRows(ctx, fs, r, ps)
	}
	if err != nil {
		return err
	}
	for _, p := range ps {
		tr := model.TabReport{Tab: p.t.Tab, Selected: len(p.rows), Changed: len(p.change) + p.done}
		if r.action == model.Read {
			tr.Header, tr.Rows = p.header, p.found
		}
		r.report.Tabs = append(r.report.Tabs, tr)
	}
	o.finish("", nil)
	return nil
}

// columns lists the owned columns a selection compares (indexes into
// headers): the key, the version, the personal columns and those its
// selections name.
func (p *picked) columns() []int {
	t := p.t
	out := append([]int{t.key, t.version}, t.personal...)
	add := func(h string) {
		if i := slices.Index(t.headers, h); i >= 0 && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	for _, sl := range p.sel {
		if sl.Where != nil {
			add(sl.Where.Header)
		}
		for _, c := range sl.Any {
			add(c.Header)
		}
	}
	return out
}

// readPicked reads, in one request, what the selections compare: whole
// columns, or for model.Delete whole tabs. A column whose header is not where
// the index has it means the team moved it: the tab is indexed again.
func (s *Sink) readPicked(ctx context.Context, fs *flushState, a model.Action, ps []*picked) error {
	var ranges []*sheets.GridRange
	major := "COLUMNS"
	if a == model.Delete {
		major = "ROWS"
	}
	for _, p := range ps {
		if a == model.Delete {
			ranges = append(ranges, &sheets.GridRange{SheetId: p.t.sheetID, ForceSendFields: []string{"SheetId"}})
			continue
		}
		for _, i := range p.columns() {
			ranges = append(ranges, p.t.colGrid(p.t.cols[i]))
		}
	}
	got, err := s.readGrid(ctx, fs, ps[0].t, "read rows to "+string(a), major, ranges)
	if err != nil {
		if changedSheet(err) {
			for _, p := range ps {
				p.t.loaded = false
			}
		}
		return err
	}
	for _, p := range ps {
		t := p.t
		if a == model.Delete {
			p.read = snapshot{rows: got[gridKey{t.sheetID, 0}]}
			if !t.headerMatches(first(p.read.rows)) {
				return s.moved(fs, t, "header")
			}
			continue
		}
		p.read = snapshot{cols: map[int][]any{}}
		for _, i := range p.columns() {
			col := first(got[gridKey{t.sheetID, t.cols[i]}])
			if cellString(col, 0) != t.headers[i] {
				return s.moved(fs, t, "header")
			}
			p.read.cols[t.cols[i]] = col
		}
	}
	return nil
}

// pick finds the rows the selections pick, and those to change; sent are
// the keys an earlier attempt changed, or may have.
func (p *picked) pick(a model.Action, sent map[string]bool) {
	t := p.t
	col := func(h string) int { return t.cols[slices.Index(t.headers, h)] }
	in := func(r int, c model.Cells) bool { return slices.Contains(c.Values, p.read.text(r, col(c.Header))) }
	picks := func(r int) bool {
		key, src := p.read.text(r, t.cols[t.key]), p.sourceAt(r)
		for _, sl := range p.sel {
			if !sl.Admits(src) {
				continue
			}
			if sl.Before > 0 && versionOf([]any{p.read.value(r, t.cols[t.version])}, 0) >= sl.Before {
				continue
			}
			match := slices.Contains(sl.Keys, key) || slices.ContainsFunc(sl.Any, func(c model.Cells) bool { return in(r, c) })
			if sl.All || (match && (sl.Where == nil || in(r, *sl.Where))) {
				return true
			}
		}
		return false
	}
	present := map[string]bool{}
	for r := 1; r < p.read.len(); r++ {
		key := p.keyAt(r)
		if key == "" {
			continue
		}
		present[key] = true
		switch {
		case picks(r):
			p.rows = append(p.rows, r)
			if a == model.Delete || (a != model.Read && t.needsClear(p.read, r)) {
				p.change = append(p.change, r)
				continue
			}
		case !sent[key]:
			continue
		}
		if a == model.Clear && sent[key] && !t.needsClear(p.read, r) {
			// Cleared by an earlier attempt (its pseudonym is gone, so
			// it may no longer be picked).
			p.done++
		}
	}
	if a == model.Delete {
		for key := range sent {
			if !present[key] {
				p.done++ // deleted by an earlier attempt
			}
		}
	}
	if a == model.Read || a == model.Count {
		p.done = 0
	}
}

// needsClear reports whether a model.Clear changes row r: it holds a personal
// cell, or is not marked erased yet. A tab without personal columns has
// nothing to clear.
func (t *tab) needsClear(g snapshot, r int) bool {
	if len(t.personal) == 0 {
		return false
	}
	for _, i := range t.personal {
		if g.text(r, t.cols[i]) != "" {
			return true
		}
	}
	return !erasedOf([]any{g.value(r, t.cols[t.version])}, 0)
}

// keyAt is the identity of row r as read, "" when it holds no key.
func (p *picked) keyAt(r int) string {
	k := p.read.text(r, p.t.cols[p.t.key])
	if k == "" {
		return ""
	}
	return model.ID(p.sourceAt(r), k)
}

// sourceAt is the source of row r as read, "" for a row written without
// one.
func (p *picked) sourceAt(r int) string {
	return sourceOf([]any{p.read.value(r, p.t.cols[p.t.version])}, 0)
}

// changing lists the tabs that have rows to change.
func changing(ps []*picked) []*picked {
	return slices.DeleteFunc(slices.Clone(ps), func(p *picked) bool { return len(p.change) == 0 })
}

// sendAll records the keys of the rows to change as sent.
func (r *request) sendAll(ps []*picked) {
	for _, p := range ps {
		for _, row := range p.change {
			r.markSent(p.t, p.keyAt(row))
		}
	}
}

func (r *request) markSent(t *tab, key string) {
	if r.sent[t] == nil {
		r.sent[t] = map[string]bool{}
	}
	r.sent[t][key] = true
}

// writeRequest sends one write of a request and asks for the state of
// check in its answer.
func (s *Sink) writeRequest(ctx context.Context, fs *flushState, call string, t *tab, reqs []*sheets.Request, check []string) (postState, error) {
	if err := s.writeToken(ctx, fs); err != nil {
		return nil, newCallError(call+" (waiting for write quota)", t, err)
	}
	resp, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheets.BatchUpdateSpreadsheetRequest{
		Requests:                     reqs,
		IncludeSpreadsheetInResponse: true,
		ResponseIncludeGridData:      true,
		ResponseRanges:               check,
	}).Fields("updatedSpreadsheet(sheets(properties(sheetId),data(startRow,rowData(values(userEnteredValue)))))").
		Context(ctx).Do()
	if err != nil {
		return nil, newCallError(call, t, err)
	}
	return postOf(resp), nil
}

// readPickedRows reads the header and the rows picked, whole and
// formatted, in one request, and checks that each still holds its key.
func (s *Sink) readPickedRows(ctx context.Context, fs *flushState, ps []*picked) error {
	var ranges []*sheets.GridRange
	for _, p := range ps {
		ranges = append(ranges, p.t.rowGrid(0))
		for _, r := range p.rows {
			ranges = append(ranges, p.t.rowGrid(r))
		}
	}
	got, err := s.readGridAs(ctx, fs, ps[0].t, "read rows", "ROWS", "FORMATTED_VALUE", ranges)
	if err != nil {
		return err
	}
	for _, p := range ps {
		t := p.t
		header := first(got[gridKey{t.sheetID, 0}])
		if !t.headerMatches(header) {
			return s.moved(fs, t, "header")
		}
		p.header = texts(header, len(header))
		p.found = nil
		for _, r := range p.rows {
			row := first(got[gridKey{t.sheetID, r}])
			if t.idAt(row) != p.keyAt(r) {
				return s.moved(fs, t, "rows")
			}
			p.found = append(p.found, texts(row, len(header)))
		}
	}
	return nil
}

// texts renders a row as text, at least n cells.
func texts(row []any, n int) []string {
	out := make([]string, max(n, len(row)))
	for i := range row {
		out[i] = cellString(row, i)
	}
	return out
}
