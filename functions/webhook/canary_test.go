package webhookfn

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/webhook"
)

// The canary proof: for each platform and fixture, every PII path of the
// preset gets a unique canary, canaries are hidden in free text (item
// names, a service's name, a reference) and in unknown fields too, and
// the signed delivery goes through the real handler twice: to a Sheets
// server that records every request, and to the Sheets emulator, whose
// every tab is read back. No canary, nor its lower-cased or URL-encoded
// form, nor its run of digits, may appear in what is sent to Google, in a
// cell of either, in the log or in the response.
//
// A platform plugs in by adding rows to canaryCases: one per official
// fixture that becomes an order or a booking. Fixtures that become
// neither prove nothing here, since nothing is written: Shopify's
// compliance topics (erasure requests), Stripe's bare envelope (a
// plan.created event) and Square's order.created (a thin event without
// total or items, which the preset ignores).

// canaryCase is one fixture of one platform.
type canaryCase struct {
	platform string
	fixture  string        // path from this directory
	kind     platform.Kind // the kind of table it lands in; default order
	// prepare turns the fixture into the document the platform sends:
	// strip a wrapper, assemble Stripe's envelope. nil keeps it.
	prepare func(t testing.TB, doc any) any
	// shapes are PII objects, as JSON, that a decoder reads and the
	// fixture lacks (absent, null or {}), keyed by PII path: canaries are
	// planted in their leaves, in the shape a real delivery has, where a
	// bare string would make the delivery malformed.
	shapes map[string]string
	// fixedRoot keeps unknown keys out of the document's root, for
	// platforms whose root is one resource and nothing else.
	fixedRoot bool
	// encode makes the body from the planted document; nil is JSON.
	encode func(doc any) ([]byte, error)
	// source holds YAML lines of the source's configuration besides its
	// platform and secrets: notification_url, signature, currency.
	source string
	// mapped adds the fixture's fields: mapping (fieldsYAML), for the
	// generic presets.
	mapped  bool
	headers http.Header
	// freeText are raw paths of free text that reaches a cell (item
	// names, a service, a reference): canaries are hidden there in a
	// sentence, and the table takes each path as a raw column too, so
	// the guard must find them wherever they arrive.
	freeText []string
	// rawPaths are other non-PII raw paths the table takes.
	rawPaths []string
	// minCanaries is how many canaries the fixture must take; default 20.
	// A row that sets it fewer says why.
	minCanaries int
	// control plants canaries at paths that are not PII, for the test
	// that shows the harness sees a leak.
	control []string
}

// platformFixture is a fixture of the presets' own testdata.
func platformFixture(name string) string { return "../../shared/platform/testdata/" + name }

func jsonHeaders(kv ...string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func shopifyHeaders(topic string) http.Header {
	return jsonHeaders(platform.ShopifyTopicHeader, topic, platform.ShopifyShopDomainHeader, "canary-shop.myshopify.com",
		platform.ShopifyWebhookIDHeader, "canary-delivery-1")
}

// unwrap strips a wrapper object, e.g. {"order": …}.
func unwrap(key string) func(testing.TB, any) any {
	return func(t testing.TB, doc any) any {
		m, ok := doc.(map[string]any)
		if !ok || m[key] == nil {
			t.Fatalf("fixture has no %q to unwrap", key)
		}
		return m[key]
	}
}

// stripeEnvelope assembles a delivery as shared/platform/testdata's
// SOURCES.md prescribes: Stripe's official event envelope with its type
// set and the fixture, an official resource, as data.object.
func stripeEnvelope(typ string) func(testing.TB, any) any {
	return func(t testing.TB, obj any) any {
		env, ok := readFixture(t, platformFixture("stripe_event_envelope__openapi_fixtures3.json")).(map[string]any)
		if !ok {
			t.Fatal("the Stripe envelope is not an object")
		}
		env["type"] = typ
		env["data"] = map[string]any{"object": obj}
		return env
	}
}

// formPayload encodes the document as Lightspeed X-Series posts it: a form
// whose payload field is the JSON.
func formPayload(doc any) ([]byte, error) {
	j, err := json.Marshal(doc)
	return []byte(url.Values{"payload": {string(j)}}.Encode()), err
}

// fieldsYAML is the fields: block of a source of the generic presets: the
// fixture's mapping in shared/platform/testdata/generic_fields.json, which
// the golden tests use too, with every customer field the payload has a
// place for, so that the preset has PII paths to plant into.
func fieldsYAML(t testing.TB, fixture string) string {
	t.Helper()
	all, ok := readFixture(t, platformFixture("generic_fields.json")).(map[string]any)
	fields, _ := all[fixture[strings.LastIndex(fixture, "/")+1:]].(map[string]any)
	if !ok || fields == nil {
		t.Fatalf("generic_fields.json has no mapping for %s", fixture)
	}
	var b strings.Builder
	b.WriteString("fields:\n")
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		fmt.Fprintf(&b, "  %s: %q\n", k, fields[k])
	}
	return b.String()
}

// Stripe's contact objects, in the shape of its API, for the resources
// that lack them: the preset reads customer_details and billing_details
// of every object.
var stripeShapes = map[string]string{
	"data.object.customer_details": `{"address": ` + stripeAddress + `, "business_name": "", "email": "", "individual_name": "", "name": "", "phone": "", "tax_exempt": "", "tax_ids": []}`,
	"data.object.billing_details":  `{"address": ` + stripeAddress + `, "email": "", "name": "", "phone": ""}`,
	"data.object.shipping":         `{"address": ` + stripeAddress + `, "carrier": "", "name": "", "phone": "", "tracking_number": ""}`,
}

const stripeAddress = `{"city": "", "country": "", "line1": "", "line2": "", "postal_code": "", "state": ""}`

// squareBooking is a case of a Square booking event, which lands in a
// booking table.
func squareBooking(fixture string) canaryCase {
	return canaryCase{
		platform: "square", fixture: platformFixture(fixture), kind: platform.KindBooking,
		source:      squareSource,
		headers:     jsonHeaders(),
		freeText:    []string{"data.object.booking.appointment_segments[].service_variation_id"},
		rawPaths:    []string{"data.object.booking.location_id", "data.object.booking.status"},
		minCanaries: 13,
	}
}

// squareSource names the subscription's URL, which Square signs.
const squareSource = "notification_url: https://canary.example/hooks/src\n"

// squareAddress is Square's Address object.
const squareAddress = `{"address_line_1": "", "address_line_2": "", "locality": "", "administrative_district_level_1": "", "postal_code": "", "country": "", "first_name": "", "last_name": ""}`

var canaryCases = []canaryCase{
	{
		platform: "shopify", fixture: platformFixture("shopify_orders_create_devdocs_sample.json"),
		headers:  shopifyHeaders("orders/create"),
		freeText: []string{"line_items[].name", "line_items[].title"},
		rawPaths: []string{"line_items[].sku", "name", "source_name"},
	},
	{
		platform: "shopify", fixture: "testdata/shopify_order_rest_fixture__shopify_python_api.json", prepare: unwrap("order"),
		headers:  shopifyHeaders("orders/paid"),
		freeText: []string{"line_items[].name", "line_items[].title"},
		rawPaths: []string{"line_items[].sku", "line_items[].variant_title", "gateway"},
	},
	{
		platform: "woocommerce", fixture: platformFixture("woocommerce_order_created_v3.json"),
		headers: jsonHeaders(platform.WooCommerceTopicHeader, "order.created", platform.WooCommerceSourceHeader, "https://canary-shop.example/",
			platform.WooCommerceDeliveryIDHeader, "canary-delivery-1"),
		freeText: []string{"line_items[].name"},
		rawPaths: []string{"line_items[].sku", "number", "created_via", "payment_method_title"},
	},
	{
		platform: "stripe", fixture: platformFixture("stripe_checkout_session_object__openapi_fixtures3.json"),
		prepare: stripeEnvelope("checkout.session.completed"), shapes: stripeShapes,
		headers:  jsonHeaders("Content-Type", "application/json; charset=utf-8"),
		freeText: []string{"data.object.client_reference_id"}, // the order number
		rawPaths: []string{"data.object.mode", "data.object.payment_status"},
	},
	{
		platform: "stripe", fixture: platformFixture("stripe_payment_intent_object__openapi_fixtures3.json"),
		prepare: stripeEnvelope("payment_intent.succeeded"), shapes: stripeShapes,
		headers:  jsonHeaders("Content-Type", "application/json; charset=utf-8"),
		freeText: []string{"data.object.statement_descriptor", "data.object.statement_descriptor_suffix"},
		rawPaths: []string{"data.object.status", "data.object.latest_charge"},
	},
	{
		platform: "stripe", fixture: platformFixture("stripe_charge_object__openapi_fixtures3.json"),
		prepare: stripeEnvelope("charge.refunded"), shapes: stripeShapes,
		headers:  jsonHeaders("Content-Type", "application/json; charset=utf-8"),
		freeText: []string{"data.object.statement_descriptor", "data.object.calculated_statement_descriptor"},
		rawPaths: []string{"data.object.payment_intent", "data.object.status"},
	},
	{
		platform: "square", fixture: platformFixture("square_payment_created.json"),
		source:  squareSource,
		headers: jsonHeaders(),
		shapes: map[string]string{
			"data.object.payment.billing_address":  squareAddress,
			"data.object.payment.shipping_address": squareAddress,
		},
		freeText: []string{"data.object.payment.receipt_number", "data.object.payment.application_details.square_product"},
		rawPaths: []string{"data.object.payment.source_type", "data.object.payment.location_id"},
	},
	// 13 canaries each: a booking event is small. Its PII paths are three
	// (customer_id, customer_note, seller_note; plus data.object.customer,
	// the preset's path for customer events, absent here and planted
	// anyway), one free text reaches a cell (the segment's service, 4
	// canaries) and it has five objects for unknown fields.
	squareBooking("square_booking_created.json"),
	squareBooking("square_booking_updated.json"),
	{
		platform: "lightspeed-xseries", fixture: platformFixture("lightspeed_xseries_sale_update_payload.json"),
		source: "currency: NZD\n", encode: formPayload,
		headers:  http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		freeText: []string{"register_sale_products[].name"},
		rawPaths: []string{"invoice_number", "register_sale_products[].product_id", "status"},
	},
	{
		platform: "lightspeed-ecom", fixture: platformFixture("lightspeed_ecom_order.DERIVED.json"), fixedRoot: true,
		source:   "currency: EUR\n",
		headers:  jsonHeaders(platform.LightspeedEcomShopIDHeader, "123456", "X-Language", "nl"),
		freeText: []string{"order.number", "order.shipmentTitle"},
		rawPaths: []string{"order.paymentTitle", "order.channel"},
	},
	{
		platform: "generic", fixture: platformFixture("calcom_booking_created__docs_2023.json"), kind: platform.KindBooking,
		source: "signature: {header: X-Canary-Signature}\n", mapped: true,
		headers:  jsonHeaders(),
		freeText: []string{"payload.eventTitle", "payload.title"},
		rawPaths: []string{"payload.type", "payload.uid"},
	},
	{
		// 17 canaries: the derived booking holds four PII fields (the
		// customer's), two free texts that reach a cell (the service and
		// the venue, 4 canaries each) and five objects.
		platform: "generic", fixture: platformFixture("dg1_booking_confirmed.DERIVED.json"), kind: platform.KindBooking,
		source: "signature: {header: X-Canary-Signature}\n", mapped: true,
		headers:     jsonHeaders(),
		freeText:    []string{"data.booking.service", "data.booking.venue"},
		rawPaths:    []string{"data.booking.status", "event"},
		minCanaries: 17,
	},
	{
		platform: "standard-webhooks", fixture: platformFixture("standard_webhooks_order_paid.DERIVED.json"),
		mapped:   true,
		headers:  jsonHeaders(),
		freeText: []string{"data.items[].name", "data.number"},
		rawPaths: []string{"data.status", "type"},
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

// The kinds of canary that the guard must find in free text come in the
// formats people write them in, in turn: the n-th canary takes format n
// modulo the number of formats.

func (c *canaries) email(where string) string {
	e := fmt.Sprintf("cnry%03dmail@canary.example", len(c.list)+1)
	if len(c.list)%2 == 1 {
		e = strings.ToUpper(e)
	}
	return c.add(where, e)
}

func (c *canaries) phone(where string) string {
	formats := []string{"+44 7700 9%05d", "07700 9%05d", "+4477009%05d", "0044-7700-9%05d"}
	return c.add(where, fmt.Sprintf(formats[len(c.list)%len(formats)], 31000+len(c.list)))
}

func (c *canaries) number(where string) json.Number {
	return json.Number(c.add(where, fmt.Sprintf("97%016d", 4242000+len(c.list))))
}

// card is a Visa number that passes the Luhn check, in groups of four
// with spaces or dashes, or in one run.
func (c *canaries) card(where string) string {
	body := fmt.Sprintf("400000%09d", 7100+len(c.list))
	for d := 0; d < 10; d++ {
		n := body + strconv.Itoa(d)
		if luhnOK(n) {
			sep := []string{" ", "-", ""}[len(c.list)%3]
			return c.add(where, strings.Join([]string{n[0:4], n[4:8], n[8:12], n[12:16]}, sep))
		}
	}
	panic("unreachable")
}

// iban is a French IBAN with valid check digits, in groups of four or in
// one run.
func (c *canaries) iban(where string) string {
	bban := fmt.Sprintf("30006000%015d", 88000+len(c.list))
	for check := 2; check <= 98; check++ {
		s := fmt.Sprintf("FR%02d%s", check, bban)
		if !ibanOK(s) {
			continue
		}
		if len(c.list)%2 == 1 {
			return c.add(where, s)
		}
		return c.add(where, s[0:4]+" "+s[4:8]+" "+s[8:12]+" "+s[12:16]+" "+s[16:20]+" "+s[20:24]+" "+s[24:])
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
		// A number here was a number above; a string id stays a string,
		// as its decoder wants.
		return string(c.number(where))
	}
	return c.token(where)
}

// plantAt applies f to every value at a path of doc ("a.b", "a[].b",
// "a[0].b": every element alike, "a.*": every key), creating the last key
// when it is missing.
func plantAt(doc any, path platform.JSONPath, where string, f func(v any, where string) any) {
	if len(path) == 0 {
		return
	}
	st, rest := path[0], path[1:]
	switch d := doc.(type) {
	case map[string]any:
		keys := []string{st.Key}
		switch st.Key {
		case "":
			return // an element step on an object
		case "*":
			keys = slices.Collect(maps.Keys(d))
		}
		for _, k := range keys {
			at := strings.TrimPrefix(where+"."+k, ".")
			if len(rest) == 0 {
				d[k] = f(d[k], at)
			} else if child, ok := d[k]; ok {
				plantAt(child, rest, at, f)
			}
		}
	case []any:
		if st.Key != "" {
			return
		}
		for i, e := range d {
			if len(rest) == 0 {
				d[i] = f(e, where+"[]")
			} else {
				plantAt(e, rest, where+"[]", f)
			}
		}
	}
}

// plantPath is plantAt for a path of the configuration's notation.
func plantPath(t testing.TB, doc any, path string, f func(v any, where string) any) {
	t.Helper()
	p, err := platform.ParseJSONPath(path)
	if err != nil {
		t.Fatal(err)
	}
	plantAt(doc, p, "", f)
}

// addUnknown hides a canary under an unknown key in every object below
// v, and in v itself unless fixedRoot.
func (c *canaries) addUnknown(v any, where string, fixedRoot bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			c.addUnknown(child, where+"."+k, false)
		}
		if !fixedRoot {
			v["x_canary_extra"] = c.token(where + ".x_canary_extra")
		}
	case []any:
		for _, child := range v {
			c.addUnknown(child, where+"[]", false)
		}
	}
}

// canaryConfig is one source of the case's platform and one table of its
// kind that takes every canonical field of the kind and every event
// field, every PII field through each operator that removes identity,
// the free-text paths and the raw paths.
func canaryConfig(t *testing.T, cc canaryCase) *config.Config {
	t.Helper()
	yaml := canaryYAML(t, cc)
	cfg, err := config.Parse("canary.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("canary configuration: %v\n%s", err, yaml)
	}
	return cfg
}

// canaryYAML is the text of canaryConfig; its last line is a column.
func canaryYAML(t *testing.T, cc canaryCase) string {
	t.Helper()
	kind := cc.tableKind()
	var b strings.Builder
	fmt.Fprintf(&b, "spreadsheet: {id: canary-sheet, time_zone: Europe/Paris}\nprivacy: {pseudonym_key: pk}\n")
	fmt.Fprintf(&b, "sources:\n  src:\n    platform: %s\n    secrets: [ws]\n", cc.platform)
	source := cc.source
	if cc.mapped {
		source += fieldsYAML(t, cc.fixture)
	}
	for line := range strings.Lines(source) {
		b.WriteString("    " + line)
	}
	fmt.Fprintf(&b, "tables:\n  - tab: %s\n    kind: %s\n    key: %s_id\n    columns:\n      - {header: %[3]s_id, field: %[3]s.id}\n",
		canaryTab(kind), kind, kind)
	for _, f := range platform.Fields() {
		switch {
		case f.Name == string(kind)+".id" || (f.Kind != "" && f.Kind != kind):
		case f.PII:
			for _, op := range privacy.Operators() {
				if op.RemovesIdentity {
					fmt.Fprintf(&b, "      - {header: %q, field: %s, op: %s}\n", f.Name+" "+op.Name, f.Name, op.Name)
				}
			}
		default:
			fmt.Fprintf(&b, "      - {header: %q, field: %s}\n", f.Name, f.Name)
		}
	}
	for _, p := range slices.Concat(cc.freeText, cc.rawPaths) {
		fmt.Fprintf(&b, "      - {header: %q, path: %q}\n", "raw "+p, p)
	}
	return b.String()
}

func (cc canaryCase) tableKind() platform.Kind {
	if cc.kind == "" {
		return platform.KindOrder
	}
	return cc.kind
}

func canaryTab(k platform.Kind) string {
	if k == platform.KindBooking {
		return "Bookings"
	}
	return "Orders"
}

// canarySecret is a signing secret the scheme accepts.
func canarySecret(scheme string) string {
	if scheme == webhook.SchemeStandardWebhooks {
		return "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("w", 32)))
	}
	return "canary-webhook-secret"
}

// leak is where a canary was found.
type leak struct {
	canary canary
	form   string
	place  string
}

// canaryTotals counts the canaries planted per platform by TestCanaries,
// for the summary TestMain prints.
var canaryTotals = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

func TestCanaries(t *testing.T) {
	for _, cc := range canaryCases {
		t.Run(cc.platform+"/"+cc.fixture[strings.LastIndex(cc.fixture, "/")+1:], func(t *testing.T) {
			t.Parallel()
			leaks, planted := runCanary(t, cc)
			for _, l := range leaks {
				t.Errorf("canary %d (planted at %s) leaked into a %s as %s: %q", l.canary.id, l.canary.where, l.place, l.form, l.canary.value)
			}
			canaryTotals.Lock()
			canaryTotals.m[cc.platform] += planted
			canaryTotals.Unlock()
		})
	}
}

// Where the canaries are planted, no raw column may read without an
// operator: the lint refuses a raw path at each PII path of each case's
// source, so the canaries' absence is not only the columns' choice.
func TestCanaryPIIPathsAreLinted(t *testing.T) {
	t.Parallel()
	for _, cc := range canaryCases {
		cfg := canaryConfig(t, cc)
		preset, err := platform.New(cc.platform, cfg.Sources["src"].PresetOptions())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range preset.PIIPaths() {
			yaml := canaryYAML(t, cc) + fmt.Sprintf("      - {header: leak, path: %q}\n", p)
			if _, err := config.Parse("canary.yaml", []byte(yaml)); err == nil || !strings.Contains(err.Error(), "takes personal data") {
				t.Errorf("%s: a raw column at PII path %s = %v, want the lint to refuse it", cc.fixture, p, err)
			}
		}
	}
}

// The control: a canary planted where no privacy rule applies (the sales
// channel, a column of the table) must be reported, in the cells of both
// sheets and in the request to Google, in the Excel table and in the
// requests to Graph.
func TestCanaryHarnessSeesALeak(t *testing.T) {
	t.Parallel()
	cc := canaryCases[0]
	cc.control = []string{"source_name"}
	places := map[string]bool{}
	leaks, _ := runCanary(t, cc)
	for _, l := range leaks {
		if l.canary.where == "source_name" {
			places[l.place] = true
		}
	}
	for _, want := range []string{"sheet cell (recorder)", "sheet cell (emulator)", "request to the Sheets API", "Excel cell", "request to Graph or Entra ID"} {
		if !places[want] {
			t.Errorf("the control canary was found in %v, want a %s among them", places, want)
		}
	}
}

// sheetsBackend is a Sheets server the handler writes to, and how to read
// back what it holds.
type sheetsBackend struct {
	name  string
	svc   *sheets.Service
	cells sheetCells
	sent  func() []recorded // nil: requests are not recorded
}

// emulatorCells reads every cell of every tab of the emulated
// spreadsheet, and the developer metadata the sink keeps there, as the
// people the sheet is shared with could.
func emulatorCells(t *testing.T, emu *gsheetstest.Server, svc *sheets.Service, id string) sheetCells {
	return func() []string {
		ss, err := svc.Spreadsheets.Get(id).Do()
		if err != nil {
			t.Fatalf("reading the emulated spreadsheet: %v", err)
		}
		var cells []string
		for _, sh := range ss.Sheets {
			rows, err := emu.Snapshot(id, sh.Properties.Title)
			if err != nil {
				t.Fatalf("Snapshot(%q): %v", sh.Properties.Title, err)
			}
			for _, r := range rows {
				cells = append(cells, r...)
			}
		}
		md, err := emu.Metadata(id)
		if err != nil {
			t.Fatalf("Metadata(): %v", err)
		}
		for _, m := range md {
			cells = append(cells, m.MetadataKey, m.MetadataValue)
		}
		return cells
	}
}

// runCanary plants the canaries of one case, delivers it to the recorder
// and to the emulator, and returns every leak and the number of canaries.
func runCanary(t *testing.T, cc canaryCase) ([]leak, int) {
	t.Helper()
	cfg, src, c, body := plantCanaries(t, cc)
	// The same configuration with an Excel destination beside the sheet:
	// the canaries are looked for in what reaches Graph too.
	cfg = canaryConfigWithExcel(t, cc)
	src = cfg.Sources["src"]

	emu := gsheetstest.NewServer(t)
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("canary")
	// A partner destination that takes the row too: its spreadsheet, in
	// the columns it keeps, is as free of the canaries as the main one.
	partnerID := emu.CreateSpreadsheet("partner")
	if cfg.Destinations == nil {
		cfg.Destinations = map[string]*config.Destination{}
	}
	cfg.Destinations["partner"] = &config.Destination{Kind: config.KindGoogleSheets,
		Spreadsheet: config.DestinationSpreadsheet{ID: partnerID}, Where: `event.source == "src"`}
	cfg.DestinationNames = append(cfg.DestinationNames, "partner")
	emuSvc, err := emu.Service(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	partnerCells := emulatorCells(t, emu, emuSvc, partnerID)
	// One write, through a recorder in front of the emulator: what was
	// sent to Google, what the sink asked to write, and what the sheet
	// then holds are all checked.
	rec := newRecorder(t, emu)
	backends := []sheetsBackend{
		{name: "emulator", svc: rec.service(t), cells: emulatorCells(t, emu, emuSvc, cfg.Spreadsheet.ID), sent: rec.Sent},
	}
	scheme, err := src.SchemeOf()
	if err != nil {
		t.Fatal(err)
	}
	secret := canarySecret(scheme)
	places := map[string][]string{}
	for _, be := range backends {
		var logs bytes.Buffer
		res := secrets.Map{"ws": {secret}, "pk": {strings.Repeat("p", 32)}}
		graph, excelPlaces := excelCanaryBackend(t, cfg, res)
		h, err := New(t.Context(), Deps{
			Config:  cfg,
			Secrets: res,
			Sheets:  be.svc,
			Graph:   graph,
			Logger:  logging.New(&logs, slog.LevelDebug),
		})
		if err != nil {
			t.Fatal(err)
		}
		signed, err := webhook.Sign(scheme, secret, body, src.WebhookOptions(nil))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/src?"+signed.Query.Encode(), bytes.NewReader(body))
		req.Header = cc.headers.Clone()
		for k, v := range signed.Header {
			req.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		resp, _ := io.ReadAll(w.Result().Body)
		if w.Code != http.StatusOK || !strings.Contains(string(resp), `"written"`) {
			t.Fatalf("delivery to the %s = %d %s, want 200 written (a rejected delivery proves nothing)\n%s", be.name, w.Code, resp, logs.String())
		}
		if !strings.Contains(logs.String(), `"masked":{"email":`) || !strings.Contains(logs.String(), `"card":`) {
			t.Errorf("%s: the log does not count what the guard masked in the free text", be.name)
		}
		cells := be.cells()
		if !slices.ContainsFunc(cells, func(s string) bool { return strings.HasPrefix(s, "c_") }) {
			t.Errorf("%s: no pseudonym among the cells: the PII columns were not exercised", be.name)
		}
		places["response body"] = append(places["response body"], string(resp))
		places["log"] = append(places["log"], strings.Split(logs.String(), "\n")...)
		places["sheet cell ("+be.name+")"] = cells
		partner := partnerCells()
		if !slices.ContainsFunc(partner, func(s string) bool { return strings.HasPrefix(s, "c_") }) {
			t.Errorf("%s: the partner's spreadsheet got no row: its where was not exercised", be.name)
		}
		places["sheet cell (partner destination)"] = partner
		places["sheet cell (recorder)"] = rec.Cells()
		for place, texts := range excelPlaces() {
			if len(texts) == 0 {
				t.Errorf("%s: nothing to search: the Excel destination was not written", place)
			}
			places[place] = append(places[place], texts...)
		}
		if be.sent != nil {
			for _, r := range be.sent() {
				places["request to the Sheets API"] = append(places["request to the Sheets API"], r.URL, string(r.Body))
			}
		}
		t.Logf("%s: %d cells, %d log lines", be.name, len(cells), strings.Count(logs.String(), "\n"))
	}
	var leaks []leak
	for place, texts := range places {
		for _, text := range texts {
			leaks = append(leaks, findCanaries(c.list, text, place)...)
		}
	}
	minimum := cc.minCanaries
	if minimum == 0 {
		minimum = 20
	}
	if len(c.list) < minimum {
		t.Errorf("only %d canaries planted, want %d: the fixture's PII paths are not covered", len(c.list), minimum)
	}
	t.Logf("%d canaries planted, %d requests to the Sheets API, %d leaks", len(c.list), len(rec.Sent()), len(leaks))
	return leaks, len(c.list)
}

// plantCanaries reads a case's fixture, plants its canaries and encodes
// the delivery's body; cfg is the case's configuration and src its
// source.
func plantCanaries(t *testing.T, cc canaryCase) (cfg *config.Config, src *config.Source, c *canaries, body []byte) {
	t.Helper()
	doc := readFixture(t, cc.fixture)
	if cc.prepare != nil {
		doc = cc.prepare(t, doc)
	}
	cfg = canaryConfig(t, cc)
	src = cfg.Sources["src"]
	preset, err := platform.New(cc.platform, src.PresetOptions())
	if err != nil {
		t.Fatal(err)
	}
	c = &canaries{}
	for p, shape := range cc.shapes {
		plantPath(t, doc, p, func(v any, _ string) any {
			if m, ok := v.(map[string]any); v != nil && (!ok || len(m) > 0) {
				return v
			}
			return decodeJSON(t, []byte(shape))
		})
	}
	for _, p := range preset.PIIPaths() {
		plantPath(t, doc, p, c.plant)
	}
	for _, p := range cc.freeText {
		plantPath(t, doc, p, func(_ any, where string) any {
			return fmt.Sprintf("Mug for %s, call %s, card %s, IBAN %s", c.email(where), c.phone(where), c.card(where), c.iban(where))
		})
	}
	for _, p := range cc.control {
		plantPath(t, doc, p, func(_ any, where string) any { return c.token(where) })
	}
	c.addUnknown(doc, "", cc.fixedRoot)
	encode := cc.encode
	if encode == nil {
		encode = func(doc any) ([]byte, error) { return json.Marshal(doc) }
	}
	body, err = encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, src, c, body
}

// readFixture decodes a JSON fixture, keeping numbers exact.
func readFixture(t testing.TB, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, raw)
}

func decodeJSON(t testing.TB, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
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

// Every platform with a preset must have a canary case. TestMain prints
// the summary, each platform with its fixtures and the canaries planted
// (shown by go test -v, or by go test run in this directory).
func TestCanaryCoverage(t *testing.T) {
	coverageRan = true
	if missing := uncovered(); len(missing) > 0 {
		t.Errorf("platforms without a canary case: %s (add a row to canaryCases)", strings.Join(missing, ", "))
	}
}

// rowless are the platforms whose deliveries write no row: no canary
// case of this harness, which checks rows, applies to them.
// TestErasureCanaries plants canaries in erasure requests instead.
var rowless = map[string]bool{"erasure": true}

func uncovered() []string {
	var missing []string
	for _, p := range platform.Names() {
		if rowless[p] {
			continue
		}
		if !slices.ContainsFunc(canaryCases, func(cc canaryCase) bool { return cc.platform == p }) {
			missing = append(missing, p)
		}
	}
	return missing
}

// coverageSummary says, per platform with a preset, how many fixtures
// have a canary case and how many canaries TestCanaries planted in them.
func coverageSummary() string {
	fixtures := map[string]int{}
	for _, cc := range canaryCases {
		fixtures[cc.platform]++
	}
	canaryTotals.Lock()
	defer canaryTotals.Unlock()
	var covered []string
	for _, p := range platform.Names() {
		n, planted := fixtures[p], canaryTotals.m[p]
		if n == 0 {
			continue
		}
		what := fmt.Sprintf("%d canaries", planted)
		if planted == 0 {
			what = "canaries not run"
		}
		covered = append(covered, fmt.Sprintf("%s (%d %s, %s)", p, n, plural(n, "fixture"), what))
	}
	return "canary coverage: " + strings.Join(covered, ", ") + "; not covered: " + orNone(uncovered())
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// coverageRan says TestCanaryCoverage ran, so that the summary is printed
// only when the canary tests were asked for.
var coverageRan bool

func TestMain(m *testing.M) {
	code := m.Run()
	canaryTotals.Lock()
	ran := len(canaryTotals.m) > 0
	canaryTotals.Unlock()
	if coverageRan || ran {
		fmt.Println(coverageSummary())
	}
	os.Exit(code)
}
