package gsheets

import (
	"github.com/safeview/safeview/shared/model"

	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"

	"google.golang.org/api/sheets/v4"
)

// flushState is what one flush carries from call to call.
type flushState struct {
	// token and readToken are the write and the read token the flusher
	// took before the flush and has not used yet.
	token, readToken bool
	// log is the logger of the delivery that opened the flush, so that
	// the flush's lines carry its request id.
	log *slog.Logger
	// noMarks has the flush write no marks: the spreadsheet is full, and
	// a mark must not hold up the rows that fit.
	noMarks bool
}

// readToken uses the flush's read token, or waits for a new one.
func (s *Sink) readToken(ctx context.Context, fs *flushState) error {
	if fs.readToken {
		fs.readToken = false
		return nil
	}
	return s.reads.wait(ctx)
}

// writeToken uses the flush's token, or waits for a new one.
func (s *Sink) writeToken(ctx context.Context, fs *flushState) error {
	if fs.token {
		fs.token = false
		return nil
	}
	return s.writes.wait(ctx)
}

// keyOps are the pending ops of one identity (source and key), in
// arrival order, and what the flush decided for them.
type keyOps struct {
	t   *tab
	key string // the identity, model.ID(source, key)
	ops []*op

	exists bool // the key has a row
	row    int  // its row, when it exists
	erased bool // an erasure cleared the row's personal cells
	win    *op  // the op whose row is written, nil when none
	// legacy is the identity of the row written without a source that
	// this key takes over (its source is written with the row): "" when
	// none.
	legacy string
	// mark is the version to remember as kept out by the filter, 0 when
	// none (see coalesce).
	mark int64
	// remove is the op whose row leaves the destination (model.Row.Leave),
	// nil when none: its row is deleted once the flush's write lands.
	remove *op
}

// expect is the identity the key's row holds before the write.
func (g *keyOps) expect() string {
	if g.legacy != "" {
		return g.legacy
	}
	return g.key
}

// decide coalesces the ops of g against the row as stored and the mark
// of its key, and keeps an erased row erased.
func (g *keyOps) decide(stored, mark int64) {
	g.win, g.mark, g.remove = coalesce(g.exists, stored, mark, g.ops)
	if g.win != nil && g.erased {
		g.win.row = g.t.keepErased(g.win.row)
	}
}

// groups gathers the unfinished ops of a batch by tab and key, keys in
// order of first arrival.
func groups(batch []*op) []*keyOps {
	type tk struct {
		t   *tab
		key string
	}
	var out []*keyOps
	at := map[tk]*keyOps{}
	for _, o := range batch {
		select {
		case <-o.done:
			continue
		default:
		}
		k := tk{o.tab, o.row.ID()}
		g := at[k]
		if g == nil {
			g = &keyOps{t: o.tab, key: k.key}
			at[k] = g
			out = append(out, g)
		}
		g.ops = append(g.ops, o)
	}
	return out
}

func tabsOf(gs []*keyOps) []*tab {
	var out []*tab
	for _, g := range gs {
		if !slices.Contains(out, g.t) {
			out = append(out, g.t)
		}
	}
	return out
}

// claimLegacy finds, for each identity not in the index, the row of the
// same key written without a source (by a version of Safeview that keyed
// rows by the key alone), which the identity takes over rather than add
// the order a second time; one identity per row. It reports whether one
// of them must be read first to see whether its model.Table.Match cells agree.
func claimLegacy(gs []*keyOps) bool {
	claimed := map[*tab]map[string]bool{}
	read := false
	for _, g := range gs {
		g.legacy = ""
		t, r := g.t, g.ops[0].row
		if r.Source == "" {
			continue
		}
		if _, ok := t.index[g.key]; ok {
			continue
		}
		old := model.ID("", r.Key)
		if _, ok := t.index[old]; !ok || claimed[t][old] {
			continue
		}
		if claimed[t] == nil {
			claimed[t] = map[string]bool{}
		}
		claimed[t][old] = true
		g.legacy = old
		read = read || len(t.match) > 0
	}
	return read
}

// matches reports whether a row written without a source, as read, may be
// the order of g: its model.Table.Match cells hold what g's row holds there.
func (g *keyOps) matches(row []any) bool {
	r := g.ops[0].row
	for _, i := range g.t.match {
		c := r.Cells[i]
		want := c.Text
		if c.Number != "" {
			want = c.Number
		}
		if cellString(row, g.t.cols[i]) != want {
			return false
		}
	}
	return true
}

// attempt writes a batch, rebuilding the index and trying again when the
// team changed the sheet under it. Ops it settles are finished; the others
// are left for the caller to retry or fail.
func (s *Sink) attempt(fs *flushState, batch []*op) error {
	return untilSettled(func() error {
		gs := groups(batch)
		if len(gs) == 0 {
			return nil
		}
		return s.tryOnce(fs, gs)
	})
}

// untilSettled runs try again while it finds that the team changed the
// sheet under the index, at most movedRetries times in all.
func untilSettled(try func() error) error {
	for n := 1; ; n++ {
		err := try()
		for errors.Is(err, errWithout) {
			err = try() // the flush is smaller, not stuck: not a retry
		}
		if err == nil || !(errors.Is(err, errMoved) || changedSheet(err)) || n >= movedRetries {
			return err
		}
	}
}

// loadFor indexes every tab that is not loaded, those of gs and the
// others (one go costs what one tab would), and fails the ops of the tabs
// that cannot be written until someone fixes them: the other tabs' rows
// go on. Only the tabs of gs count as freshly read for this flush; the
// others are verified by their first flush, whenever it comes.
func (s *Sink) loadFor(fs *flushState, gs []*keyOps) ([]*keyOps, error) {
	var loading []*tab
	for _, t := range s.order {
		if !t.loaded {
			loading = append(loading, t)
		}
	}
	broken, err := s.loadTabs(fs)
	switch {
	case err == nil:
	case retryable(err) || changedSheet(err) || errors.Is(err, errMoved):
		return nil, err
	default:
		// Refused (a permission, say): no tab can be written until
		// someone fixes it.
		broken = map[*tab]error{}
		for _, t := range loading {
			broken[t] = err
		}
	}
	inFlush := tabsOf(gs)
	for _, t := range loading {
		if !slices.Contains(inFlush, t) {
			t.fresh = false
		}
	}
	return slices.DeleteFunc(gs, func(g *keyOps) bool {
		err := broken[g.t]
		if err == nil {
			return false
		}
		for _, o := range g.ops {
			o.finish("", unavailable(err))
		}
		return true
	}), nil
}

// tryOnce is one verification read and one write for every key of gs,
// in four steps: read the rows the flush touches, verify that the sheet
// is still what the index says, decide what each key's ops do, write.
func (s *Sink) tryOnce(fs *flushState, gs []*keyOps) error {
	if slices.ContainsFunc(tabsOf(gs), func(t *tab) bool { return !t.loaded }) {
		var err error
		if gs, err = s.loadFor(fs, gs); err != nil {
			return err
		}
	}
	if len(gs) == 0 {
		return nil
	}
	tabs := tabsOf(gs)
	var ops []*op
	for _, g := range gs {
		ops = append(ops, g.ops...)
	}
	ctx, cancel := s.callContext(ops)
	defer cancel()
	// Hold the write token before reading, so that nothing but one round
	// trip separates the verification read from the write.
	if !fs.token {
		if err := s.writes.wait(ctx); err != nil {
			return newCallError("wait for write quota", nil, err)
		}
		fs.token = true
	}

	// A tab indexed a moment ago by this flush needs no second look,
	// unless a row written without a source may be taken over and the
	// cells that decide it must be read.
	fresh := !claimLegacy(gs)
	for _, t := range tabs {
		fresh = fresh && t.fresh && t.unsure == nil
		t.fresh = false
	}
	if fresh {
		for _, g := range gs {
			e, ok := g.t.index[g.expect()]
			g.exists, g.row, g.erased = ok, e.row, e.erased
			g.decide(e.version, s.markOf(fs, g))
		}
		return s.write(fs, tabs, gs)
	}
	rows, below, err := s.readRows(ctx, fs, tabs, gs)
	if err != nil {
		return err
	}
	if err := s.verify(fs, tabs, rows, below); err != nil {
		return err
	}
	if err := s.decideAll(fs, gs, rows); err != nil {
		return err
	}
	return s.write(fs, tabs, gs)
}

// readRows is the flush's one read: every tab's header, the rows of a
// previous insert whose answer was lost, the row of every key already in
// the sheet (to check that nothing moved and to read the versions), and
// the row below the last keyed row where new keys would go (see verify).
// It returns the rows read by sheet and row, and which row is below the
// last keyed row of each tab that adds keys.
func (s *Sink) readRows(ctx context.Context, fs *flushState, tabs []*tab, gs []*keyOps) (map[gridKey][]any, map[*tab]int, error) {
	var ranges []*sheets.GridRange
	for _, t := range tabs {
		ranges = append(ranges, t.rowGrid(0))
		if u := t.unsure; u != nil {
			ranges = append(ranges, &sheets.GridRange{SheetId: t.sheetID, StartRowIndex: int64(u.at), EndRowIndex: int64(u.at + len(u.keys)),
				ForceSendFields: []string{"SheetId", "StartRowIndex"}})
		}
	}
	below := map[*tab]int{}
	looked := map[*tab]bool{}
	for _, g := range gs {
		t := g.t
		if e, ok := t.index[g.expect()]; ok {
			ranges = append(ranges, t.rowGrid(e.row))
			continue
		}
		if looked[t] || t.unsure != nil {
			continue
		}
		looked[t] = true
		if int64(t.lastRow+1) >= t.rowCount {
			// The grid was full when it was indexed: the new rows are to
			// be appended, at the end of a grid another writer may have
			// grown since. Its size is read again first (once: an append
			// leaves a blank row below).
			if err := s.refreshGridSize(ctx, fs, t); err != nil {
				return nil, nil, err
			}
			if int64(t.lastRow+1) >= t.rowCount {
				continue // still full: nobody added a row
			}
		}
		below[t] = t.lastRow + 1
		ranges = append(ranges, t.rowGrid(t.lastRow+1))
	}
	got, err := s.readGrid(ctx, fs, tabs[0], "read rows", "ROWS", ranges)
	if err != nil {
		if changedSheet(err) {
			// A row past the end of the grid, a deleted tab.
			for _, t := range tabs {
				t.loaded = false
			}
		}
		return nil, nil, err
	}
	rows := map[gridKey][]any{}
	for k, values := range got {
		for i, r := range values {
			rows[gridKey{k.sheet, k.start + i}] = r
		}
	}
	return rows, below, nil
}

// verify checks the read against the index: every header where the index
// has it, the fate of an insert whose answer was lost, and no key below
// the last keyed row (where another writer, a backfill or the old
// instance of a rollover, adds the rows this index does not know, and
// the key about to be added may be one of them). When something moved,
// the tab is indexed again (errMoved).
func (s *Sink) verify(fs *flushState, tabs []*tab, rows map[gridKey][]any, below map[*tab]int) error {
	for _, t := range tabs {
		if !t.headerMatches(rows[gridKey{t.sheetID, 0}]) {
			return s.moved(fs, t, "header")
		}
		if err := s.settleUnsure(fs, t, rows); err != nil {
			return err
		}
		if r, ok := below[t]; ok && t.idAt(rows[gridKey{t.sheetID, r}]) != "" {
			return s.moved(fs, t, "rows added by another writer")
		}
	}
	return nil
}

// decideAll decides what each key's ops do against its row as read,
// after checking that the row still holds the key.
func (s *Sink) decideAll(fs *flushState, gs []*keyOps, rows map[gridKey][]any) error {
	for _, g := range gs {
		if g.legacy != "" && !g.matches(rows[gridKey{g.t.sheetID, g.t.index[g.legacy].row}]) {
			g.legacy = "" // another source's order: a row of its own
		}
		e, ok := g.t.index[g.expect()]
		g.exists, g.row, g.erased, g.win = ok, e.row, false, nil
		stored := int64(0)
		if g.exists {
			row := rows[gridKey{g.t.sheetID, g.row}]
			if g.t.idAt(row) != g.expect() {
				return s.moved(fs, g.t, "rows")
			}
			stored = versionOf(row, g.t.cols[g.t.version])
			g.erased = erasedOf(row, g.t.cols[g.t.version])
		}
		g.decide(stored, s.markOf(fs, g))
	}
	return nil
}

// refreshGridSize reads the number of rows of t's grid: one small read.
func (s *Sink) refreshGridSize(ctx context.Context, fs *flushState, t *tab) error {
	if err := s.readToken(ctx, fs); err != nil {
		return newCallError("read grid size (waiting for read quota)", t, err)
	}
	ss, err := s.svc.Spreadsheets.Get(s.id).Fields("sheets(properties(sheetId,gridProperties(rowCount)))").Context(ctx).Do()
	if err != nil {
		return newCallError("read grid size", t, err)
	}
	for _, sh := range ss.Sheets {
		if p := sh.Properties; p != nil && p.SheetId == t.sheetID && p.GridProperties != nil {
			t.rowCount = p.GridProperties.RowCount
			return nil
		}
	}
	t.loaded = false // the tab is gone
	return errMoved
}

// write sends what coalescing decided, in one request, and checks its
// answer.
func (s *Sink) write(fs *flushState, tabs []*tab, gs []*keyOps) error {
	p := s.plan(gs)
	s.planMarks(fs, p, gs)
	if len(p.reqs) == 0 {
		settle(gs)
		return nil
	}
	fs.token = false
	// The write gets a timeout of its own, not what the read left.
	var ops []*op
	for _, g := range gs {
		ops = append(ops, g.ops...)
	}
	ctx, cancel := s.callContext(ops)
	defer cancel()
	resp, err := s.svc.Spreadsheets.BatchUpdate(s.id, &sheets.BatchUpdateSpreadsheetRequest{
		Requests:                     p.reqs,
		IncludeSpreadsheetInResponse: true,
		ResponseIncludeGridData:      true,
		ResponseRanges:               p.check,
	}).Fields("updatedSpreadsheet(sheets(properties(sheetId),data(startRow,rowData(values(userEnteredValue)))))").
		Context(ctx).Do()
	if err != nil {
		err = newCallError("write rows", tabs[0], err)
		if ambiguous(err) {
			// The write may have landed. An update is found by the next
			// read (same version: written); the rows an insert would have
			// added are read too, so that they are not added twice.
			for _, g := range gs {
				if g.win != nil {
					g.win.sent = true
				}
			}
			for t, news := range p.inserts {
				u := &unsure{at: p.at[t], appended: p.append[t]}
				for _, g := range news {
					u.keys = append(u.keys, g.key)
				}
				t.unsure = u
			}
		}
		if changedSheet(err) {
			for _, t := range tabs {
				t.loaded = false
			}
		}
		if isFull(err) {
			return s.refuseNewRows(fs, gs, err)
		}
		return err
	}
	if bad := p.verify(resp); len(bad) > 0 {
		return s.heal(fs, p, resp, bad)
	}
	p.commit(nil)
	s.undo = p.undo
	s.commitMarks(p)
	s.count(func(st *model.Stats) { st.Flushes++; st.Rows += p.rows })
	s.logFlush(fs, p.rows)
	settle(gs)
	return nil
}

// refuseNewRows answers the ops that would add a row with err, when the
// spreadsheet has no room for one, and has the flush go on with the
// others: an update needs no new cell, unless the undo tab must be created
// or grown for it (more updates in one flush than it has rows), and then
// it waits too. The ops are answered with an error the platform retries:
// nothing is lost if someone makes room before it gives up.
func (s *Sink) refuseNewRows(fs *flushState, gs []*keyOps, err error) error {
	var refused []*op
	waiting := 0
	for _, g := range gs {
		if g.win == nil {
			continue
		}
		if g.exists {
			waiting += len(g.ops)
			continue
		}
		refused = append(refused, g.ops...)
	}
	const msg = "spreadsheet full (Google's limit of 10 million cells): rows that need new cells are refused, and the platform retries them, until cells are freed: delete empty rows and columns or unused tabs, or move old rows to another spreadsheet"
	// Marks need cells too: until room is made, filtered versions are not
	// remembered, rather than held up.
	fs.noMarks = true
	if len(refused) == 0 {
		// Only updates, and still no room: the undo tab needed more.
		fs.log.Error(msg, "rows_refused", 0, "updates_refused", waiting)
		return err
	}
	fs.log.Error(msg, "rows_refused", len(refused))
	s.count(func(st *model.Stats) { st.Refused += len(refused) })
	for _, o := range refused {
		o.finish("", unavailable(err))
	}
	return errWithout
}

// errWithout has the flush try again without the ops just answered.
var errWithout = errors.New("some rows were refused; writing the others")

// unsure is a block of rows inserted by a write whose answer was lost.
type unsure struct {
	at       int
	keys     []string
	appended bool // added at the end of the grid rather than inserted
}

// settleUnsure decides from the verification read whether an insert
// whose answer was lost landed: its first row holds its first key (it
// landed, whole, since a write is atomic), or no key at all (it did not).
// Anything else means the team moved rows since: the tab is indexed
// again.
func (s *Sink) settleUnsure(fs *flushState, t *tab, rows map[gridKey][]any) error {
	u := t.unsure
	if u == nil {
		return nil
	}
	switch t.idAt(rows[gridKey{t.sheetID, u.at}]) {
	case u.keys[0]:
		for i, k := range u.keys {
			t.index[k] = entry{row: u.at + i}
		}
		t.lastRow = u.at + len(u.keys) - 1
		if u.appended {
			t.rowCount = int64(u.at + len(u.keys) + 1) // and a blank row
		} else {
			t.rowCount += int64(len(u.keys))
		}
	case "":
	default:
		t.unsure = nil
		return s.moved(fs, t, "rows")
	}
	t.unsure = nil
	return nil
}

// moved drops a tab's index after the verification read found it stale.
func (s *Sink) moved(fs *flushState, t *tab, what string) error {
	t.loaded = false
	fs.log.Info("sheet changed since it was indexed; reindexing", "table", t.Tab, "changed", what)
	return errMoved
}

// settle answers every op of gs with the result coalesce gave it.
func settle(gs []*keyOps) {
	for _, g := range gs {
		for _, o := range g.ops {
			if o == g.remove {
				o.leaving = true // answered once its row is deleted (see leave)
				continue
			}
			o.finish(o.res, nil)
		}
	}
}

// coalesce decides what the ops of one key do: applied in version order
// to the row as stored, each with the rules of a single upsert. mark is
// the newest version of the key that the table's filter (or its update
// policy) kept out, 0 when none: the sheet never shows a version older
// than one delivered, so no op older than it is written (model.Stale), and an
// op kept out raises it. coalesce returns the op whose row is to be
// written, nil when none, and the mark to record, 0 when it did not rise
// above what the sheet will hold. Results are relative to the row after
// the flush: an op overtaken by a newer one of the same flush is model.Stale,
// as if it had arrived after it.
func coalesce(exists bool, stored, mark int64, ops []*op) (win *op, raised int64, remove *op) {
	sorted := slices.Clone(ops)
	slices.SortStableFunc(sorted, func(a, b *op) int { return cmp.Compare(a.row.Version, b.row.Version) })
	landed := false
	keptOut := func(o *op) {
		v := o.row.Version
		switch {
		case v < mark:
			o.res = model.Stale
		case v == mark:
			o.res = model.Filtered
		default:
			o.res = model.Filtered
			mark, raised = v, v
		}
	}
	for _, o := range sorted {
		v := o.row.Version
		switch {
		case o.row.Leave && !exists && v < mark:
			o.res = model.Stale
		case o.row.Leave && !exists:
			// Never held here: nothing to remove, and no mark, so that a
			// partner's spreadsheet never names an order of another
			// store, not even in its hidden marks tab.
			o.res = model.Filtered
		case o.row.Leave && (v < stored || v < mark):
			o.res = model.Stale
		case o.row.Leave && !o.row.Update && v == stored:
			o.res = model.Unchanged
		case o.row.Leave && !o.row.Update:
			// The table's update policy keeps the row as it is, here as
			// in the main spreadsheet.
			keptOut(o)
		case o.row.Leave:
			// As new as the row or newer: the row leaves the destination
			// (at the same version, the where changed since it was
			// written), and its version is remembered, so that no older
			// one brings it back. A newer op of the flush may still
			// write it again.
			o.res = model.Removed
			remove, win, stored = o, nil, v
			if v > mark {
				mark, raised = v, v
			}
		case !exists && !o.row.Insert:
			keptOut(o)
		case !exists && v < mark:
			o.res = model.Stale // a newer version was kept out: this one may not enter
		case !exists:
			exists, stored, win = true, v, o
			o.res = model.Written
		case v < stored:
			o.res = model.Stale
		case v == stored && o.sent && !landed && win == nil && remove == nil:
			// This op's earlier write landed though its answer was lost.
			landed = true
			o.res = model.Written
		case v == stored:
			o.res = model.Unchanged
		case !o.row.Update:
			keptOut(o)
		case v < mark:
			o.res = model.Stale
		default:
			stored, win, remove = v, o, nil
			o.res = model.Written
		}
	}
	for _, o := range ops {
		switch v := o.row.Version; {
		case o != win && v < stored && (o.res == model.Written || o.res == model.Unchanged):
			o.res = model.Stale
		case o.res == model.Filtered && v < mark:
			o.res = model.Stale
		case o.res == model.Removed && o != remove:
			o.res = model.Stale
		}
	}
	if remove == nil && exists && stored >= raised {
		raised = 0 // the row holds a newer version: no mark needed
	}
	return win, raised, remove
}

// cellFields is the mask of every cell write: the value, and the number
// format that makes a total a currency and a date a date.
const cellFields = "userEnteredValue,userEnteredFormat.numberFormat"

// writePlan is one flush's write: its requests, the ranges whose state
// after the write tells whether it landed where intended, and what to
// remember once it did.
type writePlan struct {
	reqs    []*sheets.Request
	check   []string // responseRanges: headers, then touched rows
	updates []*keyOps
	inserts map[*tab][]*keyOps
	at      map[*tab]int // first inserted row of each tab
	append  map[*tab]bool
	tabs    []*tab
	rows    int
	undo    undoTab // the undo tab once the write lands
	// news are the marks the write records, and compact says it rewrites
	// them all (see marks.requests).
	news    map[markKey]mark
	compact bool
}

// planMarks adds to p the marks its keys raised, and the marks' compaction
// when it is due and the flush writes anyway.
func (s *Sink) planMarks(fs *flushState, p *writePlan, gs []*keyOps) {
	if fs.noMarks || !s.marks.loaded {
		return
	}
	now := s.marks.now().Unix()
	for _, g := range gs {
		if g.mark > 0 {
			if p.news == nil {
				p.news = map[markKey]mark{}
			}
			p.news[markKey{g.t.Tab, g.key}] = mark{version: g.mark, at: now}
		}
	}
	// The compaction is optional work: after a write timed out (the flush
	// shrunk), rows go first, without it, until a write goes through.
	p.compact = s.shrunk == 0 && (len(p.reqs) > 0 || len(p.news) > 0) && s.marks.compactDue(len(p.news))
	p.reqs = append(p.reqs, s.marks.requests(p.news, p.compact)...)
}

// commitMarks records the marks of a write that landed.
func (s *Sink) commitMarks(p *writePlan) {
	written := map[markKey]int64{}
	for _, g := range p.updates {
		written[markKey{g.t.Tab, g.key}] = g.win.row.Version
	}
	for _, news := range p.inserts {
		for _, g := range news {
			written[markKey{g.t.Tab, g.key}] = g.win.row.Version
		}
	}
	s.marks.commit(p.news, p.compact, written)
	if n := len(p.news); n > 0 {
		s.count(func(st *model.Stats) { st.Marks += n })
	}
}

// plan builds the write: each update rewrites the owned cells of its row
// but the key (which stays, and which the answer then shows); new keys
// become a block of rows inserted below the last keyed row.
func (s *Sink) plan(gs []*keyOps) *writePlan {
	p := &writePlan{inserts: map[*tab][]*keyOps{}, at: map[*tab]int{}, append: map[*tab]bool{}}
	for _, g := range gs {
		if g.win == nil {
			continue
		}
		p.rows++
		if !slices.Contains(p.tabs, g.t) {
			p.tabs = append(p.tabs, g.t)
		}
		if g.exists {
			p.updates = append(p.updates, g)
			continue
		}
		p.inserts[g.t] = append(p.inserts[g.t], g)
	}
	for _, t := range p.tabs {
		p.check = append(p.check, t.a1Row(0))
	}
	p.undo = s.undo
	if len(p.updates) > 0 {
		// First copy what the updates overwrite to the undo tab, in the
		// same atomic write: slot i holds the cells of the i-th update.
		width := int64(0)
		for _, g := range p.updates {
			width = max(width, int64(slices.Max(g.t.cols)+1))
		}
		var reqs []*sheets.Request
		reqs, p.undo = s.undoRequests(int64(len(p.updates)), width)
		p.reqs = append(p.reqs, reqs...)
		for slot, g := range p.updates {
			for _, run := range g.t.runs(g.t.key) {
				c0, c1 := g.t.span(run)
				p.reqs = append(p.reqs, copyRun(g.t.sheetID, g.row, p.undo.sheetID, slot, c0, c1))
			}
		}
	}
	for _, g := range p.updates {
		t := g.t
		for _, run := range t.runs(t.key) {
			p.reqs = append(p.reqs, t.cellsRequest(g.row, run, []model.Row{g.win.row}, g.erased))
		}
		p.check = append(p.check, t.a1Row(g.row))
	}
	for _, t := range p.tabs {
		news := p.inserts[t]
		if len(news) == 0 {
			continue
		}
		at, n := t.lastRow+1, len(news)
		p.at[t] = at
		if int64(at) < t.rowCount {
			// Insert rather than fill the next blank row: the team may keep
			// something below the data (a totals row), and an insertion
			// never overwrites.
			p.reqs = append(p.reqs, &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{
				Range:             &sheets.DimensionRange{SheetId: t.sheetID, Dimension: "ROWS", StartIndex: int64(at), EndIndex: int64(at + n), ForceSendFields: []string{"SheetId"}},
				InheritFromBefore: at > 1, // the format of the data row above, not of the header
			}})
		} else {
			// The grid is full: add the rows, and one blank row below them,
			// so that the next new keys are inserted above it and the row
			// below the last keyed row can be read (see tryOnce).
			p.append[t] = true
			p.reqs = append(p.reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
				SheetId: t.sheetID, Dimension: "ROWS", Length: int64(n + 1), ForceSendFields: []string{"SheetId"},
			}})
		}
		rows := make([]model.Row, n)
		for i, g := range news {
			rows[i] = g.win.row
			p.check = append(p.check, t.a1Row(at+i))
		}
		for _, run := range t.runs(-1) {
			p.reqs = append(p.reqs, t.cellsRequest(at, run, rows, false))
		}
	}
	return p
}

// cellsRequest writes the cells of one run of adjacent owned columns for
// consecutive rows starting at row, erased rows or not.
func (t *tab) cellsRequest(row int, run []int, rows []model.Row, erased bool) *sheets.Request {
	data := make([]*sheets.RowData, len(rows))
	for j, r := range rows {
		vals := make([]*sheets.CellData, len(run))
		for k, i := range run {
			vals[k] = cellData(t.cellOf(r, erased, i))
		}
		data[j] = &sheets.RowData{Values: vals}
	}
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start: &sheets.GridCoordinate{SheetId: t.sheetID, RowIndex: int64(row), ColumnIndex: int64(t.cols[run[0]]),
			ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		Rows:   data,
		Fields: cellFields,
	}}
}

// cellData converts a model.Cell to the API's shape. An empty cell clears the
// value; a text is a stringValue, which Sheets stores as is (RAW).
func cellData(c model.Cell) *sheets.CellData {
	d := &sheets.CellData{}
	switch {
	case c.Number != "":
		f, err := strconv.ParseFloat(c.Number, 64)
		if err != nil {
			// Not a number after all: keep it exact as text.
			d.UserEnteredValue = &sheets.ExtendedValue{StringValue: &c.Number}
			break
		}
		d.UserEnteredValue = &sheets.ExtendedValue{NumberValue: &f}
		if c.FormatType != "" {
			d.UserEnteredFormat = &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: c.FormatType, Pattern: c.FormatPattern}}
		}
	case c.Text != "":
		text := c.Text
		d.UserEnteredValue = &sheets.ExtendedValue{StringValue: &text}
	}
	return d
}

// postState is the state of the checked ranges right after the write, as
// its answer reports them: rows by sheet and index.
type postState map[gridKey][]any

func postOf(resp *sheets.BatchUpdateSpreadsheetResponse) postState {
	out := postState{}
	if resp == nil || resp.UpdatedSpreadsheet == nil {
		return out
	}
	for _, sh := range resp.UpdatedSpreadsheet.Sheets {
		if sh.Properties == nil {
			continue
		}
		for _, g := range sh.Data {
			for i, rd := range g.RowData {
				row := make([]any, len(rd.Values))
				for c, v := range rd.Values {
					if v != nil {
						row[c] = extString(v.UserEnteredValue)
					}
				}
				out[gridKey{sh.Properties.SheetId, int(g.StartRow) + i}] = row
			}
		}
	}
	return out
}

// verify reads the write's answer: every header where the index has it,
// every updated row still holding its key. It returns the tabs where the
// write did not land as intended, because the team changed the sheet in
// the round trip between the verification read and the write.
func (p *writePlan) verify(resp *sheets.BatchUpdateSpreadsheetResponse) map[*tab]bool {
	post := postOf(resp)
	bad := map[*tab]bool{}
	for _, t := range p.tabs {
		if !t.headerMatches(post[gridKey{t.sheetID, 0}]) {
			bad[t] = true
		}
	}
	for _, g := range p.updates {
		if g.t.idAt(post[gridKey{g.t.sheetID, g.row}]) != g.key {
			bad[g.t] = true
		}
	}
	return bad
}

// commit records the rows the write added, except in the tabs of skip,
// which are indexed again.
func (p *writePlan) commit(skip map[*tab]bool) {
	for _, g := range p.updates {
		if g.legacy != "" && !skip[g.t] {
			// The row now names its source.
			g.t.index[g.key] = g.t.index[g.legacy]
			delete(g.t.index, g.legacy)
		}
	}
	for t, news := range p.inserts {
		if skip[t] {
			continue
		}
		at := p.at[t]
		for i, g := range news {
			t.index[g.key] = entry{row: at + i}
		}
		t.lastRow = at + len(news) - 1
		t.rowCount += int64(len(news))
		if p.append[t] {
			t.rowCount = max(t.rowCount, int64(at+len(news)+1)) // and a blank row
		}
	}
}
