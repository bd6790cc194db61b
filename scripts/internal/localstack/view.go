package localstack

import (
	"context"
	_ "embed"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

//go:embed view.html
var viewHTML []byte

// view serves the read-only live view: a page that polls /view/data, which
// reads the spreadsheet through the real Sheets client, as a team member's
// browser would show it (hidden tabs and columns left out), then each
// destination's, as its partner's browser would.
type view struct {
	endpoint      string
	spreadsheetID string
	destinations  map[string]ReadyDestination

	once sync.Once
	svc  *sheets.Service
	err  error
}

// DestinationData is one destination's spreadsheet in the view.
type DestinationData struct {
	Name          string    `json:"name"`
	SpreadsheetID string    `json:"spreadsheet_id"`
	Where         string    `json:"where"`
	Share         []string  `json:"share"`
	Tabs          []TabData `json:"tabs"`
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
		tabs, err := v.data(r.Context(), v.spreadsheetID)
		if err != nil {
			http.Error(w, "could not read the spreadsheet", http.StatusBadGateway)
			return
		}
		dests := []DestinationData{}
		for _, name := range slices.Sorted(maps.Keys(v.destinations)) {
			d := v.destinations[name]
			dt, err := v.data(r.Context(), d.SpreadsheetID)
			if err != nil {
				http.Error(w, "could not read the spreadsheet of destination "+name, http.StatusBadGateway)
				return
			}
			dests = append(dests, DestinationData{Name: name, SpreadsheetID: d.SpreadsheetID, Where: d.Where, Share: d.Share, Tabs: dt})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"spreadsheet_id": v.spreadsheetID, "tabs": tabs, "destinations": dests})
	default:
		http.NotFound(w, r)
	}
}

func (v *view) data(ctx context.Context, spreadsheetID string) ([]TabData, error) {
	v.once.Do(func() {
		// As a browser: its reads count against no quota of the API.
		hc := &http.Client{Transport: as{user: viewUser}}
		v.svc, v.err = sheets.NewService(context.Background(), option.WithEndpoint(v.endpoint), option.WithHTTPClient(hc))
	})
	if v.err != nil {
		return nil, v.err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ss, err := v.svc.Spreadsheets.Get(spreadsheetID).IncludeGridData(true).
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

// viewUser is the live view's quota user, which the emulator does not
// meter: people looking at a spreadsheet take nothing of the API's
// quotas.
const viewUser = "Bearer localstack-view"
