package pipeline

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The guard runs on every text cell, whatever the column: a plain field,
// an item summary, a raw path.
func TestRunGuardsEveryTextCell(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	ev := event()
	ev.Order.Items = []platform.Item{{Name: "Mug - call 06 12 34 56 78", Quantity: 1}, {Name: "Tasse", Quantity: 2}}
	ev.Order.Status = "paid"
	ev.Body = []byte(`{"line_items":[{"sku":"harriet@example.com"},{"sku":"CAFE-002"}]}`)
	got, err := p.Run(NewInput(ev, "shopify", nil))
	if err != nil {
		t.Fatal(err)
	}
	if items := got.Row.Cells[4].Text; items != "Mug - call ***78 x1, Tasse x2" {
		t.Errorf("items cell = %q, want the phone masked", items)
	}
	if sku := got.Row.Cells[8].Text; sku != "h***@example.com, CAFE-002" {
		t.Errorf("sku cell = %q, want the email masked", sku)
	}
	if want := (privacy.Counts{Emails: 1, Phones: 1}); got.Masked != want {
		t.Errorf("Run().Masked = %+v, want %+v (masked operator outputs are not counted again)", got.Masked, want)
	}
}

// A long first item is cut after the guard, never through a value it
// would have recognized.
func TestItemsGuardedBeforeCut(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	ev := event()
	ev.Order.Items = []platform.Item{{Name: strings.Repeat("x", ItemsMaxLen-20) + " tel 06 12 34 56 78", Quantity: 1}}
	got, err := p.Run(NewInput(ev, "shopify", nil))
	if err != nil {
		t.Fatal(err)
	}
	if items := got.Row.Cells[4].Text; strings.Contains(items, "06 12") || got.Masked.Phones != 1 {
		t.Errorf("items cell ends %q, masked %+v, want the phone masked before the cut", items[len(items)-30:], got.Masked)
	}
}

// Updates policy end to end from the configuration: the filter decides
// whether a row may be inserted; updates of a row already in the sheet
// apply unless the table says updates: filter.
func TestUpdatesPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		updates      string
		status       platform.Status
		insert, upd  bool
		passedFilter bool
	}{
		{"", platform.StatusPaid, true, true, true},
		{"", platform.StatusRefunded, false, true, false},
		{"always", platform.StatusRefunded, false, true, false},
		{"filter", platform.StatusPaid, true, true, true},
		{"filter", platform.StatusRefunded, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.updates+"/"+string(tt.status), func(t *testing.T) {
			t.Parallel()
			yaml := cfgYAML
			if tt.updates != "" {
				yaml = strings.Replace(yaml, "    key: order_id\n", "    key: order_id\n    updates: "+tt.updates+"\n", 1)
			}
			ev := event()
			ev.Order.Status = tt.status
			got, err := compile(t, yaml)["Orders"].Run(NewInput(ev, "shopify", nil))
			if err != nil {
				t.Fatal(err)
			}
			if got.Passed != tt.passedFilter || got.Row.Insert != tt.insert || got.Row.Update != tt.upd {
				t.Errorf("Run(updates %q, status %s) = passed %v insert %v update %v, want %v %v %v",
					tt.updates, tt.status, got.Passed, got.Row.Insert, got.Row.Update, tt.passedFilter, tt.insert, tt.upd)
			}
		})
	}
}

// Every field of the filter's views can be used, and means what it says.
func TestFilterViews(t *testing.T) {
	t.Parallel()
	tests := []struct {
		filter string
		want   bool
	}{
		{`order.test == false`, true},
		{`order.test`, false},
		{`event.source == "shopify"`, true},
		{`event.platform == "shopify"`, true},
		{`event.topic.startsWith("orders/")`, true},
		{`order.channel == "web" && order.store == "cafe-demo.myshopify.com"`, true},
		{`order.item_count >= 3`, true},
		{`order.total > 61.79 && order.total < 61.81 && order.currency == "EUR"`, true},
		{`order.number == "#1001"`, true},
		{`order.created < timestamp("2026-11-24T00:00:00Z")`, true},
		{`order.status_raw == "paid"`, true},
		{`!order.test && order.status in ["paid", "partially_refunded"]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			t.Parallel()
			yaml := strings.Replace(cfgYAML, `filter: order.status == "paid" && order.total > 0`, "filter: '"+tt.filter+"'", 1)
			ev := event()
			ev.Platform, ev.Order.Channel, ev.Order.Store, ev.Order.Number, ev.Order.StatusRaw = "shopify", "web", "cafe-demo.myshopify.com", "#1001", "paid"
			got, err := compile(t, yaml)["Orders"].Run(NewInput(ev, "shopify", nil))
			if err != nil {
				t.Fatal(err)
			}
			if got.Passed != tt.want {
				t.Errorf("filter %s = %v, want %v", tt.filter, got.Passed, tt.want)
			}
		})
	}
}

const rawDoc = `{
  "id": 820982911946154508,
  "line_items": [
    {"sku": "A\"1", "qty": 2, "props": [{"v": "x"}, {"v": "y"}]},
    {"sku": "B-2", "qty": 1.50, "props": []},
    {"sku": null, "qty": true}
  ],
  "note_attributes": [{"name": "gift", "value": "é\u00e9"}],
  "nested": {"a": {"b": {"c": "deep"}}, "esc\u0061ped": "key"},
  "empty": "",
  "obj": {"k": 1}
}`

func TestRawPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, want string
		ok         bool
	}{
		{"id", "820982911946154508", true},
		{"line_items[].sku", `A"1, B-2`, true},
		{"line_items[1].qty", "1.50", true},
		{"line_items[2].qty", "true", true},
		{"line_items[2].sku", "", false},
		{"line_items[0].props[].v", "x, y", true},
		{"line_items[].props[1].v", "y", true},
		{"note_attributes[0].value", "éé", true},
		{"nested.a.b.c", "deep", true},
		{"nested.escaped", "key", true},
		{"empty", "", false},
		{"obj", "", false},
		{"line_items", "", false},
		{"missing.path", "", false},
		{"line_items[9].sku", "", false},
		{"id.x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := platform.ParseJSONPath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			in := &Input{Event: &platform.Event{Body: []byte(rawDoc)}}
			v, ok := in.rawValue(p)
			got, _ := v.(string)
			if got != tt.want || ok != tt.ok {
				t.Errorf("rawValue(%q) = %q, %v, want %q, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// treeValues is the reference for walkRaw: decode the whole document,
// then walk the tree.
func treeValues(doc []byte, path platform.JSONPath) []string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, path platform.JSONPath)
	walk = func(v any, path platform.JSONPath) {
		if len(path) == 0 {
			switch v := v.(type) {
			case string:
				if v != "" {
					out = append(out, v)
				}
			case json.Number:
				out = append(out, v.String())
			case bool:
				out = append(out, strconv.FormatBool(v))
			}
			return
		}
		s := path[0]
		switch v := v.(type) {
		case map[string]any:
			if c, ok := v[s.Key]; ok && s.Key != "" {
				walk(c, path[1:])
			}
		case []any:
			for i, e := range v {
				if s.Key == "" && (s.All || s.Index == i) {
					walk(e, path[1:])
				}
			}
		}
	}
	walk(v, path)
	return out
}

// FuzzRawPath checks walkRaw against decoding the whole document, on any
// valid JSON without duplicate keys, and that it never panics on invalid
// JSON.
func FuzzRawPath(f *testing.F) {
	f.Add([]byte(rawDoc), "line_items[].sku")
	f.Add([]byte(`{"a":[1,{"b":"c"}]}`), "a[1].b")
	f.Add([]byte(`{"a":"\u0041\"}`), "a")
	f.Add([]byte(`[`), "a")
	f.Fuzz(func(t *testing.T, doc []byte, pathText string) {
		path, err := platform.ParseJSONPath(pathText)
		if err != nil {
			return
		}
		var got []string
		walkRaw(doc, skipSpace(doc, 0), path, func(v string) {
			if v != "" {
				got = append(got, v)
			}
		})
		if !json.Valid(doc) || hasDuplicateKeys(doc) {
			return
		}
		if want := treeValues(doc, path); !cmp.Equal(got, want) {
			t.Errorf("walkRaw(%q, %q) = %q, want %q", doc, pathText, got, want)
		}
	})
}

func hasDuplicateKeys(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var stack []map[string]bool
	expectKey := []bool{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, map[string]bool{})
				expectKey = append(expectKey, true)
				continue
			case '[':
				stack = append(stack, nil)
				expectKey = append(expectKey, false)
				continue
			default:
				stack, expectKey = stack[:len(stack)-1], expectKey[:len(expectKey)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && expectKey[n-1] {
				if stack[n-1][tok] {
					return true
				}
				stack[n-1][tok] = true
				expectKey[n-1] = false
				continue
			}
		}
		if n := len(stack); n > 0 && stack[n-1] != nil {
			expectKey[n-1] = true
		}
	}
}

// TestFormatsGolden renders every format operator on values chosen for
// their edges; the cells are in testdata/formats.golden (-update).
func TestFormatsGolden(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	times := []time.Time{
		time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), // the last second of winter time in Paris
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),   // summer time
		time.Date(2021, 12, 31, 19, 0, 0, 0, time.FixedZone("", -5*3600)),
		time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), // a day later in Tokyo
	}
	moneys := []platform.Money{
		{Amount: "369.97", Currency: "USD"},
		{Amount: "-5", Currency: "EUR"},
		{Amount: "1500", Currency: "JPY"},
		{Amount: "1.234", Currency: "KWD"},
		{Amount: "9007199254740993.12", Currency: "USD"},
		{Amount: "12.50", Currency: ""},
		{Amount: "12.50", Currency: `E"R`},
	}
	var b strings.Builder
	cell := func(name string, v any, zone *time.Location) {
		var c privacy.Counts
		got := formatFunc(name)(v, &Input{Zone: zone}, &c)
		fmt.Fprintf(&b, "%s\t%v\t%s\t%+v\n", name, v, zone, got)
	}
	for _, tm := range times {
		for _, zone := range []*time.Location{time.UTC, paris, tokyo, ny} {
			for _, f := range []string{"datetime", "date", "iso"} {
				got := formatFunc(f)(tm, &Input{Zone: zone}, nil)
				fmt.Fprintf(&b, "%s\t%s\t%s\t%+v\n", f, tm.UTC().Format(time.RFC3339), zone, got)
			}
		}
	}
	for _, m := range moneys {
		cell("money", m, time.UTC)
		cell("amount", m, time.UTC)
	}
	for _, n := range []int64{0, 3, -2, 1 << 53} {
		cell("number", n, time.UTC)
	}
	cell("items", []platform.Item{{Name: " Grains de café 1kg ", Quantity: 2}, {Name: "Tasse", Quantity: 1}}, time.UTC)
	cell("items", []platform.Item{{Name: "Gift for harriet@example.com", Quantity: 1}}, time.UTC)
	cell("text", true, time.UTC)
	golden(t, "testdata/formats.golden", b.String())
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got), run go test -update after checking:\n%s", path, diff)
	}
}

// A text longer than a cell holds (a raw path onto a field that can be
// anything) is guarded, then cut to fit with "…": Google would refuse the
// whole write otherwise. A value the cut goes through is masked before the
// cut, and values far beyond it are never seen whole nor leaked.
func TestLongTextCutToFit(t *testing.T) {
	t.Parallel()
	p := compile(t, cfgYAML)["Orders"]
	const canary = "harriet.canary@example.com"
	filler := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, sku string
		cut       bool
		want      func(string) bool
	}{
		{"fits", filler(model.MaxCellChars), false, func(s string) bool { return s == filler(model.MaxCellChars) }},
		{"one over", filler(model.MaxCellChars + 1), true, func(s string) bool { return s == filler(model.MaxCellChars-1)+"…" }},
		{"emoji count two", strings.Repeat("😀", model.MaxCellChars/2+1), true, func(s string) bool {
			return s == strings.Repeat("😀", model.MaxCellChars/2-1)+"…"
		}},
		{"value across the cut", filler(model.MaxCellChars-10) + " " + canary + " " + filler(100), true, nil},
		{"value across the guard's reach", filler(model.MaxCellChars+1024-10) + " " + canary + " " + filler(10), true, nil},
		{"a megabyte of addresses", strings.Repeat(canary+" ", (1<<20)/(len(canary)+1)), true, nil},
		{"formula", "=" + filler(model.MaxCellChars+5), true, func(s string) bool { return strings.HasPrefix(s, "'=") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := event()
			body, _ := json.Marshal(map[string]any{"line_items": []map[string]string{{"sku": tt.sku}}})
			ev.Body = body
			got, err := p.Run(NewInput(ev, "shopify", nil))
			if err != nil {
				t.Fatal(err)
			}
			sku := got.Row.Cells[8].Text
			if n := model.CellLen(sku); n > model.MaxCellChars {
				t.Errorf("cell holds %d characters, more than %d", n, model.MaxCellChars)
			}
			if strings.Contains(sku, "canary") || strings.Contains(sku, "harriet") {
				t.Errorf("cell leaks the canary address (at byte %d of %d)", max(strings.Index(sku, "canary"), strings.Index(sku, "harriet")), len(sku))
			}
			if (got.Cut == 1) != tt.cut || strings.HasSuffix(sku, "…") != tt.cut {
				t.Errorf("Cut = %d, cell ends %q; want cut %v", got.Cut, sku[max(0, len(sku)-12):], tt.cut)
			}
			if tt.want != nil && !tt.want(sku) {
				t.Errorf("cell = %q…%q (%d bytes)", sku[:min(12, len(sku))], sku[max(0, len(sku)-12):], len(sku))
			}
		})
	}
}

// An item name longer than a summary can show is read only as far as the
// summary can show it (MaskPrefix): where masks make what was read short
// enough to show whole, the summary still says the name goes on.
func TestItemsLongNameSaysItGoesOn(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("harriet.elizabeth.smith.canary@example.com ", 60)
	var c privacy.Counts
	got := formatFunc("items")([]platform.Item{{Name: name, Quantity: 1}, {Name: "Tea", Quantity: 2}}, nil, &c).Text
	if !strings.Contains(got, "…") || strings.Contains(got, "canary") {
		t.Errorf("summary of a %d-character name = …%q, want it cut with …", len(name), got[max(0, len(got)-40):])
	}
}
