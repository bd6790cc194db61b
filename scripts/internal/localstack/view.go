package localstack

import (
	"context"
	_ "embed"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/gsheetstest"
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

	mu           sync.Mutex
	destinations map[string]ReadyDestination // set once they are prepared

	once sync.Once
	svc  *sheets.Service
	dsvc *drive.Service
	err  error
}

// setDestinations lists the destinations once they are prepared.
func (v *view) setDestinations(d map[string]ReadyDestination) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.destinations = d
}

func (v *view) dests() map[string]ReadyDestination {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.destinations
}

// DestinationData is one destination's spreadsheet in the view.
type DestinationData struct {
	Name          string    `json:"name"`
	SpreadsheetID string    `json:"spreadsheet_id"`
	Where         string    `json:"where"`
	Share         []string  `json:"share"` // who may open it: "email (role)", as Drive lists them
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
		all := v.dests()
		for _, name := range slices.Sorted(maps.Keys(all)) {
			d := all[name]
			dt, err := v.data(r.Context(), d.SpreadsheetID)
			if err != nil {
				http.Error(w, "could not read the spreadsheet of destination "+name, http.StatusBadGateway)
				return
			}
			access, err := v.access(r.Context(), d.SpreadsheetID)
			if err != nil {
				http.Error(w, "could not read who may open the spreadsheet of destination "+name, http.StatusBadGateway)
				return
			}
			dests = append(dests, DestinationData{Name: name, SpreadsheetID: d.SpreadsheetID, Where: d.Where, Share: access, Tabs: dt})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"spreadsheet_id": v.spreadsheetID, "tabs": tabs, "destinations": dests})
	default:
		http.NotFound(w, r)
	}
}

// clients makes the view's Sheets and Drive clients, once.
func (v *view) clients() error {
	v.once.Do(func() {
		// As a browser: its reads count against no quota of the API.
		hc := &http.Client{Transport: as{user: viewUser}}
		if v.svc, v.err = sheets.NewService(context.Background(), option.WithEndpoint(v.endpoint), option.WithHTTPClient(hc)); v.err != nil {
			return
		}
		v.dsvc, v.err = drive.NewService(context.Background(), option.WithEndpoint(v.endpoint+strings.TrimPrefix(gsheetstest.DrivePath, "/")), option.WithHTTPClient(hc))
	})
	return v.err
}

// access lists who may open a spreadsheet, as its Share dialog shows
// them: "email (role)", read through the Drive API.
func (v *view) access(ctx context.Context, spreadsheetID string) ([]string, error) {
	if err := v.clients(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	list, err := v.dsvc.Permissions.List(spreadsheetID).Fields("permissions(emailAddress,role)").Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, p := range list.Permissions {
		out = append(out, p.EmailAddress+" ("+p.Role+")")
	}
	return out, nil
}

func (v *view) data(ctx context.Context, spreadsheetID string) ([]TabData, error) {
	if err := v.clients(); err != nil {
		return nil, err
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
