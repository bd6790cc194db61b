package webhookfn

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// canaryExcelYAML gives the canary configuration an Excel destination
// holding every table and column, so that the canaries are looked for in
// the workbook and in what was sent to Graph too.
const canaryExcelYAML = `destinations:
  xl:
    kind: excel
    excel:
      workbook: {drive_id: canary-drive, item_id: canary-item}
`

// canaryConfigWithExcel is canaryConfig with the Excel destination.
func canaryConfigWithExcel(t *testing.T, cc canaryCase) *config.Config {
	t.Helper()
	yaml := canaryYAML(t, cc) + canaryExcelYAML
	cfg, err := config.Parse("canary.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("canary configuration: %v\n%s", err, yaml)
	}
	return cfg
}

// excelCanaryBackend starts the Microsoft side of cfg and returns how the
// handler reaches it, through a recorder of every request (to Graph and to
// Entra ID), and what the places to search hold afterwards: every cell of
// every table of the workbook (the marks too), and every request.
func excelCanaryBackend(t *testing.T, cfg *config.Config, res secrets.Resolver) (*view.GraphOptions, func() map[string][]string) {
	t.Helper()
	ms := exceltest.NewStack(t, cfg)
	o, err := ms.Options(res)
	if err != nil {
		t.Fatal(err)
	}
	rec := &graphRecorder{base: o.Transport.Transport}
	o.Transport = &http.Client{Transport: rec}
	d := ms.Destinations["xl"]
	return &o, func() map[string][]string {
		places := map[string][]string{}
		for _, name := range ms.Graph.TableNames(d.DriveID, d.ItemID) {
			rows, err := ms.Graph.Table(d.DriveID, d.ItemID, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				places["Excel cell"] = append(places["Excel cell"], r...)
			}
		}
		places["request to Graph or Entra ID"] = rec.sent()
		return places
	}
}

// graphRecorder keeps the URL and body of every request it carries.
type graphRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	log  []string
}

func (g *graphRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	g.mu.Lock()
	g.log = append(g.log, r.URL.String(), string(body))
	g.mu.Unlock()
	return g.base.RoundTrip(r)
}

func (g *graphRecorder) sent() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.log...)
}
