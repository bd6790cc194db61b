package gsheetstest

import (
	"fmt"

	"google.golang.org/api/sheets/v4"
)

const (
	defaultRowPixels    = 21
	defaultColumnPixels = 100
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// newID returns a spreadsheet id shaped like Google's: 44 URL-safe characters.
// The caller holds s.mu.
func (s *Server) newID() string {
	for {
		b := make([]byte, 44)
		b[0] = '1'
		for i := 1; i < len(b); i++ {
			b[i] = idAlphabet[s.rnd.IntN(len(idAlphabet))]
		}
		if s.books[string(b)] == nil {
			return string(b)
		}
	}
}

// sheetProps renders the properties of the i-th sheet as the API shows them.
func sheetProps(ss *spreadsheet, i int) *sheets.SheetProperties {
	sh := ss.sheets[i]
	p := sh.props
	p.Index = int64(i)
	p.SheetType = "GRID"
	g := sheets.GridProperties{}
	if sh.props.GridProperties != nil {
		g = *sh.props.GridProperties
	}
	g.RowCount, g.ColumnCount = int64(sh.rowCount()), int64(sh.colCount())
	p.GridProperties = &g
	p.ForceSendFields = []string{"SheetId", "Index"}
	return &p
}

// renderSpreadsheet renders a spreadsheet resource. With ranges, only the
// sheets they name are included, with grid data for those ranges when
// withData is set.
func renderSpreadsheet(ss *spreadsheet, withData bool, ranges []string) (*sheets.Spreadsheet, error) {
	out := &sheets.Spreadsheet{
		SpreadsheetId:  ss.id,
		SpreadsheetUrl: "https://docs.google.com/spreadsheets/d/" + ss.id + "/edit",
	}
	props := ss.props
	out.Properties = &props
	for _, m := range ss.meta {
		out.DeveloperMetadata = append(out.DeveloperMetadata, m.api(spreadsheetLocation()))
	}
	blocks := map[int][]rect{}
	if len(ranges) > 0 {
		for _, rng := range ranges {
			i, _, r, err := resolveRead(ss, rng)
			if err != nil {
				return nil, err
			}
			blocks[i] = append(blocks[i], r)
		}
	}
	for i, sh := range ss.sheets {
		rs, named := blocks[i]
		if len(ranges) > 0 && !named {
			continue
		}
		s := &sheets.Sheet{Properties: sheetProps(ss, i), ProtectedRanges: sh.protected, BasicFilter: sh.filter}
		for _, m := range sh.meta {
			s.DeveloperMetadata = append(s.DeveloperMetadata, m.api(sheetLocation(sh.id())))
		}
		if withData {
			if !named {
				rs = []rect{sh.grid()}
			}
			for _, r := range rs {
				s.Data = append(s.Data, gridData(sh, r))
			}
		}
		out.Sheets = append(out.Sheets, s)
	}
	return out, nil
}

// gridData renders block r as grid data: every row's and column's
// properties, and cells up to the last row and column that hold anything.
func gridData(sh *sheet, r rect) *sheets.GridData {
	g := &sheets.GridData{StartRow: int64(r.r0), StartColumn: int64(r.c0)}
	last := -1
	for rr := r.r0; rr < r.r1; rr++ {
		if rw := sh.rows[rr]; rw != nil && len(rw.cells) > r.c0 {
			last = rr
		}
	}
	for rr := r.r0; rr <= last; rr++ {
		rd := &sheets.RowData{}
		if rw := sh.rows[rr]; rw != nil {
			for c := r.c0; c < min(r.c1, len(rw.cells)); c++ {
				rd.Values = append(rd.Values, rw.cells[c].cellData())
			}
		}
		g.RowData = append(g.RowData, rd)
	}
	for rr := r.r0; rr < r.r1; rr++ {
		g.RowMetadata = append(g.RowMetadata, dimProps(sh.rowDim(rr), sh.id(), "ROWS", rr, defaultRowPixels))
	}
	for c := r.c0; c < r.c1; c++ {
		g.ColumnMetadata = append(g.ColumnMetadata, dimProps(sh.cols[c], sh.id(), "COLUMNS", c, defaultColumnPixels))
	}
	return g
}

func handleGet(c *call) (any, error) {
	withData := boolParam(c.query, "includeGridData")
	return c.read(func(ss *spreadsheet) (any, error) {
		return renderSpreadsheet(ss, withData, c.query["ranges"])
	})
}

func handleGetByDataFilter(c *call) (any, error) {
	var req sheets.GetSpreadsheetByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	return c.read(func(ss *spreadsheet) (any, error) {
		matches, err := matchRanges(ss, req.DataFilters)
		if err != nil {
			return nil, err
		}
		var ranges []string
		for _, m := range matches {
			ranges = append(ranges, formatRange(ss.sheets[m.sheet].title(), m.rect))
		}
		if len(req.DataFilters) > 0 && len(ranges) == 0 {
			out, err := renderSpreadsheet(ss, false, nil)
			if out != nil {
				out.Sheets = nil
			}
			return out, err
		}
		return renderSpreadsheet(ss, req.IncludeGridData, ranges)
	})
}

func handleCreate(c *call) (any, error) {
	var req sheets.Spreadsheet
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	if len(req.NamedRanges) > 0 || len(req.DataSources) > 0 || len(req.DeveloperMetadata) > 0 {
		return nil, unimplemented("creating a spreadsheet with named ranges, data sources or developer metadata is not implemented")
	}
	var props []*sheets.SheetProperties
	for i, sh := range req.Sheets {
		if sh == nil {
			continue
		}
		if len(sh.Data) > 0 || len(sh.Merges) > 0 || len(sh.ConditionalFormats) > 0 || len(sh.Charts) > 0 || len(sh.BandedRanges) > 0 {
			return nil, unimplemented("sheets[%d]: creating a sheet with data, merges, formats, charts or bands is not implemented", i)
		}
		p := sh.Properties
		if p == nil {
			p = &sheets.SheetProperties{}
		}
		props = append(props, p)
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ss, err := c.s.create(req.Properties, props, false)
	if err != nil {
		return nil, err
	}
	return renderSpreadsheet(ss, false, nil)
}

// create makes and stores a spreadsheet. As in Google, the first sheet gets
// id 0 unless it names one; randomIDs gives every sheet a random id instead.
// The caller holds s.mu.
func (s *Server) create(p *sheets.SpreadsheetProperties, sheetProps []*sheets.SheetProperties, randomIDs bool) (*spreadsheet, error) {
	s.gen++
	ss := &spreadsheet{gen: s.gen, id: s.newID()}
	if p != nil {
		ss.props = *p
	}
	if ss.props.Title == "" {
		ss.props.Title = "Untitled spreadsheet"
	}
	if ss.props.Locale == "" {
		ss.props.Locale = "en_US"
	}
	if ss.props.TimeZone == "" {
		ss.props.TimeZone = "Etc/GMT"
	}
	if ss.props.AutoRecalc == "" {
		ss.props.AutoRecalc = "ON_CHANGE"
	}
	if len(sheetProps) == 0 {
		sheetProps = []*sheets.SheetProperties{{}}
	}
	t := &tx{gen: ss.gen, ss: ss, srv: s}
	for i, sp := range sheetProps {
		q := *sp
		if q.Title == "" {
			q.Title = fmt.Sprintf("Sheet%d", i+1)
		}
		if err := checkTitle(ss, q.Title, nil); err != nil {
			return nil, err
		}
		sh, err := t.newSheet(&q, i == 0 && !randomIDs)
		if err != nil {
			return nil, err
		}
		ss.sheets = append(ss.sheets, sh)
	}
	if err := checkCellLimit(ss); err != nil {
		return nil, err
	}
	s.books[ss.id] = ss
	return ss, nil
}
