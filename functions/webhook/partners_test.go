package webhookfn

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/secrets"
)

// Under the same faults as TestStreamUnderFaults, every destination of
// the example configuration ends with exactly its rows: the main
// spreadsheet every order once at its newest version, the online shop's
// the orders of channel web and no other, Lyon's none (no order of the
// stream is Lyon's), and no spreadsheet names an order it does not hold.
func TestDestinationsUnderFaults(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, func(c *config.Config) {
		withPartners(c)
		c.Limits.Deadline = config.Duration(time.Second)
		c.Sheet.RequestTimeout = config.Duration(150 * time.Millisecond)
	}, gsheetstest.WithSeed(7))
	s.emu.SetSlowDelay(time.Second)
	faults := []gsheetstest.Fault{gsheetstest.FaultRateLimit, gsheetstest.FaultInternal, gsheetstest.FaultDrop, gsheetstest.FaultLostResponse, gsheetstest.FaultSlow}
	left := 1.0
	for _, f := range faults {
		s.emu.FailRandomly(nil, 0.03/left, f)
		left -= 0.03
	}
	web := func(id string) bool { n, _ := strconv.Atoi(id); return n%2 == 1 }
	evs, newest := eventsWith(t, rand.New(rand.NewPCG(5, 6)), 40, 4, 150, func(id string, doc map[string]any) {
		doc["source_name"] = "pos"
		if web(id) {
			doc["source_name"] = "web"
		}
	})
	deliveries, redelivs, answers := s.stream(evs, 16)
	s.emu.ClearFaults()

	newestWeb := map[string]int64{}
	for id, v := range newest {
		if web(id) {
			newestWeb[id] = v
		}
	}
	for _, c := range []struct {
		name, id string
		want     map[string]int64
	}{
		{"main", s.id, newest},
		{"online", s.dests["online"], newestWeb},
		{"lyon", s.dests["lyon"], map[string]int64{}},
	} {
		rows, versions := s.tallyOf(c.id)
		lost, doubled := lostAndDoubled(c.want, rows, versions)
		fmt.Printf("destinations under faults: %s holds %d orders, lost=%d doubled=%d\n", c.name, len(rows), lost, doubled)
		if lost != 0 || doubled != 0 {
			t.Errorf("%s: lost=%d doubled=%d, want 0 and 0", c.name, lost, doubled)
		}
		marks, err := s.emu.Snapshot(c.id, gsheets.MarksTab)
		if err != nil {
			continue // no mark was needed
		}
		for _, m := range marks[1:] {
			if _, held := c.want[strings.TrimPrefix(m[1], "shopify/")]; !held {
				t.Errorf("%s's marks name %s, an order it does not hold", c.name, m[1])
			}
		}
	}
	st := s.emu.Stats()
	fmt.Printf("destinations under faults: %d deliveries of %d events; %d of %d Sheets calls failed; %d answered 503 and were delivered again; answers %v\n",
		deliveries, len(evs), st.Faults, st.Reads+st.Writes, redelivs, answers)
	for a := range answers {
		if a != "200 written" && a != "200 unchanged" && a != "200 stale" {
			t.Errorf("answer %q, want only 200 written, unchanged or stale once delivered again", a)
		}
	}
}

// destinationEnv is the example configuration run by NewFromEnv, as
// deployed: each destination's spreadsheet id and service account come
// from the environment, the accounts are impersonated through the IAM
// Credentials emulator, and the Sheets emulator records who wrote what.
type destinationEnv struct {
	emu      *gsheetstest.Server
	iam      *iamcredentialstest.Server
	main     string
	ids      map[string]string // destination → spreadsheet
	accounts map[string]string // destination → service account

	mu      sync.Mutex
	writers map[string]map[string]bool // spreadsheet → quota users that sent it requests
}

func newDestinationEnv(t *testing.T) *destinationEnv {
	t.Helper()
	e := &destinationEnv{writers: map[string]map[string]bool{}, ids: map[string]string{}, accounts: map[string]string{}}
	e.emu = gsheetstest.NewServer(t, gsheetstest.WithCallHook(func(c gsheetstest.Call) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.writers[c.Spreadsheet] == nil {
			e.writers[c.Spreadsheet] = map[string]bool{}
		}
		e.writers[c.Spreadsheet][c.User] = true
	}))
	e.iam = iamcredentialstest.NewServer(t)
	cfg, err := config.Load("safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withoutExcel(cfg) // the partners alone: excel_test.go has the workbook
	e.main = e.emu.CreateSpreadsheet("main", "Orders")
	for _, name := range cfg.DestinationNames {
		e.ids[name] = e.emu.CreateSpreadsheet(name, "Orders")
		e.accounts[name] = "sv-d-" + name + "@shop.iam.gserviceaccount.com"
	}
	ids, _ := json.Marshal(e.ids)
	accounts, _ := json.Marshal(e.accounts)
	t.Setenv("K_SERVICE", "")
	t.Setenv(EnvConfig, "safeview.yaml")
	t.Setenv(EnvSecrets, "env")
	t.Setenv(EnvSheetsEndpoint, e.emu.URL())
	t.Setenv(EnvSpreadsheetID, e.main)
	t.Setenv(EnvDestinationSpreadsheets, string(ids))
	t.Setenv(EnvDestinationAccounts, string(accounts))
	t.Setenv(EnvIAMCredentialsEndpoint, e.iam.URL())
	for _, name := range cfg.SecretNames() {
		t.Setenv(secrets.EnvName(name), testSecret)
	}
	t.Setenv(secrets.EnvName("safeview-pseudonym-key"), strings.Repeat("p", 32))
	return e
}

// stack builds the handler from the environment.
func (e *destinationEnv) stack(t *testing.T) *stack {
	t.Helper()
	logs := &syncBuffer{}
	d, err := depsFromEnv(t.Context(), logging.New(logs, slog.LevelDebug))
	if err != nil {
		t.Fatal(err)
	}
	withoutExcel(d.Config) // the partners alone: excel_test.go has the workbook
	h, err := New(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, emu: e.emu, id: e.main, dests: e.ids, handler: h, logs: logs}
}

// lyonOrder is a DG1 order of the Lyon venue, which the lyon destination
// holds.
func lyonOrder(id string) []byte {
	body, _ := json.Marshal(map[string]any{"event": "order.paid", "event_id": "evt-" + id, "data": map[string]any{"order": map[string]any{
		"id": id, "number": "#" + id, "status": "paid", "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
		"items": []any{map[string]any{"name": "Café", "quantity": 1}}, "total": map[string]any{"amount": "4.50", "currency": "EUR"}, "venue": "Lyon",
	}}})
	return body
}

// Each destination's spreadsheet is written by its own service account,
// asked of the IAM Credentials API, and by nobody else; the main one by
// the function's own credentials.
func TestDestinationsWrittenAsTheirOwnAccounts(t *testing.T) {
	e := newDestinationEnv(t)
	for _, a := range e.accounts {
		e.iam.Grant("", a)
	}
	s := e.stack(t)
	if r := s.post("generic", lyonOrder("L-1"), http.Header{}); r.status != http.StatusOK || r.answer.Result != "written" {
		t.Fatalf("Lyon's order = %d %s", r.status, r.body)
	}
	if r := s.send(delivery{topic: "orders/create", body: shopifyOrder(t, order{edit: func(doc map[string]any) { doc["source_name"] = "web" }}), secret: testSecret}); r.status != http.StatusOK {
		t.Fatalf("web order = %d %s", r.status, r.body)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, id := range e.ids {
		users := e.writers[id]
		if len(users) != 1 {
			t.Errorf("%s's spreadsheet got requests from %d callers %v, want its account's alone", name, len(users), users)
		}
		for u := range users {
			if acct, _ := iamcredentialstest.AccountOf(u); acct != e.accounts[name] {
				t.Errorf("%s's spreadsheet was written as %q, want %s", name, u, e.accounts[name])
			}
		}
	}
	if users := e.writers[e.main]; len(users) != 1 || !users[""] {
		t.Errorf("the main spreadsheet got requests from %v, want the function's own credentials alone", users)
	}
	if rows, _ := e.emu.Snapshot(e.ids["lyon"], "Orders"); len(rows) != 2 || rows[1][0] != "L-1" {
		t.Errorf("lyon's Orders = %q, want order L-1 alone", rows)
	}
}

// A destination whose account the function may not act as (a grant
// missing) gets its rows answered 503, so the platform retries, and the
// log says why; once granted, the retry lands.
func TestDestinationWithoutGrantIs503(t *testing.T) {
	e := newDestinationEnv(t)
	e.iam.Grant("", e.accounts["online"])
	s := e.stack(t)
	r := s.post("generic", lyonOrder("L-2"), http.Header{})
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("Lyon's order without lyon's grant = %d %s, want 503 with Retry-After", r.status, r.body)
	}
	if !strings.Contains(s.logs.String(), "cannot act as the destination's service account") || !strings.Contains(s.logs.String(), `"destination":"lyon"`) {
		t.Errorf("the log does not say which account could not be acted as:\n%s", s.logs)
	}
	e.iam.Grant("", e.accounts["lyon"])
	// The token source asks again at the next request.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r = s.post("generic", lyonOrder("L-2"), http.Header{})
		if r.status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r.status != http.StatusOK {
		t.Fatalf("after the grant = %d %s, want 200", r.status, r.body)
	}
}

// The environment's accounts and spreadsheet ids must match the
// configuration's destinations: one each, and no other.
func TestDestinationEnvironmentChecked(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		accounts, ids, want string
	}{
		{`{"lyon": "a@p.iam.gserviceaccount.com"}`, "", `no service account for destination "online"`},
		{`{"lyon": "a@p", "online": "b@p", "paris": "c@p"}`, "", `"paris" is not a destination`},
		{`["a@p"]`, "", "want a JSON object"},
		{"", `{"paris": "1abc"}`, `"paris" is not a destination`},
		{"", `{"lyon": 3}`, "want a JSON object"},
	} {
		_, aerr := destinationAccounts(cfg, tt.accounts)
		ierr := destinationSpreadsheets(cfg, tt.ids)
		got := fmt.Sprint(aerr, ierr)
		if !strings.Contains(got, tt.want) {
			t.Errorf("accounts %s, ids %s: errors %q, want %q", tt.accounts, tt.ids, got, tt.want)
		}
	}
	if err := destinationSpreadsheets(cfg, `{"lyon": "1abc"}`); err != nil || cfg.Destinations["lyon"].Spreadsheet.ID != "1abc" {
		t.Errorf("destinationSpreadsheets = %v, lyon's id %q, want 1abc", err, cfg.Destinations["lyon"].Spreadsheet.ID)
	}
}

// Shopify's shop/redact reaches every destination, each written as its
// own account: the online shop's spreadsheet loses the shop's orders as
// the main one does, in requests of its account alone.
func TestShopRedactReachesEveryDestination(t *testing.T) {
	e := newDestinationEnv(t)
	for _, a := range e.accounts {
		e.iam.Grant("", a)
	}
	s := e.stack(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i, shop := range []string{"cafe-demo.myshopify.com", "cafe-demo.myshopify.com", "other-shop.myshopify.com"} {
		id := strconv.Itoa(1001 + i)
		body := shopifyOrder(t, order{id: id, updated: t0, financial: "paid", edit: func(doc map[string]any) { doc["source_name"] = "web" }})
		if r := s.post("shopify", body, shopify("orders/updated", shop, "evt-"+id)); r.status != http.StatusOK {
			t.Fatalf("order %s = %d %s", id, r.status, r.body)
		}
	}
	keys := func(id string) []string {
		rows, _ := e.emu.Snapshot(id, "Orders")
		var out []string
		for _, r := range rows[1:] {
			if r[0] != "" {
				out = append(out, r[0])
			}
		}
		slices.Sort(out)
		return out
	}
	if got := keys(e.ids["online"]); !slices.Equal(got, []string{"1001", "1002", "1003"}) {
		t.Fatalf("online's orders = %q, want the three web orders", got)
	}
	r := s.send(delivery{topic: "shop/redact", body: complianceBody(t, "shopify_shop_redact.json"), secret: testSecret, event: "evt-shop"})
	if r.status != http.StatusOK || r.answer.Result != "erased" {
		t.Fatalf("shop/redact = %d %s, want 200 erased", r.status, r.body)
	}
	for name, id := range map[string]string{"main": e.main, "online": e.ids["online"]} {
		if got := keys(id); !slices.Equal(got, []string{"1003"}) {
			t.Errorf("%s's orders after shop/redact = %q, want the other shop's alone", name, got)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if users := e.writers[e.ids["online"]]; len(users) != 1 {
		t.Errorf("online's spreadsheet got requests from %v, want its account's alone", users)
	}
}
