package webhookfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// The canary proof: for each platform and fixture, every PII path of the
// preset gets a unique canary, canaries are hidden in item names and in
// unknown fields too, and the signed delivery goes through the real
// handler to a Sheets server that records every request. No canary, nor
// its lower-cased or URL-encoded form, nor its run of digits, may appear
// in what is sent to Google, in a cell, in the log or in the response.
//
// A platform plugs in by adding a row to canaryCases.

// canaryCase is one fixture of one platform.
type canaryCase struct {
	platform string
	fixture  string // path from this directory
	unwrap   string // the key of a wrapper object to strip, e.g. "order"
	headers  http.Header
	// sign adds the signature headers for secret.
	sign func(secret string, body []byte, h http.Header)
	// itemNames are the raw paths of the product names, where canaries are
	// hidden in free text (the guard must mask them).
	itemNames []string
	// rawPaths are non-PII raw paths the test table also takes.
	rawPaths []string
	// control plants canaries at paths that are not PII, for the test
	// that shows the harness sees a leak.
	control []string
}

func shopifyHeaders(topic string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(platform.ShopifyTopicHeader, topic)
	h.Set(platform.ShopifyShopDomainHeader, "canary-shop.myshopify.com")
	h.Set(platform.ShopifyWebhookIDHeader, "canary-delivery-1")
	return h
}

func signShopify(secret string, body []byte, h http.Header) {
	h.Set(webhook.ShopifyHeader, webhook.SignShopify(secret, body))
}

var canaryCases = []canaryCase{
	{
		platform: "shopify", fixture: "../../shared/platform/testdata/shopify_orders_create_devdocs_sample.json",
		headers: shopifyHeaders("orders/create"), sign: signShopify,
		itemNames: []string{"line_items[].name", "line_items[].title"},
		rawPaths:  []string{"line_items[].sku", "line_items[].name", "name", "source_name"},
	},
	{
		platform: "shopify", fixture: "testdata/shopify_order_rest_fixture__shopify_python_api.json", unwrap: "order",
		headers: shopifyHeaders("orders/paid"), sign: signShopify,
		itemNames: []string{"line_items[].name", "line_items[].title"},
		rawPaths:  []string{"line_items[].sku", "line_items[].variant_title", "gateway"},
	},
}

// canary is one planted value.
type canary struct {
	id     int
	where  string // the path it was planted at
	value  string
	digits string // its run of digits, checked too when long enough
}

// canaries plants and remembers canaries.
type canaries struct {
	list []canary
}

func (c *canaries) add(where, value string) string {
	d := ""
	for _, r := range value {
		if r >= '0' && r <= '9' {
			d += string(r)
		}
	}
	if len(d) < 8 {
		d = "" // too short to be a run of its own
	}
	c.list = append(c.list, canary{id: len(c.list) + 1, where: where, value: value, digits: d})
	return value
}

// token is a canary that no text holds by chance.
func (c *canaries) token(where string) string {
	return c.add(where, fmt.Sprintf("Cnry%03dq%s", len(c.list)+1, strings.Repeat("x", 3)))
}

func (c *canaries) email(where string) string {
	return c.add(where, fmt.Sprintf("cnry%03dmail@canary.example", len(c.list)+1))
}

func (c *canaries) phone(where string) string {
	return c.add(where, fmt.Sprintf("+44 7700 9%05d", 31000+len(c.list)))
}

func (c *canaries) number(where string) json.Number {
	return json.Number(c.add(where, fmt.Sprintf("97%016d", 4242000+len(c.list))))
}

// card is a Visa number that passes the Luhn check.
func (c *canaries) card(where string) string {
	body := fmt.Sprintf("400000%09d", 7100+len(c.list))
	for d := 0; d < 10; d++ {
		n := body + strconv.Itoa(d)
		if luhnOK(n) {
			return c.add(where, n[0:4]+" "+n[4:8]+" "+n[8:12]+" "+n[12:16])
		}
	}
	panic("unreachable")
}

// iban is a French IBAN with valid check digits.
func (c *canaries) iban(where string) string {
	bban := fmt.Sprintf("30006000%015d", 88000+len(c.list))
	for check := 2; check <= 98; check++ {
		s := fmt.Sprintf("FR%02d%s", check, bban)
		if ibanOK(s) {
			return c.add(where, s[0:4]+" "+s[4:8]+" "+s[8:12]+" "+s[12:16]+" "+s[16:20]+" "+s[20:24]+" "+s[24:])
		}
	}
	panic("unreachable")
}

func luhnOK(n string) bool {
	sum := 0
	for i := len(n) - 1; i >= 0; i-- {
		d := int(n[i] - '0')
		if (len(n)-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func ibanOK(s string) bool {
	rem := 0
	for _, r := range s[4:] + s[:4] {
		if r >= 'A' {
			rem = (rem*100 + int(r-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(r-'0')) % 97
		}
	}
	return rem == 1
}

// plant replaces every value at a PII path with a canary of the kind its
// key suggests; objects and arrays get canaries in all their leaves.
func (c *canaries) plant(v any, where string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			v[k] = c.plant(child, where+"."+k)
		}
		if len(v) == 0 {
			v["canary"] = c.token(where + ".canary")
		}
		return v
	case []any:
		for i, child := range v {
			v[i] = c.plant(child, where+"[]")
		}
		if len(v) == 0 {
			v = append(v, map[string]any{"name": c.token(where + "[].name"), "value": c.email(where + "[].value")})
		}
		return v
	case bool:
		return v
	case json.Number:
		return c.number(where)
	}
	key := strings.ToLower(where[strings.LastIndexAny(where, ".]")+1:])
	switch {
	case strings.Contains(key, "email"):
		return c.email(where)
	case strings.Contains(key, "phone") || strings.Contains(key, "mobile") || strings.Contains(key, "fax"):
		return c.phone(where)
	case strings.Contains(key, "card_number"):
		return c.card(where)
	case key == "id" || strings.HasSuffix(key, "_id"):
		return c.number(where)
	}
	return c.token(where)
}

// plantAt applies f to every value at a path ("a.b", "a[].b", "a.*") of
// doc, creating the last key when it is missing.
func plantAt(doc any, segs []string, where string, f func(v any, where string) any) {
	if len(segs) == 0 {
		return
	}
	seg, rest := segs[0], segs[1:]
	switch d := doc.(type) {
	case map[string]any:
		keys := []string{seg}
		if seg == "*" {
			keys = keys[:0]
			for k := range d {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if len(rest) == 0 {
				d[k] = f(d[k], where+k)
				continue
			}
			if child, ok := d[k]; ok {
				plantAt(child, rest, where+k+".", f)
			}
		}
	case []any:
		if seg == "[]" {
			for _, e := range d {
				plantAt(e, rest, where+"[].", f)
			}
		}
	}
}

// segments splits "a.b[].c" into a, b, [], c.
func segments(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, name)
		}
		for ; rest != ""; rest = strings.TrimPrefix(rest, "[") {
			_, rest, _ = strings.Cut(rest, "]")
			out = append(out, "[]")
		}
	}
	return out
}

// addUnknown hides a canary under an unknown key in every object.
func (c *canaries) addUnknown(v any, where string) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			c.addUnknown(child, where+"."+k)
		}
		v["x_canary_extra"] = c.token(where + ".x_canary_extra")
	case []any:
		for _, child := range v {
			c.addUnknown(child, where+"[]")
		}
	}
}

// canaryConfig is a table that takes every canonical field of the kind,
// every PII field through each operator that fits it, and raw paths.
func canaryConfig(t *testing.T, cc canaryCase) *config.Config {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "spreadsheet: {id: canary-sheet, time_zone: Europe/Paris}\nprivacy: {pseudonym_key: pk}\n")
	fmt.Fprintf(&b, "sources:\n  src: {platform: %s, secrets: [ws]}\n", cc.platform)
	fmt.Fprintf(&b, "tables:\n  - tab: Orders\n    kind: order\n    key: order_id\n    columns:\n      - {header: order_id, field: order.id}\n")
	ops := map[string][]string{
		"customer.email": {"mask_email", "pseudonym", "drop"},
		"customer.name":  {"mask_name"},
		"customer.phone": {"mask_phone", "last4"},
		"customer.id":    {"pseudonym", "last4"},
		"customer.ref":   {"pseudonym"},
	}
	for _, f := range platform.Fields() {
		switch {
		case f.Name == "order.id" || f.Kind == platform.KindBooking:
		case f.PII:
			for _, op := range ops[f.Name] {
				fmt.Fprintf(&b, "      - {header: %q, field: %s, op: %s}\n", f.Name+" "+op, f.Name, op)
			}
		default:
			fmt.Fprintf(&b, "      - {header: %q, field: %s}\n", f.Name, f.Name)
		}
	}
	for _, p := range cc.rawPaths {
		fmt.Fprintf(&b, "      - {header: %q, path: %q}\n", "raw "+p, p)
	}
	cfg, err := config.Parse("canary.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("canary configuration: %v", err)
	}
	return cfg
}

type secretMap map[string]string

func (m secretMap) Lookup(_ context.Context, name string) ([]string, error) {
	v, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("no secret %q", name)
	}
	return []string{v}, nil
}

// leak is where a canary was found.
type leak struct {
	canary canary
	form   string
	place  string
}

func TestCanaries(t *testing.T) {
	for _, cc := range canaryCases {
		t.Run(cc.platform+"/"+cc.fixture[strings.LastIndex(cc.fixture, "/")+1:], func(t *testing.T) {
			t.Parallel()
			for _, l := range runCanary(t, cc) {
				t.Errorf("canary %d (planted at %s) leaked into a %s as %s: %q", l.canary.id, l.canary.where, l.place, l.form, l.canary.value)
			}
		})
	}
}

// The control: a canary planted where no privacy rule applies (the sales
// channel, a column of the table) must be reported, in the cell and in
// the request to Google.
func TestCanaryHarnessSeesALeak(t *testing.T) {
	t.Parallel()
	cc := canaryCases[0]
	cc.control = []string{"source_name"}
	places := map[string]bool{}
	for _, l := range runCanary(t, cc) {
		if l.canary.where == "source_name" {
			places[l.place] = true
		}
	}
	if !places["sheet cell"] || !places["request to the Sheets API"] {
		t.Errorf("the control canary was found in %v, want a sheet cell and a request to the Sheets API", places)
	}
}

// runCanary plants the canaries of one case, delivers it and returns
// every leak.
func runCanary(t *testing.T, cc canaryCase) []leak {
	raw, err := os.ReadFile(cc.fixture)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if cc.unwrap != "" {
		doc = doc.(map[string]any)[cc.unwrap]
	}
	preset, err := platform.New(cc.platform, platform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var c canaries
	for _, p := range preset.PIIPaths() {
		plantAt(doc, segments(p), "", func(v any, where string) any { return c.plant(v, where) })
	}
	for _, p := range cc.itemNames {
		plantAt(doc, segments(p), "", func(v any, where string) any {
			if v == nil {
				return nil
			}
			return fmt.Sprintf("Mug for %s, call %s, card %s, IBAN %s", c.email(where), c.phone(where), c.card(where), c.iban(where))
		})
	}
	for _, p := range cc.control {
		plantAt(doc, segments(p), "", func(_ any, where string) any { return c.token(where) })
	}
	c.addUnknown(doc, "")
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}

	rec := newRecorder(t)
	var logs bytes.Buffer
	h, err := New(t.Context(), Deps{
		Config:  canaryConfig(t, cc),
		Secrets: secretMap{"ws": "canary-webhook-secret", "pk": strings.Repeat("p", 32)},
		Sheets:  rec.service(t),
		Logger:  logging.New(&logs, slog.LevelDebug),
	})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/src", bytes.NewReader(body))
	req.Header = cc.headers.Clone()
	cc.sign("canary-webhook-secret", body, req.Header)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	resp, _ := io.ReadAll(w.Result().Body)
	if w.Code != http.StatusOK || !strings.Contains(string(resp), `"written"`) {
		t.Fatalf("delivery = %d %s, want 200 written (a rejected delivery proves nothing)", w.Code, resp)
	}
	if !strings.Contains(logs.String(), `"masked":{"email":`) || !strings.Contains(logs.String(), `"card":`) {
		t.Errorf("the log does not count what the guard masked in the item names")
	}
	cells := sheetCells(rec.Cells)()
	if !slices.ContainsFunc(cells, func(s string) bool { return strings.Contains(s, "c_") }) {
		t.Errorf("no pseudonym among the cells: the PII columns were not exercised")
	}

	places := map[string][]string{"response body": {string(resp)}, "log": strings.Split(logs.String(), "\n"), "sheet cell": cells}
	for _, r := range rec.Sent() {
		places["request to the Sheets API"] = append(places["request to the Sheets API"], r.URL, string(r.Body))
	}
	var leaks []leak
	for place, texts := range places {
		for _, text := range texts {
			leaks = append(leaks, findCanaries(c.list, text, place)...)
		}
	}
	if len(c.list) < 20 {
		t.Errorf("only %d canaries planted, want the fixture's PII paths covered", len(c.list))
	}
	t.Logf("%d canaries planted, %d cells written, %d requests to the Sheets API, %d leaks", len(c.list), len(cells), len(rec.Sent()), len(leaks))
	return leaks
}

// findCanaries looks for every form of every canary in a text: as is,
// lower-cased, URL-encoded, JSON-escaped, and the run of its digits in
// the text and in each of its JSON strings stripped to digits.
func findCanaries(list []canary, text, place string) []leak {
	var out []leak
	lowered := strings.ToLower(text)
	digitRuns := []string{digitsOnly(text)}
	var v any
	if json.Unmarshal([]byte(text), &v) == nil {
		walkStrings(v, func(s string) { digitRuns = append(digitRuns, digitsOnly(s)) })
	}
	for _, c := range list {
		forms := [][2]string{
			{"itself", c.value},
			{"URL-encoded", url.QueryEscape(c.value)},
			{"path-escaped", url.PathEscape(c.value)},
		}
		if j, _ := json.Marshal(c.value); len(j) > 2 {
			forms = append(forms, [2]string{"JSON", string(j[1 : len(j)-1])})
		}
		found := ""
		for _, f := range forms {
			switch {
			case strings.Contains(text, f[1]):
				found = f[0]
			case strings.Contains(lowered, strings.ToLower(f[1])):
				found = f[0] + " in another case"
			default:
				continue
			}
			break
		}
		if found != "" {
			out = append(out, leak{canary: c, form: found, place: place})
		}
		if c.digits == "" {
			continue
		}
		for _, run := range digitRuns {
			if strings.Contains(run, c.digits) {
				out = append(out, leak{canary: c, form: "its digits", place: place})
				break
			}
		}
	}
	return out
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for k, child := range v {
			f(k)
			walkStrings(child, f)
		}
	case []any:
		for _, child := range v {
			walkStrings(child, f)
		}
	}
}

// The harness finds what it looks for: each form of a canary, in any
// place.
func TestFindCanaries(t *testing.T) {
	t.Parallel()
	list := []canary{
		{id: 1, value: "Cnry001qxxx"},
		{id: 2, value: "cnry002mail@canary.example"},
		{id: 3, value: "+44 7700 931003", digits: "447700931003"},
	}
	tests := []struct {
		text, want string
	}{
		{"row: Cnry001qxxx", "itself"},
		{"row: cnry001qxxx", "itself in another case"},
		{"q=cnry002mail%40canary.example", "URL-encoded"},
		{`{"stringValue":"+44 (7700) 93-10-03"}`, "its digits"},
		{"0447700931003", "its digits"},
		{"h***@canary.example ***03 C***", ""},
	}
	for _, tt := range tests {
		got := findCanaries(list, tt.text, "test")
		switch {
		case tt.want == "" && len(got) > 0:
			t.Errorf("findCanaries(%q) = %+v, want nothing", tt.text, got)
		case tt.want != "" && (len(got) != 1 || got[0].form != tt.want):
			t.Errorf("findCanaries(%q) = %+v, want one found as %s", tt.text, got, tt.want)
		}
	}
}

// Every platform with a preset must have a canary case; the summary line
// says which are covered (shown with -v, or when this package is tested
// alone).
func TestCanaryCoverage(t *testing.T) {
	fixtures := map[string]int{}
	for _, cc := range canaryCases {
		fixtures[cc.platform]++
	}
	var covered, missing []string
	for _, p := range platform.Names() {
		if n := fixtures[p]; n > 0 {
			covered = append(covered, fmt.Sprintf("%s (%d fixtures)", p, n))
		} else {
			missing = append(missing, p)
		}
	}
	coverageSummary = "canary coverage: " + strings.Join(covered, ", ") + "; not covered: " + orNone(missing)
	t.Log(coverageSummary)
	if len(missing) > 0 {
		t.Errorf("platforms without a canary case: %s (add a row to canaryCases)", strings.Join(missing, ", "))
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

var coverageSummary string

func TestMain(m *testing.M) {
	code := m.Run()
	if coverageSummary != "" {
		fmt.Println(coverageSummary)
	}
	os.Exit(code)
}
