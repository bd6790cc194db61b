package gsheetstest

import (
	"slices"
	"strconv"

	"google.golang.org/api/sheets/v4"
)

// metaRef is one piece of developer metadata and where it is stored.
type metaRef struct {
	m     *devMeta
	sheet int    // index of the sheet; -1 for the spreadsheet
	dim   string // "ROWS" or "COLUMNS" for row and column metadata
	index int    // row or column index
}

func (r metaRef) locationType() string {
	switch {
	case r.sheet < 0:
		return "SPREADSHEET"
	case r.dim == "ROWS":
		return "ROW"
	case r.dim == "COLUMNS":
		return "COLUMN"
	}
	return "SHEET"
}

func (r metaRef) api(ss *spreadsheet) *sheets.DeveloperMetadata {
	switch {
	case r.sheet < 0:
		return r.m.api(spreadsheetLocation())
	case r.dim != "":
		return r.m.api(rowLocation(ss.sheets[r.sheet].id(), r.dim, r.index))
	}
	return r.m.api(sheetLocation(ss.sheets[r.sheet].id()))
}

// allMeta lists every piece of metadata in document order.
func allMeta(ss *spreadsheet) []metaRef {
	var out []metaRef
	for _, m := range ss.meta {
		out = append(out, metaRef{m: m, sheet: -1})
	}
	for i, sh := range ss.sheets {
		for _, m := range sh.meta {
			out = append(out, metaRef{m: m, sheet: i})
		}
		for r, rw := range sh.rows {
			if rw == nil {
				continue
			}
			for _, m := range rw.dim.meta {
				out = append(out, metaRef{m: m, sheet: i, dim: "ROWS", index: r})
			}
		}
		for c, d := range sh.cols {
			for _, m := range d.meta {
				out = append(out, metaRef{m: m, sheet: i, dim: "COLUMNS", index: c})
			}
		}
	}
	return out
}

// location is a resolved DeveloperMetadataLocation: a spreadsheet, a sheet,
// or a span of rows or columns on a sheet.
type location struct {
	spreadsheet bool
	sheet       int
	dim         string
	start, end  int
}

func resolveLocation(ss *spreadsheet, l *sheets.DeveloperMetadataLocation) (location, error) {
	switch {
	case l == nil:
		return location{}, invalidArgument("A location must be specified.")
	case l.Spreadsheet:
		return location{spreadsheet: true, sheet: -1}, nil
	case l.DimensionRange != nil:
		d := l.DimensionRange
		i, sh := ss.sheetByID(d.SheetId)
		if sh == nil {
			return location{}, invalidArgument("No grid with id: %d", d.SheetId)
		}
		if d.Dimension != "ROWS" && d.Dimension != "COLUMNS" {
			return location{}, invalidArgument("A dimension must be specified.")
		}
		size := sh.rowCount()
		if d.Dimension == "COLUMNS" {
			size = sh.colCount()
		}
		end := int(d.EndIndex)
		if end == 0 {
			end = size
		}
		if d.StartIndex < 0 || int(d.StartIndex) >= end || end > size {
			return location{}, invalidArgument("Invalid dimensionRange: [%d, %d) is outside the sheet, which has %d %s.", d.StartIndex, end, size, lowerWord(d.Dimension))
		}
		return location{sheet: i, dim: d.Dimension, start: int(d.StartIndex), end: end}, nil
	}
	i, sh := ss.sheetByID(l.SheetId)
	if sh == nil {
		return location{}, invalidArgument("No grid with id: %d", l.SheetId)
	}
	return location{sheet: i}, nil
}

func lowerWord(dim string) string {
	if dim == "COLUMNS" {
		return "columns"
	}
	return "rows"
}

// exact reports whether metadata at r sits exactly at l.
func (l location) exact(r metaRef) bool {
	switch {
	case l.spreadsheet:
		return r.sheet < 0
	case l.dim == "":
		return r.sheet == l.sheet && r.dim == ""
	}
	return r.sheet == l.sheet && r.dim == l.dim && r.index == l.start && l.end == l.start+1
}

// intersects reports whether the area of metadata at r overlaps l. A sheet
// overlaps its rows and columns; a row overlaps every column of its sheet;
// the spreadsheet overlaps nothing but itself.
func (l location) intersects(r metaRef) bool {
	switch {
	case l.spreadsheet || r.sheet < 0:
		return l.spreadsheet && r.sheet < 0
	case r.sheet != l.sheet:
		return false
	case l.dim == "" || r.dim == "" || r.dim != l.dim:
		return true
	}
	return l.start <= r.index && r.index < l.end
}

// lookupMatches applies a DeveloperMetadataLookup to metadata at r.
func lookupMatches(ss *spreadsheet, q *sheets.DeveloperMetadataLookup, r metaRef) (bool, error) {
	if q.MetadataId != 0 && q.MetadataId != r.m.id {
		return false, nil
	}
	if q.MetadataKey != "" && q.MetadataKey != r.m.key {
		return false, nil
	}
	if q.MetadataValue != "" && q.MetadataValue != r.m.value {
		return false, nil
	}
	if v := q.Visibility; v != "" && v != "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED" && v != r.m.visibility {
		return false, nil
	}
	if lt := q.LocationType; lt != "" && lt != "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED" && lt != r.locationType() {
		return false, nil
	}
	if q.MetadataLocation == nil {
		return true, nil
	}
	l, err := resolveLocation(ss, q.MetadataLocation)
	if err != nil {
		return false, err
	}
	if q.LocationMatchingStrategy == "EXACT_LOCATION" {
		return l.exact(r), nil
	}
	return l.intersects(r), nil
}

func checkLookup(q *sheets.DeveloperMetadataLookup) error {
	s := q.LocationMatchingStrategy
	if s != "" && s != "DEVELOPER_METADATA_LOCATION_MATCHING_STRATEGY_UNSPECIFIED" && q.MetadataLocation == nil {
		return invalidArgument("A metadataLocation must be specified when a locationMatchingStrategy is specified.")
	}
	if q.LocationType == "SPREADSHEET" && s != "EXACT_LOCATION" && q.MetadataLocation != nil {
		return invalidArgument("Spreadsheet locations cannot be used with an intersecting location matching strategy.")
	}
	return nil
}

// filterRect resolves an a1Range or gridRange data filter to a block.
func filterRect(ss *spreadsheet, f *sheets.DataFilter) (int, rect, bool, error) {
	switch {
	case f.A1Range != "":
		i, _, r, err := resolveRead(ss, f.A1Range)
		return i, r, true, err
	case f.GridRange != nil:
		i, sh := ss.sheetByID(f.GridRange.SheetId)
		if sh == nil {
			return 0, rect{}, true, invalidArgument("No grid with id: %d", f.GridRange.SheetId)
		}
		r, err := gridRect(sh, f.GridRange)
		return i, r, true, err
	}
	return 0, rect{}, false, nil
}

// metaMatches selects metadata with one data filter: a lookup, or a range the
// metadata's location intersects.
func metaMatches(ss *spreadsheet, f *sheets.DataFilter, r metaRef) (bool, error) {
	if f.DeveloperMetadataLookup != nil {
		if err := checkLookup(f.DeveloperMetadataLookup); err != nil {
			return false, err
		}
		return lookupMatches(ss, f.DeveloperMetadataLookup, r)
	}
	i, b, ok, err := filterRect(ss, f)
	if err != nil || !ok {
		return false, err
	}
	if r.sheet != i {
		return false, nil
	}
	switch r.dim {
	case "ROWS":
		return b.r0 <= r.index && r.index < b.r1, nil
	case "COLUMNS":
		return b.c0 <= r.index && r.index < b.c1, nil
	}
	return true, nil
}

func checkFilter(f *sheets.DataFilter, i int) error {
	n := 0
	if f.A1Range != "" {
		n++
	}
	if f.GridRange != nil {
		n++
	}
	if f.DeveloperMetadataLookup != nil {
		n++
	}
	if n != 1 {
		return invalidArgument("Invalid dataFilters[%d]: exactly one of a1Range, gridRange or developerMetadataLookup must be set.", i)
	}
	return nil
}

// searchMeta returns the metadata any filter selects, with the filters that
// selected each, in document order.
func searchMeta(ss *spreadsheet, filters []*sheets.DataFilter) ([]metaRef, [][]*sheets.DataFilter, error) {
	var refs []metaRef
	var by [][]*sheets.DataFilter
	all := allMeta(ss)
	for i, f := range filters {
		if f == nil {
			continue
		}
		if err := checkFilter(f, i); err != nil {
			return nil, nil, err
		}
	}
	for _, r := range all {
		var hit []*sheets.DataFilter
		for _, f := range filters {
			if f == nil {
				continue
			}
			ok, err := metaMatches(ss, f, r)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				hit = append(hit, f)
			}
		}
		if hit != nil {
			refs = append(refs, r)
			by = append(by, hit)
		}
	}
	return refs, by, nil
}

// matchedRange is a block of cells data filters selected.
type matchedRange struct {
	sheet   int
	rect    rect
	filters []*sheets.DataFilter
}

// matchRanges resolves data filters to blocks of cells: a range selects
// itself; a metadata lookup selects the row, column or sheet each matching
// piece of metadata is on. Spreadsheet metadata selects no cells. A block
// selected by several filters appears once.
func matchRanges(ss *spreadsheet, filters []*sheets.DataFilter) ([]matchedRange, error) {
	var out []matchedRange
	add := func(sheet int, r rect, f *sheets.DataFilter) {
		for i := range out {
			if out[i].sheet == sheet && out[i].rect == r {
				if !slices.Contains(out[i].filters, f) {
					out[i].filters = append(out[i].filters, f)
				}
				return
			}
		}
		out = append(out, matchedRange{sheet: sheet, rect: r, filters: []*sheets.DataFilter{f}})
	}
	for i, f := range filters {
		if f == nil {
			continue
		}
		if err := checkFilter(f, i); err != nil {
			return nil, err
		}
		if si, r, ok, err := filterRect(ss, f); ok {
			if err != nil {
				return nil, err
			}
			add(si, r, f)
			continue
		}
		refs, _, err := searchMeta(ss, []*sheets.DataFilter{f})
		if err != nil {
			return nil, err
		}
		for _, ref := range refs {
			if ref.sheet < 0 {
				continue
			}
			sh := ss.sheets[ref.sheet]
			r := sh.grid()
			switch ref.dim {
			case "ROWS":
				r.r0, r.r1 = ref.index, ref.index+1
			case "COLUMNS":
				r.c0, r.c1 = ref.index, ref.index+1
			}
			add(ref.sheet, r, f)
		}
	}
	return out, nil
}

func handleMetadataSearch(c *call) (any, error) {
	var req sheets.SearchDeveloperMetadataRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	return c.read(func(ss *spreadsheet) (any, error) {
		refs, by, err := searchMeta(ss, req.DataFilters)
		if err != nil {
			return nil, err
		}
		resp := &sheets.SearchDeveloperMetadataResponse{}
		for i, r := range refs {
			resp.MatchedDeveloperMetadata = append(resp.MatchedDeveloperMetadata, &sheets.MatchedDeveloperMetadata{
				DeveloperMetadata: r.api(ss), DataFilters: by[i],
			})
		}
		return resp, nil
	})
}

func handleMetadataGet(c *call) (any, error) {
	id, err := strconv.ParseInt(c.rng, 10, 32)
	if err != nil {
		return nil, invalidArgument("Invalid value at 'metadata_id' (TYPE_INT32), %q", c.rng)
	}
	return c.read(func(ss *spreadsheet) (any, error) {
		for _, r := range allMeta(ss) {
			if r.m.id == id {
				return r.api(ss), nil
			}
		}
		return nil, notFound("No developer metadata with ID: %d", id)
	})
}

// usedIDs returns the set of metadata ids in use, computed once per write.
func (t *tx) usedIDs() map[int64]bool {
	if t.metaIDs == nil {
		t.metaIDs = map[int64]bool{}
		for _, r := range allMeta(t.ss) {
			t.metaIDs[r.m.id] = true
		}
	}
	return t.metaIDs
}

// editMeta replaces the metadata list at a location with f's result.
func (t *tx) editMeta(l location, index int, f func([]*devMeta) []*devMeta) {
	switch {
	case l.spreadsheet:
		t.ss.meta = f(slices.Clone(t.ss.meta))
	case l.dim == "ROWS":
		rw := t.sheet(l.sheet).mutRow(index)
		rw.dim.meta = f(slices.Clone(rw.dim.meta))
	case l.dim == "COLUMNS":
		sh := t.sheet(l.sheet)
		sh.cols[index].meta = f(slices.Clone(sh.cols[index].meta))
	default:
		sh := t.sheet(l.sheet)
		sh.meta = f(slices.Clone(sh.meta))
	}
}

func refLocation(r metaRef) location {
	if r.sheet < 0 {
		return location{spreadsheet: true, sheet: -1}
	}
	return location{sheet: r.sheet, dim: r.dim, start: r.index, end: r.index + 1}
}

func without(id int64) func([]*devMeta) []*devMeta {
	return func(ms []*devMeta) []*devMeta {
		return slices.DeleteFunc(ms, func(m *devMeta) bool { return m.id == id })
	}
}

func validVisibility(v string) bool { return v == "DOCUMENT" || v == "PROJECT" }

// placeMeta checks a location for new or moved metadata: a single row or
// column, a sheet or the spreadsheet.
func placeMeta(ss *spreadsheet, l *sheets.DeveloperMetadataLocation) (location, error) {
	loc, err := resolveLocation(ss, l)
	if err != nil {
		return loc, err
	}
	if loc.dim != "" && loc.end != loc.start+1 {
		return loc, invalidArgument("Developer metadata may only be associated with a single row or column; the dimensionRange spans %d.", loc.end-loc.start)
	}
	return loc, nil
}

func (t *tx) createMeta(dm *sheets.DeveloperMetadata) (*sheets.CreateDeveloperMetadataResponse, error) {
	if dm == nil {
		return nil, invalidArgument("Developer metadata must be specified.")
	}
	if dm.MetadataKey == "" {
		return nil, invalidArgument("Developer metadata must have a metadataKey specified.")
	}
	if !validVisibility(dm.Visibility) {
		return nil, invalidArgument("Developer metadata must have a visibility specified.")
	}
	loc, err := placeMeta(t.ss, dm.Location)
	if err != nil {
		return nil, err
	}
	used := t.usedIDs()
	id := dm.MetadataId
	switch {
	case id < 0:
		return nil, invalidArgument("Developer metadata ID must be positive: %d", id)
	case id > 0 && used[id]:
		return nil, invalidArgument("Developer metadata with ID %d already exists.", id)
	case id == 0:
		for id == 0 || used[id] {
			id = 1 + t.srv.rnd.Int64N(1<<31-1)
		}
	}
	used[id] = true
	m := &devMeta{id: id, key: dm.MetadataKey, value: dm.MetadataValue, visibility: dm.Visibility}
	t.editMeta(loc, loc.start, func(ms []*devMeta) []*devMeta { return append(ms, m) })
	ref := metaRef{m: m, sheet: loc.sheet, dim: loc.dim, index: loc.start}
	return &sheets.CreateDeveloperMetadataResponse{DeveloperMetadata: ref.api(t.ss)}, nil
}

func (t *tx) updateMeta(req *sheets.UpdateDeveloperMetadataRequest) (*sheets.UpdateDeveloperMetadataResponse, error) {
	if len(req.DataFilters) == 0 {
		return nil, invalidArgument("At least one data filter must be specified.")
	}
	if req.DeveloperMetadata == nil {
		return nil, invalidArgument("Developer metadata must be specified.")
	}
	paths, err := maskPaths(req.Fields)
	if err != nil {
		return nil, err
	}
	refs, _, err := searchMeta(t.ss, req.DataFilters)
	if err != nil {
		return nil, err
	}
	src := req.DeveloperMetadata
	resp := &sheets.UpdateDeveloperMetadataResponse{}
	for _, r := range refs {
		m := *r.m
		var moveTo *location
		for _, p := range paths {
			switch p {
			case "*":
				m.key, m.value, m.visibility = src.MetadataKey, src.MetadataValue, src.Visibility
				if src.Location != nil {
					l, err := placeMeta(t.ss, src.Location)
					if err != nil {
						return nil, err
					}
					moveTo = &l
				}
			case "metadataKey":
				m.key = src.MetadataKey
			case "metadataValue":
				m.value = src.MetadataValue
			case "visibility":
				m.visibility = src.Visibility
			case "location":
				l, err := placeMeta(t.ss, src.Location)
				if err != nil {
					return nil, err
				}
				moveTo = &l
			case "metadataId":
				return nil, invalidArgument("metadataId cannot be updated.")
			default:
				return nil, invalidArgument("Invalid field mask path: %q", p)
			}
		}
		if m.key == "" {
			return nil, invalidArgument("Developer metadata must have a metadataKey specified.")
		}
		if !validVisibility(m.visibility) {
			return nil, invalidArgument("Developer metadata must have a visibility specified.")
		}
		nm := &m
		from := refLocation(r)
		to, toIndex := from, r.index
		if moveTo != nil {
			to, toIndex = *moveTo, moveTo.start
		}
		t.editMeta(from, r.index, without(r.m.id))
		t.editMeta(to, toIndex, func(ms []*devMeta) []*devMeta { return append(ms, nm) })
		ref := metaRef{m: nm, sheet: to.sheet, dim: to.dim, index: toIndex}
		resp.DeveloperMetadata = append(resp.DeveloperMetadata, ref.api(t.ss))
	}
	return resp, nil
}

func (t *tx) deleteMeta(req *sheets.DeleteDeveloperMetadataRequest) (*sheets.DeleteDeveloperMetadataResponse, error) {
	if req.DataFilter == nil {
		return nil, invalidArgument("A data filter must be specified.")
	}
	refs, _, err := searchMeta(t.ss, []*sheets.DataFilter{req.DataFilter})
	if err != nil {
		return nil, err
	}
	resp := &sheets.DeleteDeveloperMetadataResponse{}
	for _, r := range refs {
		resp.DeletedDeveloperMetadata = append(resp.DeletedDeveloperMetadata, r.api(t.ss))
		t.editMeta(refLocation(r), r.index, without(r.m.id))
		delete(t.usedIDs(), r.m.id)
	}
	return resp, nil
}
