package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/scripts/internal/localstack"
)

// The local stack, end to end: functions-framework serves the registered
// function, a signed sample lands in the emulated sheet, and the view shows
// it.
func TestDevStack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-config", "../../functions/webhook/safeview.yaml"}, pw, io.Discard)
		pw.Close()
	}()
	var ready Ready
	sc := bufio.NewScanner(pr)
	go func() { <-ctx.Done(); pr.Close() }()
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
			if err := json.Unmarshal([]byte(line), &ready); err != nil {
				t.Fatalf("READY line is not JSON: %v", err)
			}
			break
		}
	}
	if ready.WebhookBase == "" {
		t.Fatalf("no READY line; run() = %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for _, k := range []string{"sheets_endpoint", "spreadsheet_id", "view_url"} {
		if !strings.Contains(mustJSON(t, ready), `"`+k+`":"`) {
			t.Errorf("READY line lacks %s", k)
		}
	}
	// The example configuration's two partner destinations, each an
	// emulated spreadsheet of its own written as its own account, and the
	// accountant's Excel workbook.
	if len(ready.Destinations) != 3 {
		t.Fatalf("READY destinations = %+v, want lyon, online and compta", ready.Destinations)
	}
	for name, want := range map[string]localstack.ReadyDestination{
		"lyon":   {Kind: "google-sheets", Where: `order.store == "Lyon"`, Share: []string{"manager.lyon@example.com"}},
		"online": {Kind: "google-sheets", Where: `order.channel == "web"`, Share: []string{"ecommerce@example.com"}},
	} {
		got := ready.Destinations[name]
		if got.Kind != want.Kind || got.Where != want.Where || strings.Join(got.Share, ",") != strings.Join(want.Share, ",") ||
			got.SpreadsheetID == "" || got.SpreadsheetID == ready.SpreadsheetID || got.Account == "" {
			t.Errorf("READY destinations[%s] = %+v, want %+v with a spreadsheet and an account of its own", name, got, want)
		}
	}
	if !strings.Contains(mustJSON(t, ready), `"lyon":{"kind":"google-sheets","spreadsheet_id":"`) {
		t.Errorf("READY line = %s, want destinations by name with kind and spreadsheet_id", mustJSON(t, ready))
	}
	src, ok := ready.Sources["shopify"]
	if !ok || src.Platform != "shopify" || src.Secret != demo.Secret("shopify") {
		t.Fatalf("READY sources = %+v, want shopify with its demo secret", ready.Sources)
	}

	s, err := demo.BuiltIn("shopify", demo.SampleOptions{OrderID: "424242"})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Sign("shopify", src.Secret, "", &s); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, ready.WebhookBase+"/shopify", bytes.NewReader(s.Body))
	req.Header = s.Header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"result":"written"`) {
		t.Fatalf("POST sample = %d %s, want 200 written", resp.StatusCode, body)
	}

	// Every source of the example configuration: its built-in sample,
	// signed with the READY line's secret (and, for Square, the exact
	// notification URL), is accepted.
	for name, rs := range ready.Sources {
		s, err := demo.BuiltIn(rs.Platform, demo.SampleOptions{OrderID: "7000" + strconv.Itoa(len(name))})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := demo.Sign(rs.Platform, rs.Secret, rs.NotificationURL, &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		url := ready.WebhookBase + "/" + name
		if len(s.Query) > 0 {
			url += "?" + s.Query.Encode()
		}
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(s.Body))
		req.Header = s.Header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := `"result":"written"`
		if rs.Platform == "erasure" {
			want = `"result":"counted"` // an access request
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("POST %s sample = %d %s, want 200 %s", name, resp.StatusCode, body, want)
		}
	}

	var view struct {
		Tabs         []tabData `json:"tabs"`
		Destinations []struct {
			Name  string    `json:"name"`
			Share []string  `json:"share"`
			Tabs  []tabData `json:"tabs"`
		} `json:"destinations"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(strings.TrimRight(ready.ViewURL, "/") + "/view/data")
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&view)
		resp.Body.Close()
		if len(view.Tabs) > 0 && len(view.Tabs[0].Rows) > 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(view.Tabs) < 2 || len(view.Tabs[0].Rows) < 2 || view.Tabs[1].Title != "Bookings" || len(view.Tabs[1].Rows) < 2 {
		t.Fatalf("view = %+v, want the Orders and Bookings tabs with rows", view.Tabs)
	}
	header, row := view.Tabs[0].Rows[0], findRow(view.Tabs[0].Rows, "424242")
	if strings.Join(header, ",") != "order_id,store,order_date,status,items,total,channel,customer_ref" {
		t.Errorf("view header = %q (the hidden version column must not show)", header)
	}
	if row[0] != "424242" || row[4] != "Grains de café 1kg x2, Tasse en céramique x1" || row[5] != "61.80 EUR" {
		t.Errorf("view row = %q", row)
	}
	// The example's Excel destination, read as Graph serves it, at the
	// address the READY line gives, without credentials.
	d, ok := ready.Destinations["compta"]
	if !ok || d.Kind != "excel" || d.DriveID == "" || d.ItemID == "" || d.Tables["Orders"] != "Ventes" {
		t.Fatalf("READY destinations = %+v, want compta, an Excel workbook with Orders in Ventes", ready.Destinations)
	}
	if got := excelKeys(t, d.GraphEndpoint+"/drives/"+d.DriveID+"/items/"+d.ItemID+"/workbook/tables/Ventes/rows"); !strings.Contains(got, "|424242|") {
		t.Errorf("Ventes keys = %s, want order 424242", got)
	}
	// The view lists every destination and its tabs: the shopify sample
	// (channel web) in the online shop's, without customer_ref; the DG1
	// booking (venue Lyon) in Lyon's.
	dests := map[string][]tabData{}
	for _, d := range view.Destinations {
		dests[d.Name] = d.Tabs
		// Who may open it, as the emulated Drive holds it: its account
		// and its people, in their roles.
		if d.Name == "lyon" && strings.Join(d.Share, ",") != "safeview-d-lyon@safeview-local.iam.gserviceaccount.com (writer),manager.lyon@example.com (reader)" {
			t.Errorf("view of destination lyon: shared with %q, want its account as a writer and its manager as a reader", d.Share)
		}
	}
	titles := func(tabs []tabData) string {
		var out []string
		for _, t := range tabs {
			out = append(out, t.Title)
		}
		return strings.Join(out, ",")
	}
	if online := dests["online"]; titles(online) != "Orders,Today,Summary" || findRow(online[0].Rows, "424242")[0] != "424242" ||
		strings.Join(online[0].Rows[0], ",") != "order_id,order_date,status,items,total" {
		t.Errorf("view of destination online = %+v, want its Orders tab with the sample in its five columns, then Today and Summary", online)
	}
	if lyon := dests["lyon"]; titles(lyon) != "Orders,Bookings,Today,Summary" || len(lyon[1].Rows) < 2 ||
		len(lyon[2].Rows) != 2 || !strings.Contains(lyon[2].Rows[1][0], "TODAY()") {
		t.Errorf("view of destination lyon = %+v, want its Orders and Bookings tabs, a booking in Bookings, then Today's formulas and Summary", lyon)
	}
	// Stripe and Square deliveries carry no line items: the local stack
	// reads them from its fake of the platforms' APIs (package items).
	if ready.ItemsEndpoint == "" {
		t.Error("READY line lacks items_endpoint")
	}
	for _, store := range []string{"Stripe", "Square POS"} {
		found := false
		for _, r := range view.Tabs[0].Rows[1:] {
			if len(r) > 4 && r[1] == store {
				found = true
				if !strings.Contains(r[4], " x") {
					t.Errorf("%s row items = %q, want the line items read from the fake API", store, r[4])
				}
			}
		}
		if !found {
			t.Errorf("no %s row in %q", store, view.Tabs[0].Rows)
		}
	}
	page, err := http.Get(ready.ViewURL)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(html), "/view/data") {
		t.Errorf("view page does not poll /view/data")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run() = %v after cancel, want nil", err)
	}
}

// excelKeys reads a named table's rows from Graph and joins their first
// cells: "|key|key|".
func excelKeys(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rows struct {
		Value []struct {
			Values [][]any `json:"values"`
		} `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, %v", url, resp.StatusCode, err)
	}
	keys := "|"
	for _, r := range rows.Value {
		keys += fmt.Sprint(r.Values[0][0]) + "|"
	}
	return keys
}

func findRow(rows [][]string, key string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == key {
			return r
		}
	}
	return make([]string, 8)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
