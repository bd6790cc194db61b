package graphtest

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
)

// serveView is a read-only page of the workbooks' tables, refreshing
// itself: what a person would see in Excel, hidden columns greyed.
func (s *Server) serveView(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	type tbl struct {
		Book, Sheet, Name string
		Header            []string
		Hidden            []bool
		Rows              [][]string
	}
	var tables []tbl
	s.mu.Lock()
	keys := make([]string, 0, len(s.books))
	for k := range s.books {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b := s.books[k]
		for _, t := range b.tables {
			v := tbl{Book: b.name + " (" + k + ")", Sheet: t.sheet.name, Name: t.name, Header: t.headers()}
			for c := range t.cols {
				v.Hidden = append(v.Hidden, t.sheet.hiddenCols[t.left+c] || t.sheet.hidden)
			}
			for i := range t.rows {
				var row []string
				for _, c := range t.row(i) {
					row = append(row, c.text())
				}
				v.Rows = append(v.Rows, row)
			}
			tables = append(tables, v)
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, tables)
}

var page = template.Must(template.New("view").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Excel (emulated)</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin-bottom:2em}
td,th{border:1px solid #bbb;padding:2px 6px;font-size:13px}th{background:#217346;color:#fff}.h{color:#aaa;background:#eee}</style></head>
<body><h1>Excel workbooks (emulated Microsoft Graph, read-only)</h1>
{{range .}}<h2>{{.Book}} — {{.Sheet}} — table {{.Name}}</h2><table><tr>{{$h := .Hidden}}{{range $i, $c := .Header}}<th{{if index $h $i}} class="h"{{end}}>{{$c}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if index $h $i}} class="h"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</table>{{else}}<p>No table yet.</p>{{end}}
</body></html>`))
