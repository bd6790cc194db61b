package graphtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type handlerFunc func(c *call) (result, *apiError)

// route finds the operation a method and URL (below /v1.0) name.
func (s *Server) route(method, raw string) (string, handlerFunc, *apiError) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, errf(400, "BadRequest", "Invalid request URL.")
	}
	q := map[string]string{}
	for k, v := range u.Query() {
		q[k] = v[0]
	}
	path := u.Path
	notFound := errf(404, "ItemNotFound", "The resource could not be found.")
	wrap := func(op string, h handlerFunc) (string, handlerFunc, *apiError) {
		return op, func(c *call) (result, *apiError) { c.query = q; return h(c) }, nil
	}
	switch {
	case strings.HasPrefix(path, "/sites/"):
		rest := strings.TrimPrefix(path, "/sites/")
		if id, p, ok := strings.Cut(rest, "/drive/root:"); ok && method == http.MethodGet {
			return wrap(OpItem, func(c *call) (result, *apiError) { return c.s.itemByPath(id, strings.TrimSuffix(p, ":")) })
		}
		if host, p, ok := strings.Cut(rest, ":"); ok && method == http.MethodGet {
			return wrap(OpSite, func(c *call) (result, *apiError) { return c.s.siteByPath(host, strings.TrimSuffix(p, ":")) })
		}
		return "", nil, notFound
	case strings.HasPrefix(path, "/drives/"):
	default:
		return "", nil, notFound
	}
	seg := strings.Split(strings.TrimPrefix(path, "/drives/"), "/")
	if len(seg) < 4 || seg[1] != "items" || seg[3] != "workbook" {
		return "", nil, notFound
	}
	key := seg[0] + "/" + seg[2]
	rest := seg[4:]
	wb := func(op string, needSession bool, h func(c *call, rest []string) (result, *apiError)) (string, handlerFunc, *apiError) {
		return wrap(op, func(c *call) (result, *apiError) {
			b := c.s.books[key]
			if b == nil {
				return result{}, errf(404, "ItemNotFound", "The resource could not be found.")
			}
			c.book = b
			if Writes(op) && b.lock != 0 {
				return result{}, Fault(map[int]Fault{423: FaultLocked, 409: FaultConflict}[b.lock]).apiError()
			}
			if c.session != "" && op != OpCreateSession {
				ss := b.sessions[c.session]
				now := c.s.now().UnixNano()
				if ss == nil || time.Duration(now-ss.last) > c.s.sessionTTL {
					delete(b.sessions, c.session)
					return result{}, errf(404, "InvalidSessionReCreatable", "The session specified in the request does not exist or is invalid.")
				}
				ss.last = now
			}
			return h(c, rest)
		})
	}
	if len(rest) == 0 {
		return "", nil, notFound
	}
	m := method
	switch {
	case len(rest) == 1 && rest[0] == "createSession" && m == "POST":
		return wb(OpCreateSession, false, createSession)
	case len(rest) == 1 && (rest[0] == "closeSession" || rest[0] == "refreshSession") && m == "POST":
		return wb(OpCloseSession, true, closeSession)
	case len(rest) == 1 && rest[0] == "tables" && m == "GET":
		return wb(OpTables, true, listTables)
	case len(rest) == 2 && rest[0] == "tables" && rest[1] == "add" && m == "POST":
		return wb(OpTableAdd, true, addTable)
	case len(rest) == 1 && rest[0] == "worksheets" && m == "GET":
		return wb(OpSheets, true, listSheets)
	case len(rest) == 2 && rest[0] == "worksheets" && rest[1] == "add" && m == "POST":
		return wb(OpSheetAdd, true, addSheet)
	case len(rest) >= 2 && rest[0] == "worksheets":
		return s.sheetRoute(m, rest[1:], wb)
	case len(rest) >= 2 && rest[0] == "tables":
		return s.tableRoute(m, rest[1:], wb)
	}
	return "", nil, notFound
}

type wbFunc func(op string, needSession bool, h func(c *call, rest []string) (result, *apiError)) (string, handlerFunc, *apiError)

func (s *Server) sheetRoute(m string, rest []string, wb wbFunc) (string, handlerFunc, *apiError) {
	name, _ := url.PathUnescape(rest[0])
	sheet := func(c *call) (*worksheet, *apiError) {
		sh := c.book.sheet(name)
		if sh == nil {
			return nil, errf(404, "ItemNotFound", "The requested resource doesn't exist.")
		}
		return sh, nil
	}
	switch {
	case len(rest) == 1 && m == "PATCH":
		return wb(OpSheetUpdate, true, func(c *call, _ []string) (result, *apiError) {
			sh, e := sheet(c)
			if e != nil {
				return result{}, e
			}
			var in struct {
				Name       *string `json:"name"`
				Visibility *string `json:"visibility"`
			}
			if e := c.decode(&in); e != nil {
				return result{}, e
			}
			if in.Name != nil {
				sh.name = *in.Name
			}
			if in.Visibility != nil {
				sh.hidden = *in.Visibility != "Visible"
			}
			return result{v: sheetJSON(c.book, sh)}, nil
		})
	case len(rest) == 3 && rest[1] == "tables" && rest[2] == "add" && m == "POST":
		return wb(OpTableAdd, true, func(c *call, _ []string) (result, *apiError) {
			sh, e := sheet(c)
			if e != nil {
				return result{}, e
			}
			return addTableOn(c, sh)
		})
	case len(rest) >= 2 && (strings.HasPrefix(rest[1], "range(") || rest[1] == "usedRange"):
		addr := ""
		if strings.HasPrefix(rest[1], "range(") {
			a, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(rest[1], "range("), ")"))
			if err != nil {
				return "", nil, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
			}
			addr = strings.Trim(strings.TrimPrefix(a, "address="), "'")
		}
		target := func(c *call) (rect, *apiError) {
			sh, e := sheet(c)
			if e != nil {
				return rect{}, e
			}
			if addr == "" {
				return usedRange(sh), nil
			}
			r, err := parseA1(sh, addr)
			if err != nil {
				return rect{}, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
			}
			return r, nil
		}
		switch {
		case len(rest) == 2 && m == "GET":
			return wb(OpRangeGet, true, func(c *call, _ []string) (result, *apiError) {
				r, e := target(c)
				if e != nil {
					return result{}, e
				}
				return result{v: rangeJSON(r, c.query["$select"])}, nil
			})
		case len(rest) == 2 && m == "PATCH":
			return wb(OpRangeUpdate, true, func(c *call, _ []string) (result, *apiError) {
				r, e := target(c)
				if e != nil {
					return result{}, e
				}
				return updateRange(c, r)
			})
		case len(rest) == 3 && rest[2] == "format" && m == "PATCH":
			return wb(OpFormatUpdate, true, func(c *call, _ []string) (result, *apiError) {
				r, e := target(c)
				if e != nil {
					return result{}, e
				}
				var in struct {
					ColumnHidden *bool `json:"columnHidden"`
				}
				if e := c.decode(&in); e != nil {
					return result{}, e
				}
				if in.ColumnHidden != nil {
					for col := r.c0; col <= r.c1; col++ {
						r.sheet.hiddenCols[col] = *in.ColumnHidden
					}
				}
				return result{v: map[string]any{"columnHidden": in.ColumnHidden}}, nil
			})
		}
	}
	return "", nil, errf(404, "ItemNotFound", "The resource could not be found.")
}

func (s *Server) tableRoute(m string, rest []string, wb wbFunc) (string, handlerFunc, *apiError) {
	name, _ := url.PathUnescape(rest[0])
	tbl := func(c *call) (*table, *apiError) {
		t := c.book.table(name)
		if t == nil {
			return nil, errf(404, "ItemNotFound", "The requested resource doesn't exist.")
		}
		return t, nil
	}
	with := func(op string, h func(c *call, t *table) (result, *apiError)) (string, handlerFunc, *apiError) {
		return wb(op, true, func(c *call, _ []string) (result, *apiError) {
			t, e := tbl(c)
			if e != nil {
				return result{}, e
			}
			return h(c, t)
		})
	}
	sub := rest[1:]
	get := m == "GET"
	switch {
	case len(sub) == 0 && get:
		return with(OpTable, func(c *call, t *table) (result, *apiError) { return result{v: tableJSON(t)}, nil })
	case len(sub) == 0 && m == "PATCH":
		return with(OpTableUpdate, func(c *call, t *table) (result, *apiError) {
			var in struct {
				Name *string `json:"name"`
			}
			if e := c.decode(&in); e != nil {
				return result{}, e
			}
			if in.Name != nil {
				if o := c.book.table(*in.Name); o != nil && o != t {
					return result{}, errf(400, "InvalidArgument", "A table with that name already exists.")
				}
				t.name = *in.Name
			}
			return result{v: tableJSON(t)}, nil
		})
	case len(sub) == 1 && get && (sub[0] == "range" || sub[0] == "headerRowRange" || sub[0] == "dataBodyRange"):
		return with(OpRangeGet, func(c *call, t *table) (result, *apiError) {
			r := rect{sheet: t.sheet, r0: t.top, c0: t.left, r1: t.bottom(), c1: t.left + t.cols - 1}
			switch sub[0] {
			case "headerRowRange":
				r.r1 = t.top
			case "dataBodyRange":
				r.r0++
				if t.rows == 0 {
					r.r1 = r.r0
				}
			}
			return result{v: rangeJSON(r, c.query["$select"])}, nil
		})
	case len(sub) == 1 && sub[0] == "columns" && get:
		return with(OpColumns, func(c *call, t *table) (result, *apiError) {
			var out []any
			for i, h := range t.headers() {
				out = append(out, map[string]any{"id": strconv.Itoa(i + 1), "index": i, "name": h})
			}
			return result{v: map[string]any{"value": out}}, nil
		})
	case len(sub) == 2 && sub[0] == "columns" && sub[1] == "add" && m == "POST":
		return with(OpColumnAdd, addColumn)
	case len(sub) == 3 && sub[0] == "columns" && get && (sub[2] == "range" || sub[2] == "dataBodyRange"):
		return with(OpRangeGet, func(c *call, t *table) (result, *apiError) {
			col, _ := url.PathUnescape(sub[1])
			i := columnIndex(t, col)
			if i < 0 {
				return result{}, errf(404, "ItemNotFound", "The requested resource doesn't exist.")
			}
			r := rect{sheet: t.sheet, r0: t.top, c0: t.left + i, r1: t.bottom(), c1: t.left + i}
			if sub[2] == "dataBodyRange" {
				r.r0++
				if t.rows == 0 {
					r.r1 = r.r0
				}
			}
			return result{v: rangeJSON(r, c.query["$select"])}, nil
		})
	case len(sub) == 1 && sub[0] == "rows" && get:
		return with(OpRows, func(c *call, t *table) (result, *apiError) {
			skip, _ := strconv.Atoi(c.query["$skip"])
			top, err := strconv.Atoi(c.query["$top"])
			if err != nil {
				top = t.rows
			}
			out := []any{}
			for i := skip; i < t.rows && i < skip+top; i++ {
				out = append(out, map[string]any{"index": i, "values": [][]any{values(t.row(i))}})
			}
			return result{v: map[string]any{"value": out}}, nil
		})
	case len(sub) == 2 && sub[0] == "rows" && sub[1] == "add" && m == "POST":
		return with(OpRowsAdd, addRows)
	case len(sub) >= 2 && sub[0] == "rows" && strings.HasPrefix(sub[1], "itemAt("):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(sub[1], "itemAt(index="), ")"))
		if err != nil {
			return "", nil, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
		}
		at := func(t *table) *apiError {
			if n < 0 || n >= t.rows {
				return errf(404, "ItemNotFound", "The requested resource doesn't exist.")
			}
			return nil
		}
		switch {
		case len(sub) == 2 && get:
			return with(OpRowGet, func(c *call, t *table) (result, *apiError) {
				if e := at(t); e != nil {
					return result{}, e
				}
				return result{v: map[string]any{"index": n, "values": [][]any{values(t.row(n))}}}, nil
			})
		case len(sub) == 3 && sub[2] == "range" && get:
			return with(OpRangeGet, func(c *call, t *table) (result, *apiError) {
				if e := at(t); e != nil {
					return result{}, e
				}
				r := t.top + 1 + n
				return result{v: rangeJSON(rect{sheet: t.sheet, r0: r, r1: r, c0: t.left, c1: t.left + t.cols - 1}, c.query["$select"])}, nil
			})
		case len(sub) == 2 && m == "DELETE":
			return with(OpRowDelete, func(c *call, t *table) (result, *apiError) {
				if e := at(t); e != nil {
					return result{}, e
				}
				if t.rows == 1 {
					// Excel keeps one data row in a table: it is emptied.
					for col := 0; col < t.cols; col++ {
						delete(t.sheet.cells, pos{t.top + 1, t.left + col})
					}
				} else {
					t.deleteRow(n)
				}
				return result{status: 204}, nil
			})
		}
	case len(sub) == 2 && sub[0] == "sort" && sub[1] == "apply" && m == "POST":
		return with(OpSort, func(c *call, t *table) (result, *apiError) {
			var in struct {
				Fields []struct {
					Key       int  `json:"key"`
					Ascending bool `json:"ascending"`
				} `json:"fields"`
			}
			if e := c.decode(&in); e != nil || len(in.Fields) == 0 || in.Fields[0].Key >= t.cols {
				return result{}, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
			}
			t.sortBy(in.Fields[0].Key, !in.Fields[0].Ascending)
			return result{status: 204}, nil
		})
	}
	return "", nil, errf(404, "ItemNotFound", "The resource could not be found.")
}

func columnIndex(t *table, col string) int {
	for i, h := range t.headers() {
		if h == col || strconv.Itoa(i+1) == col {
			return i
		}
	}
	return -1
}

func createSession(c *call, _ []string) (result, *apiError) {
	var in struct {
		Persist bool `json:"persistChanges"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	if c.book.lock != 0 && in.Persist {
		return result{}, Fault(map[int]Fault{423: FaultLocked, 409: FaultConflict}[c.book.lock]).apiError()
	}
	c.book.nextID++
	id := fmt.Sprintf("session-%d-%d", c.book.nextID, c.s.rnd.Int64())
	c.book.sessions[id] = &session{id: id, persist: in.Persist, last: c.s.now().UnixNano()}
	c.s.stats.SessionsCreated++
	return result{status: 201, v: map[string]any{"id": id, "persistChanges": in.Persist}}, nil
}

func closeSession(c *call, _ []string) (result, *apiError) {
	if c.session == "" || c.book.sessions[c.session] == nil {
		return result{}, errf(400, "InvalidArgument", "The session id is missing.")
	}
	delete(c.book.sessions, c.session)
	c.s.stats.SessionsClosed++
	return result{status: 204}, nil
}

func listTables(c *call, _ []string) (result, *apiError) {
	out := []any{}
	for _, t := range c.book.tables {
		out = append(out, tableJSON(t))
	}
	return result{v: map[string]any{"value": out}}, nil
}

func listSheets(c *call, _ []string) (result, *apiError) {
	out := []any{}
	for _, sh := range c.book.sheets {
		out = append(out, sheetJSON(c.book, sh))
	}
	return result{v: map[string]any{"value": out}}, nil
}

func addSheet(c *call, _ []string) (result, *apiError) {
	var in struct {
		Name string `json:"name"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	if in.Name == "" {
		in.Name = "Sheet" + strconv.Itoa(len(c.book.sheets)+1)
	}
	if c.book.sheet(in.Name) != nil {
		return result{}, errf(400, "ItemAlreadyExists", "A worksheet with that name already exists.")
	}
	return result{status: 201, v: sheetJSON(c.book, c.book.addSheet(in.Name))}, nil
}

func addTable(c *call, _ []string) (result, *apiError) { return addTableOn(c, nil) }

// addTableOn makes a table of the cells at an address; with hasHeaders
// its first row is the header, else a header Column1… is inserted.
func addTableOn(c *call, sh *worksheet) (result, *apiError) {
	var in struct {
		Address    string `json:"address"`
		HasHeaders bool   `json:"hasHeaders"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	addr := in.Address
	if name, a, ok := strings.Cut(in.Address, "!"); ok {
		sh, addr = c.book.sheet(strings.Trim(name, "'")), a
	}
	if sh == nil {
		return result{}, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
	}
	r, err := parseA1(sh, addr)
	if err != nil || r.r1-r.r0 > 1_000_000 || r.c1-r.c0 > 16383 {
		return result{}, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
	}
	header := make([]string, r.c1-r.c0+1)
	for i := range header {
		header[i] = sh.cells[pos{r.r0, r.c0 + i}].text()
		if !in.HasHeaders || header[i] == "" {
			header[i] = "Column" + strconv.Itoa(i+1)
		}
	}
	c.book.nextID++
	t, e := c.book.addTable(sh, "Table"+strconv.Itoa(c.book.nextID), r.r0, r.c0, header)
	if e != nil {
		return result{}, errf(400, "InvalidArgument", "%v", e)
	}
	t.rows = max(r.r1-r.r0, 1) // Excel gives a table at least one data row
	return result{status: 201, v: tableJSON(t)}, nil
}

func addColumn(c *call, t *table) (result, *apiError) {
	var in struct {
		Index  *int    `json:"index"`
		Name   string  `json:"name"`
		Values [][]any `json:"values"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	idx := t.cols
	if in.Index != nil {
		idx = *in.Index
	}
	if idx < 0 || idx > t.cols {
		return result{}, errf(400, "InvalidArgument", "The index is out of range.")
	}
	name := in.Name
	if len(in.Values) > 0 && len(in.Values[0]) > 0 {
		name = fmt.Sprint(in.Values[0][0])
	}
	if name == "" {
		name = "Column" + strconv.Itoa(t.cols+1)
	}
	for _, h := range t.headers() {
		if strings.EqualFold(h, name) {
			name += strconv.Itoa(t.cols + 1) // Excel makes header names unique
		}
	}
	t.insertColumn(idx, name)
	return result{status: 201, v: map[string]any{"id": strconv.Itoa(idx + 1), "index": idx, "name": name}}, nil
}

func addRows(c *call, t *table) (result, *apiError) {
	var in struct {
		Index  *int                `json:"index"`
		Values [][]json.RawMessage `json:"values"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	if len(in.Values) == 0 {
		return result{}, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
	}
	for _, r := range in.Values {
		if len(r) != t.cols {
			return result{}, errf(400, "InvalidArgument", "The number of rows or columns in the input array doesn't match the size or dimensions of the range.")
		}
	}
	at := t.rows
	if in.Index != nil {
		at = *in.Index
	}
	if at < 0 || at > t.rows {
		return result{}, errf(400, "InvalidArgument", "The index is out of range.")
	}
	t.insertRows(at, len(in.Values))
	for i, r := range in.Values {
		for col, raw := range r {
			cl, ok, e := input(raw)
			if e != nil {
				return result{}, e
			}
			if ok {
				t.sheet.cells[pos{t.top + 1 + at + i, t.left + col}] = cl
			}
		}
	}
	return result{status: 201, v: map[string]any{"index": at, "values": [][]any{values(t.row(at))}}}, nil
}

// input reads one value of a values array: a string is typed input, a
// number a number, a boolean a boolean, null leaves the cell (ok false).
func input(raw json.RawMessage) (cell, bool, *apiError) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return cell{}, false, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
	}
	switch x := v.(type) {
	case nil:
		return cell{}, false, nil
	case string:
		return typed(x), true, nil
	case float64, bool:
		return cell{value: x}, true, nil
	}
	return cell{}, false, errf(400, "InvalidArgument", "The argument is invalid or missing or has an incorrect format.")
}

// updateRange applies values and number formats to a range: each array
// exactly its size, null leaving a cell as it is, "" emptying it.
// Formats apply first, so that a cell formatted as text ("@") takes a
// string as text.
func updateRange(c *call, r rect) (result, *apiError) {
	var in struct {
		Values       [][]json.RawMessage `json:"values"`
		NumberFormat [][]*string         `json:"numberFormat"`
		Formulas     [][]json.RawMessage `json:"formulas"`
	}
	if e := c.decode(&in); e != nil {
		return result{}, e
	}
	rows, cols := r.r1-r.r0+1, r.c1-r.c0+1
	bad := errf(400, "InvalidArgument", "The number of rows or columns in the input array doesn't match the size or dimensions of the range.")
	if in.Values == nil {
		in.Values = in.Formulas
	}
	for _, a := range [][]int{dims(in.Values), dimsS(in.NumberFormat)} {
		if a != nil && (a[0] != rows || a[1] != cols) {
			return result{}, bad
		}
	}
	for i, row := range in.NumberFormat {
		for j, f := range row {
			if f != nil {
				p := pos{r.r0 + i, r.c0 + j}
				cl := r.sheet.cells[p]
				cl.format = *f
				r.sheet.cells[p] = cl
			}
		}
	}
	for i, row := range in.Values {
		for j, raw := range row {
			p := pos{r.r0 + i, r.c0 + j}
			var s string
			if json.Unmarshal(raw, &s) == nil && r.sheet.cells[p].format == "@" {
				r.sheet.cells[p] = cell{value: s, format: "@"}
				if s == "" {
					r.sheet.cells[p] = cell{format: "@"}
				}
				continue
			}
			cl, ok, e := input(raw)
			if e != nil {
				return result{}, e
			}
			if !ok {
				continue
			}
			cl.format = r.sheet.cells[p].format
			if cl.empty() && cl.format == "" {
				delete(r.sheet.cells, p)
				continue
			}
			r.sheet.cells[p] = cl
		}
	}
	return result{v: rangeJSON(r, "")}, nil
}

func dims(v [][]json.RawMessage) []int {
	if v == nil {
		return nil
	}
	n := 0
	for _, r := range v {
		if n != 0 && len(r) != n {
			return []int{-1, -1}
		}
		n = len(r)
	}
	return []int{len(v), n}
}

func dimsS(v [][]*string) []int {
	if v == nil {
		return nil
	}
	n := 0
	for _, r := range v {
		if n != 0 && len(r) != n {
			return []int{-1, -1}
		}
		n = len(r)
	}
	return []int{len(v), n}
}

func usedRange(sh *worksheet) rect {
	r := rect{sheet: sh, r0: -1}
	for p := range sh.cells {
		if r.r0 < 0 {
			r.r0, r.r1, r.c0, r.c1 = p.r, p.r, p.c, p.c
		}
		r.r0, r.r1, r.c0, r.c1 = min(r.r0, p.r), max(r.r1, p.r), min(r.c0, p.c), max(r.c1, p.c)
	}
	if r.r0 < 0 {
		r.r0 = 0
	}
	return r
}

func values(cs []cell) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.value
		if c.value == nil {
			out[i] = ""
		}
	}
	return out
}

func tableJSON(t *table) map[string]any {
	return map[string]any{"id": t.id, "name": t.name, "showHeaders": true, "showTotals": false, "style": "TableStyleMedium2",
		"worksheet": map[string]any{"id": t.sheet.id, "name": t.sheet.name}}
}

func sheetJSON(b *workbook, sh *worksheet) map[string]any {
	vis := "Visible"
	if sh.hidden {
		vis = "Hidden"
	}
	i := 0
	for n, o := range b.sheets {
		if o == sh {
			i = n
		}
	}
	return map[string]any{"id": sh.id, "name": sh.name, "position": i, "visibility": vis}
}

// rangeJSON is a workbookRange; sel, when set, lists the properties to
// return ($select).
func rangeJSON(r rect, sel string) map[string]any {
	rows, cols := r.r1-r.r0+1, r.c1-r.c0+1
	if rows*cols > 5_000_000 {
		rows = 0
	}
	vals := make([][]any, rows)
	text := make([][]any, rows)
	forms := make([][]any, rows)
	nfs := make([][]any, rows)
	types := make([][]any, rows)
	for i := range rows {
		vals[i], text[i], forms[i], nfs[i], types[i] = make([]any, cols), make([]any, cols), make([]any, cols), make([]any, cols), make([]any, cols)
		for j := range cols {
			c := r.sheet.cells[pos{r.r0 + i, r.c0 + j}]
			v := c.value
			typ := "Empty"
			switch v.(type) {
			case nil:
				v = ""
			case string:
				typ = "String"
			case float64:
				typ = "Double"
			case bool:
				typ = "Boolean"
			}
			if c.formula != "" && v == "#NAME?" {
				typ = "Error"
			}
			f := c.format
			if f == "" {
				f = "General"
			}
			vals[i][j], text[i][j], nfs[i][j], types[i][j] = v, c.text(), f, typ
			forms[i][j] = v
			if c.formula != "" {
				forms[i][j] = c.formula
			}
		}
	}
	all := map[string]any{
		"address": r.address(), "addressLocal": r.address(), "rowIndex": r.r0, "columnIndex": r.c0,
		"rowCount": r.r1 - r.r0 + 1, "columnCount": cols, "cellCount": (r.r1 - r.r0 + 1) * cols,
		"values": vals, "text": text, "formulas": forms, "numberFormat": nfs, "valueTypes": types,
	}
	if sel == "" {
		return all
	}
	out := map[string]any{}
	for _, k := range strings.Split(sel, ",") {
		if v, ok := all[strings.TrimSpace(k)]; ok {
			out[strings.TrimSpace(k)] = v
		}
	}
	return out
}
