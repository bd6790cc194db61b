package webhookfn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
	"github.com/safeview/safeview/shared/webhook"
)

const testSecret = "shpss_test_secret"

// testWhsec is the tests' secret for the Standard Webhooks scheme: a
// base64 key after whsec_.
var testWhsec = "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("w", 32)))

// stack is the function under test with its emulated spreadsheet.
type stack struct {
	t       *testing.T
	emu     *gsheetstest.Server
	id      string
	dests   map[string]string // the destinations' spreadsheets, by name
	handler *Handler
	logs    *syncBuffer
	excel   *exceltest.Stack
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newStack builds the handler from the example configuration, with the
// real Sheets client pointed at the emulator.
func newStack(t *testing.T, opts ...gsheetstest.Option) *stack {
	t.Helper()
	return newStackWith(t, nil, opts...)
}

// newStackWith is newStack with changes to the configuration.
func newStackWith(t *testing.T, edit func(*config.Config), opts ...gsheetstest.Option) *stack {
	t.Helper()
	return newStackVia(t, edit, emulatorService(t), opts...)
}

// emulatorService is the real Sheets client pointed at the emulator.
func emulatorService(t *testing.T) func(*gsheetstest.Server) *sheets.Service {
	return func(emu *gsheetstest.Server) *sheets.Service {
		svc, err := emu.Service(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
}

// partnersWanted, as a destination's spreadsheet id, has the test stack
// make the destination's spreadsheet: see withPartners.
const partnersWanted = "(test: make it)"

// withPartners has the stack write the example configuration's
// destinations, each to a spreadsheet of its own (stack.dests).
func withPartners(c *config.Config) {
	for _, d := range c.Destinations {
		d.Spreadsheet.ID = partnersWanted
	}
}

// newStackVia is newStackWith with the Sheets client of the test's
// choosing (a recorder in front of the emulator, say).
func newStackVia(t *testing.T, edit func(*config.Config), service func(*gsheetstest.Server) *sheets.Service, opts ...gsheetstest.Option) *stack {
	t.Helper()
	return buildStack(t, edit, service, false, opts...)
}

// buildStack is newStackVia; withExcel keeps the example's Excel
// destination, on the emulated Graph (excel_test.go), which the other
// tests leave out: it would double the work behind every delivery.
func buildStack(t *testing.T, edit func(*config.Config), service func(*gsheetstest.Server) *sheets.Service, withExcel bool, opts ...gsheetstest.Option) *stack {
	t.Helper()
	data, err := os.ReadFile("safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("safeview.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	// The emulator has no quotas unless a test sets some: do not pace.
	cfg.Sheet.WriteRequestsPerMinute, cfg.Sheet.ReadRequestsPerMinute = config.MaxRequestsPerMinute, config.MaxRequestsPerMinute
	if edit != nil {
		edit(cfg)
	}
	emu := gsheetstest.NewServer(t, opts...)
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("test", "Orders")
	// The example's destinations are left out unless the test asks for
	// them (withPartners): three spreadsheets to index and write would
	// slow every other test to its deadline on a loaded machine.
	// The Excel destination is kept or left out below (withExcel).
	dests := map[string]string{}
	cfg.DestinationNames = slices.DeleteFunc(cfg.DestinationNames, func(name string) bool {
		switch d := cfg.Destinations[name]; {
		case d.Kind == config.KindExcel:
			return false
		case d.Spreadsheet.ID == partnersWanted:
			dests[name] = emu.CreateSpreadsheet(name, "Orders")
			d.Spreadsheet.ID = dests[name]
			return false
		}
		delete(cfg.Destinations, name)
		return true
	})
	svc := service(emu)
	logs := &syncBuffer{}
	res := secrets.Map{}
	for _, name := range cfg.SecretNames() {
		res[name] = []string{testSecret}
	}
	// Standard Webhooks secrets are base64 keys after whsec_.
	for _, src := range cfg.Sources {
		if scheme, _ := src.SchemeOf(); scheme == webhook.SchemeStandardWebhooks {
			for _, name := range src.Secrets {
				res[name] = []string{testWhsec}
			}
		}
	}
	res["safeview-pseudonym-key"] = []string{strings.Repeat("p", 32)}
	var graph *view.GraphOptions
	var ms *exceltest.Stack
	if withExcel {
		graph, ms = graphFor(t, cfg, res)
	} else {
		withoutExcel(cfg)
	}
	h, err := New(context.Background(), Deps{Config: cfg, Secrets: res, Sheets: svc, Graph: graph, Logger: logging.New(logs, slog.LevelDebug)})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, emu: emu, id: cfg.Spreadsheet.ID, dests: dests, handler: h, logs: logs, excel: ms}
}

// response is what a delivery got.
type response struct {
	status int
	header http.Header
	body   string
	answer answer
}

func (s *stack) do(req *http.Request) response {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	r := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.answer); err != nil {
		s.t.Fatalf("response body is not JSON: %v: %q", err, r.body)
	}
	return r
}

// delivery is a Shopify delivery to send.
type delivery struct {
	topic  string
	body   []byte
	secret string // "" sends no signature
	event  string // X-Shopify-Event-Id
}

func (s *stack) send(d delivery) response {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/shopify", bytes.NewReader(d.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(platform.ShopifyTopicHeader, d.topic)
	req.Header.Set(platform.ShopifyShopDomainHeader, "cafe-demo.myshopify.com")
	if d.event != "" {
		req.Header.Set(platform.ShopifyEventIDHeader, d.event)
	}
	if d.secret != "" {
		req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(d.secret, d.body))
	}
	return s.do(req)
}

// rows returns the Orders tab as the team sees it, header first, without
// the hidden version column (checked to be the last one).
func (s *stack) rows() [][]string {
	s.t.Helper()
	rows, err := s.emu.Snapshot(s.id, "Orders")
	if err != nil {
		s.t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	last := len(rows[0]) - 1
	if rows[0][last] != "_safeview_version" {
		s.t.Fatalf("header = %q, want the version column last", rows[0])
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[:min(len(r), last)]
	}
	return out
}

// order builds a Shopify order from the official sample.
type order struct {
	id        string
	financial string
	updated   time.Time
	edit      func(doc map[string]any)
}

func shopifyOrder(t *testing.T, o order) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/shopify_orders_create_devdocs_sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if o.id == "" {
		o.id = "820982911946154508"
	}
	if o.financial == "" {
		o.financial = "paid"
	}
	if o.updated.IsZero() {
		o.updated = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	}
	doc["id"] = json.Number(o.id)
	doc["financial_status"] = o.financial
	doc["cancelled_at"] = nil
	doc["created_at"] = "2026-11-23T10:00:00+01:00"
	doc["updated_at"] = o.updated.Format(time.RFC3339)
	if o.edit != nil {
		o.edit(doc)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// pseudonym is the customer_ref the test's key gives a value.
func pseudonym(t *testing.T, v string) string {
	t.Helper()
	k, err := privacy.NewKeys([]byte(strings.Repeat("p", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k.Pseudonym(privacy.DomainCustomer, v)
}

var header = []string{"order_id", "store", "order_date", "status", "items", "total", "channel", "customer_ref"}

func TestPaidOrderWritesOneRow(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret, event: "evt-1"})
	if r.status != http.StatusOK || r.answer.Result != "written" {
		t.Fatalf("send(paid order) = %d %s, want 200 written", r.status, r.body)
	}
	want := [][]string{header, {
		"820982911946154508", // above 2^53, exact
		"cafe-demo.myshopify.com",
		"2026-11-23 10:00", // in Europe/Paris, the configured time zone
		"paid",
		"Aviator sunglasses x1, Mid-century lounger x1, Coffee table x1",
		"369.97 USD",
		"web",
		// The customer's email, pseudonymised with the test's key.
		pseudonym(t, "john@example.com"),
	}}
	if diff := cmp.Diff(want, s.rows()); diff != "" {
		t.Errorf("Orders tab mismatch (-want +got):\n%s", diff)
	}
	if got := r.header.Get("X-Request-Id"); got != "evt-1" || r.answer.RequestID != "evt-1" {
		t.Errorf("request id = header %q, body %q, want the delivery id evt-1", got, r.answer.RequestID)
	}
	if !strings.Contains(s.logs.String(), `"request_id":"evt-1"`) {
		t.Errorf("logs do not carry the request id:\n%s", s.logs)
	}
}

func TestRequestIDWithoutDeliveryID(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret})
	id := r.header.Get("X-Request-Id")
	if len(id) != 36 || r.answer.RequestID != id {
		t.Fatalf("X-Request-Id = %q (body %q), want a UUID", id, r.answer.RequestID)
	}
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		if !strings.Contains(line, id) {
			t.Errorf("log line without the request id: %s", line)
		}
	}
}

func TestDuplicatesKeepOneRow(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret, event: "evt-dup"}
	if r := s.send(d); r.answer.Result != "written" {
		t.Fatalf("first delivery = %s, want written", r.body)
	}
	if r := s.send(d); r.status != http.StatusOK || r.answer.Result != "unchanged" {
		t.Fatalf("same delivery again = %d %s, want 200 unchanged", r.status, r.body)
	}
	// The same new order twice at the same instant.
	other := delivery{topic: "orders/create", body: shopifyOrder(t, order{id: "5001"}), secret: testSecret}
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.send(other).answer.Result
		}()
	}
	wg.Wait()
	if got := strings.Count(strings.Join(results, ","), "written"); got != 1 {
		t.Errorf("concurrent duplicates: results %v, want exactly one written", results)
	}
	if got := len(s.rows()); got != 3 {
		t.Errorf("Orders tab has %d rows, want header and 2 orders:\n%v", got, s.rows())
	}
}

func TestNewestVersionWins(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	create := delivery{topic: "orders/create", body: shopifyOrder(t, order{updated: t0}), secret: testSecret}
	refund := delivery{topic: "orders/updated", body: shopifyOrder(t, order{financial: "refunded", updated: t0.Add(time.Hour)}), secret: testSecret}
	older := delivery{topic: "orders/updated", body: shopifyOrder(t, order{financial: "paid", updated: t0.Add(30 * time.Minute)}), secret: testSecret}
	for _, step := range []struct {
		d    delivery
		want string
	}{{create, "written"}, {refund, "written"}, {older, "stale"}, {create, "stale"}} {
		if r := s.send(step.d); r.status != http.StatusOK || r.answer.Result != step.want {
			t.Fatalf("send(%s) = %d %s, want 200 %s", step.d.topic, r.status, r.body, step.want)
		}
	}
	rows := s.rows()
	if len(rows) != 2 || rows[1][3] != "refunded" {
		t.Errorf("Orders tab = %v, want one row, refunded", rows)
	}
}

func TestUpdateBeforeCreate(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	update := delivery{topic: "orders/updated", body: shopifyOrder(t, order{updated: t0.Add(time.Minute)}), secret: testSecret}
	create := delivery{topic: "orders/create", body: shopifyOrder(t, order{financial: "pending", updated: t0}), secret: testSecret}
	if r := s.send(update); r.answer.Result != "written" {
		t.Fatalf("update before create = %s, want written", r.body)
	}
	if r := s.send(create); r.answer.Result != "stale" {
		t.Fatalf("late create = %s, want stale", r.body)
	}
	if rows := s.rows(); len(rows) != 2 || rows[1][3] != "paid" {
		t.Errorf("Orders tab = %v, want one paid row", rows)
	}
}

func TestUnpaidOrderIsFiltered(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{financial: "pending"}), secret: testSecret})
	if r.status != http.StatusOK || r.answer.Result != "filtered" {
		t.Fatalf("send(pending order) = %d %s, want 200 filtered", r.status, r.body)
	}
	if rows := s.rows(); len(rows) > 1 {
		t.Errorf("Orders tab = %v, want no row", rows)
	}
}

func TestRejections(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := shopifyOrder(t, order{})
	signed := func(method, path string, b []byte, secret string) *http.Request {
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(platform.ShopifyTopicHeader, "orders/create")
		if secret != "" {
			req.Header.Set(webhook.ShopifyHeader, webhook.SignShopify(secret, b))
		}
		return req
	}
	big := append(bytes.Repeat([]byte(" "), 1<<20), body...)
	tests := []struct {
		name   string
		req    *http.Request
		status int
		reason string
	}{
		{"wrong secret", signed("POST", "/shopify", body, "not-the-secret"), 401, "invalid signature"},
		{"no signature", signed("POST", "/shopify", body, ""), 401, "missing signature"},
		{"signed with an empty secret", func() *http.Request {
			r := signed("POST", "/shopify", body, "")
			r.Header.Set(webhook.ShopifyHeader, webhook.SignShopify("", body))
			return r
		}(), 401, "invalid signature"},
		{"unknown source", signed("POST", "/nope", body, testSecret), 404, "unknown source"},
		{"nested path", signed("POST", "/shopify/extra", body, testSecret), 404, "unknown source"},
		{"GET", signed("GET", "/shopify", nil, testSecret), 405, "only POST is accepted"},
		{"too large", signed("POST", "/shopify", big, testSecret), 413, "body too large"},
		{"not JSON", signed("POST", "/shopify", []byte("id=1&email=x"), testSecret), 400, "malformed payload: not a JSON document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.req)
			if r.status != tt.status || !strings.HasPrefix(r.answer.Error, tt.reason) {
				t.Errorf("status %d %q, want %d %q", r.status, r.answer.Error, tt.status, tt.reason)
			}
			if r.answer.RequestID == "" || r.header.Get("X-Request-Id") != r.answer.RequestID {
				t.Errorf("answer carries no request id: %s", r.body)
			}
		})
	}
	if got := s.emu.Stats().Writes; got != 0 {
		t.Errorf("rejected deliveries made %d write requests, want 0", got)
	}
	if rows := s.rows(); len(rows) != 0 {
		t.Errorf("Orders tab = %v, want nothing", rows)
	}
	if r := s.do(signed("GET", "/shopify", nil, "")); r.header.Get("Allow") != "POST" {
		t.Errorf("405 without Allow: POST")
	}
}

func TestFormulaIsStoredAsText(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := shopifyOrder(t, order{edit: func(doc map[string]any) {
		items := doc["line_items"].([]any)
		item := items[0].(map[string]any)
		item["name"] = `=HYPERLINK("http://x","y")`
		doc["line_items"] = items[:1]
	}})
	if r := s.send(delivery{topic: "orders/create", body: body, secret: testSecret}); r.answer.Result != "written" {
		t.Fatalf("send = %s", r.body)
	}
	cell, err := s.emu.Cell(s.id, "Orders", "E2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(cell.Formatted, "=") || cell.Formula != "" || !strings.Contains(cell.Formatted, `HYPERLINK("http://x","y") x1`) {
		t.Errorf("items cell = %+v, want text that does not start with =", cell)
	}
}

func TestSheetUnavailableIs503(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	// A few failures pass within the delivery's deadline: the sink backs
	// off and retries.
	s.emu.FailNext(gsheetstest.Writes, gsheetstest.FaultUnavailable, gsheetstest.FaultRateLimit)
	if r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{id: "7001"}), secret: testSecret}); r.status != http.StatusOK || r.answer.Result != "written" {
		t.Fatalf("send after two failures = %d %s, want 200 written", r.status, r.body)
	}
	// A sheet down for longer than the deadline: 503, so the platform
	// retries later.
	s.handler.cfg.Limits.Deadline = config.Duration(300 * time.Millisecond)
	s.emu.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret})
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("send with the sheet down = %d (Retry-After %q), want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	s.emu.ClearFaults()
	// The platform retries: the row lands exactly once. A 503 promises
	// nothing was confirmed, not that nothing landed: a write sent just
	// before the deadline may land after it, and the retry then finds it
	// (unchanged).
	r = s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret})
	for r.status == http.StatusServiceUnavailable {
		r = s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret})
	}
	if (r.answer.Result != "written" && r.answer.Result != "unchanged") || len(s.rows()) != 3 {
		t.Errorf("retry = %s, rows %v, want written (or unchanged) and one row", r.body, s.rows())
	}
}

// Every name, email, phone, address, IP and note of the sample carries a
// unique canary: none may reach a cell, a log line or a response.
func TestCanariesNeverLeave(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	n := 0
	canary := func(kind string) string {
		n++
		switch kind {
		case "email":
			return fmt.Sprintf("canary%02d@canary-mail.test", n)
		case "phone":
			return fmt.Sprintf("+33 6 99 %02d 77 %02d", n, n)
		case "ip":
			return fmt.Sprintf("203.0.113.%d", 100+n)
		}
		return fmt.Sprintf("Canary%02dValue", n)
	}
	var planted []string
	plant := func(m map[string]any, key, kind string) {
		v := canary(kind)
		planted = append(planted, v)
		m[key] = v
	}
	address := func() map[string]any {
		a := map[string]any{}
		for _, k := range []string{"first_name", "last_name", "name", "address1", "address2", "city", "zip", "province", "country", "company"} {
			plant(a, k, "text")
		}
		plant(a, "phone", "phone")
		return a
	}
	body := shopifyOrder(t, order{edit: func(doc map[string]any) {
		plant(doc, "email", "email")
		plant(doc, "contact_email", "email")
		plant(doc, "phone", "phone")
		plant(doc, "browser_ip", "ip")
		plant(doc, "note", "text")
		plant(doc, "token", "text")
		plant(doc, "cart_token", "text")
		plant(doc, "checkout_token", "text")
		plant(doc, "order_status_url", "text")
		doc["client_details"] = map[string]any{}
		plant(doc["client_details"].(map[string]any), "browser_ip", "ip")
		plant(doc["client_details"].(map[string]any), "user_agent", "text")
		na := map[string]any{"name": "gift message"}
		plant(na, "value", "text")
		doc["note_attributes"] = []any{na}
		doc["billing_address"] = address()
		doc["shipping_address"] = address()
		c := map[string]any{"id": json.Number("115310627314723954")}
		plant(c, "email", "email")
		plant(c, "first_name", "text")
		plant(c, "last_name", "text")
		plant(c, "phone", "phone")
		plant(c, "note", "text")
		c["default_address"] = address()
		doc["customer"] = c
	}})
	var answers []string
	for _, topic := range []string{"orders/create", "orders/updated"} {
		r := s.send(delivery{topic: topic, body: body, secret: testSecret, event: "evt-canary"})
		answers = append(answers, r.body)
	}
	// A rejected delivery must not leak either.
	answers = append(answers, s.send(delivery{topic: "orders/create", body: body, secret: "wrong"}).body)
	answers = append(answers, s.send(delivery{topic: "orders/create", body: append(body, '}'), secret: testSecret}).body)

	var cells []string
	for _, row := range s.rows() {
		cells = append(cells, row...)
	}
	if len(cells) < 14 {
		t.Fatalf("the order did not reach the sheet: %v", s.rows())
	}
	places := map[string]string{
		"cells":     strings.Join(cells, "\n"),
		"logs":      s.logs.String(),
		"responses": strings.Join(answers, "\n"),
	}
	digitsOf := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	for _, c := range planted {
		for where, text := range places {
			if strings.Contains(strings.ToLower(text), strings.ToLower(c)) {
				t.Errorf("canary %q found in %s", c, where)
			}
			if strings.HasPrefix(c, "+33") && strings.Contains(digitsOf(text), digitsOf(c)) {
				t.Errorf("digits of phone canary %q found in %s", c, where)
			}
		}
	}
	if len(planted) < 40 {
		t.Fatalf("only %d canaries planted", len(planted))
	}
}

func TestServeWithoutConfiguration(t *testing.T) {
	// A broken setup answers 500 with a generic body, never the detail
	// (which goes to the log). scripts/dev's test serves the registered
	// function through functions-framework.
	t.Setenv(EnvConfig, "testdata/does-not-exist.yaml")
	rec := httptest.NewRecorder()
	serve(rec, httptest.NewRequest(http.MethodPost, "/shopify", strings.NewReader("{}")))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(string(body), "function not configured") {
		t.Errorf("serve() without configuration = %d %s, want 500 function not configured", rec.Code, body)
	}
}

// A source whose secret is not set yet answers 503 (the platform retries);
// the others work.
func TestSourceWithoutSecretIs503(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("safeview.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	emu := gsheetstest.NewServer(t)
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("test", "Orders")
	for _, d := range cfg.Destinations {
		d.Spreadsheet.ID = emu.CreateSpreadsheet("destination", "Orders")
	}
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := secrets.Map{"shopify-webhook-secret": {testSecret}, "safeview-pseudonym-key": {strings.Repeat("p", 32)}}
	logs := &syncBuffer{}
	graph, _ := graphFor(t, cfg, res)
	h, err := New(context.Background(), Deps{Config: cfg, Secrets: res, Sheets: svc, Graph: graph, Logger: logging.New(logs, slog.LevelDebug)})
	if err != nil {
		t.Fatalf("New() with a source lacking its secret = %v, want the other sources served", err)
	}
	if !strings.Contains(logs.String(), `"message":"source not ready`) || !strings.Contains(logs.String(), `"source":"stripe"`) {
		t.Errorf("start-up did not log the source that is not ready:\n%s", logs)
	}
	s := &stack{t: t, emu: emu, id: cfg.Spreadsheet.ID, handler: h, logs: logs}
	if r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{}), secret: testSecret}); r.status != http.StatusOK {
		t.Errorf("shopify = %d %s, want 200", r.status, r.body)
	}
	req := httptest.NewRequest(http.MethodPost, "/stripe", strings.NewReader(`{"id":"evt_1"}`))
	req.Header.Set("Stripe-Signature", "t=1,v1=00")
	if r := s.do(req); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("stripe without its secret = %d %s, want 503 with Retry-After", r.status, r.body)
	}
}

// A text field longer than a cell holds (Google's 50,000 characters) is
// cut to fit, and the order is written: before, Google refused the whole
// write, the order got 503 at every retry, and so did every order that
// shared its flush. The cut shows no part of a value in clear.
func TestLongTextIsCutAndWritten(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, func(c *config.Config) {
		c.Tables[0].Columns = append(c.Tables[0].Columns, &config.Column{Header: "tags", Path: "tags"})
	})
	const canary = "harriet.canary@example.com"
	tags := strings.Repeat("vip, ", 9_997) + canary + ", " + strings.Repeat(canary+" ", 20_000)
	long := shopifyOrder(t, order{id: "1001", edit: func(doc map[string]any) { doc["tags"] = tags }})
	short := shopifyOrder(t, order{id: "1002"})
	var wg sync.WaitGroup
	got := make([]response, 2)
	for i, body := range [][]byte{long, short} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = s.send(delivery{topic: "orders/create", body: body, secret: testSecret})
		}()
	}
	wg.Wait()
	for i, r := range got {
		if r.status != http.StatusOK || r.answer.Result != "written" {
			t.Errorf("send(order %d) = %d %s, want 200 written", 1001+i, r.status, r.body)
		}
	}
	rows := s.rows()
	if len(rows) != 3 {
		t.Fatalf("sheet has %d rows, want the header and 2 orders", len(rows))
	}
	var cell string
	for _, r := range rows[1:] {
		if r[0] == "1001" {
			cell = r[len(r)-1]
		}
	}
	if n := model.CellLen(cell); n > model.MaxCellChars || !strings.HasSuffix(cell, "…") || !strings.HasPrefix(cell, "vip, vip") {
		t.Errorf("tags cell: %d characters, ends %q; want at most %d, cut with …", n, cell[max(0, len(cell)-20):], model.MaxCellChars)
	}
	all := fmt.Sprint(rows) + s.logs.String()
	if strings.Contains(all, "canary") || strings.Contains(all, "harriet") {
		t.Errorf("the canary address reached the sheet or the logs")
	}
	if !strings.Contains(s.logs.String(), `"cut_cells":1`) {
		t.Errorf("no cut_cells on the row's log line:\n%s", s.logs.String())
	}
}
