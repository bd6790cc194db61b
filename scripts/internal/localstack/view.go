package localstack

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

//go:embed view.html
var viewHTML []byte

// view serves the read-only live view: a page that polls /view/data, which
// reads the spreadsheet through the real Sheets client, as a team member's
// browser would show it (hidden tabs and columns left out).
type view struct {
	endpoint      string
	spreadsheetID string

	once sync.Once
	svc  *sheets.Service
	err  error
}

// TabData is one tab of the view.
type TabData struct {
	Title string     `json:"title"`
	Rows  [][]string `json:"rows"`
}

func (v *view) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/", "/view":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
		_, _ = w.Write(viewHTML)
	case "/view/data":
		tabs, err := v.data(r.Context())
		if err != nil {
			http.Error(w, "could not read the spreadsheet", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"spreadsheet_id": v.spreadsheetID, "tabs": tabs})
	default:
		http.NotFound(w, r)
	}
}

func (v *view) data(ctx context.Context) ([]TabData, error) {
	v.once.Do(func() {
		v.svc, v.err = sheets.NewService(context.Background(), option.WithEndpoint(v.endpoint), option.WithoutAuthentication())
	})
	if v.err != nil {
		return nil, v.err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ss, err := v.svc.Spreadsheets.Get(v.spreadsheetID).IncludeGridData(true).
		Fields("sheets(properties(title,hidden),data(rowData(values(formattedValue)),columnMetadata(hiddenByUser)))").
		Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	var out []TabData
	for _, sh := range ss.Sheets {
		if sh.Properties.Hidden {
			continue // as the browser shows it: Safeview's undo tab is hidden
		}
		t := TabData{Title: sh.Properties.Title, Rows: [][]string{}}
		for _, g := range sh.Data {
			hidden := map[int]bool{}
			for i, m := range g.ColumnMetadata {
				if m != nil && m.HiddenByUser {
					hidden[i] = true
				}
			}
			for _, rd := range g.RowData {
				var row []string
				empty := true
				for i, c := range rd.Values {
					if hidden[i] {
						continue
					}
					s := ""
					if c != nil {
						s = c.FormattedValue
					}
					empty = empty && s == ""
					row = append(row, s)
				}
				if !empty {
					t.Rows = append(t.Rows, row)
				}
			}
		}
		out = append(out, t)
	}
	return out, nil
}
