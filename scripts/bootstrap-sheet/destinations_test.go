package main

import (
	"encoding/json"
	"io"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/safeview/safeview/scripts/internal/meetingtabs"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// Every destination of the example configuration: a spreadsheet created
// with its title, its tables in the columns it keeps, Today and Summary,
// shared with its own account as an Editor and with its people in their
// role, no email sent. Run again with the printed ids, nothing changes.
func TestBootstrapDestinations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var plan strings.Builder
	if err := run(t.Context(), []string{"-config", exampleConfig, "-spreadsheet", "x", "-dry-run"}, &plan, io.Discard, e.c); err != nil ||
		!strings.Contains(plan.String(), `destination lyon: a new spreadsheet "Safeview – Lyon", tab "Orders" (order_id | store |`) ||
		!strings.Contains(plan.String(), `; with ecommerce@example.com as commenter`) {
		t.Errorf("dry run = %v, printed:\n%s\nwant every destination's plan", err, plan.String())
	}
	if err := run(t.Context(), []string{"-config", exampleConfig, "-spreadsheet", "x", "-destinations", "compta", "-dry-run"}, io.Discard, io.Discard, e.c); err == nil ||
		!strings.Contains(err.Error(), "-excel compta") {
		t.Errorf("-destinations compta: error = %v, want the Excel workbook sent to -excel", err)
	}
	if strings.Contains(plan.String(), "destination compta") {
		t.Errorf("dry run plans a spreadsheet for the Excel destination compta:\n%s", plan.String())
	}
	main := e.emu.CreateSpreadsheet("shop", "Sheet1")
	accounts := `{"lyon": "safeview-d-lyon@shop.iam.gserviceaccount.com", "online": "safeview-d-online@shop.iam.gserviceaccount.com"}`
	out := e.bootstrap(t, main, "-destinations", "all", "-destination-accounts", accounts)

	m := regexp.MustCompile(`destination_spreadsheet_ids = (\{.*\})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("bootstrap printed no destination_spreadsheet_ids:\n%s", out)
	}
	var ids map[string]string
	if err := json.Unmarshal([]byte(m[1]), &ids); err != nil || ids["lyon"] == "" || ids["online"] == "" || ids["lyon"] == ids["online"] {
		t.Fatalf("destination_spreadsheet_ids = %s: want one new spreadsheet each", m[1])
	}
	for name, want := range map[string]struct {
		title, tabs, header string
		people              map[string]string
	}{
		"lyon": {"Safeview – Lyon", "Orders,Bookings,Today,Summary", "order_id,store,order_date,status,items,total,channel",
			map[string]string{"manager.lyon@example.com": "reader"}},
		"online": {"Safeview – online shop", "Orders,Today,Summary", "order_id,order_date,status,items,total",
			map[string]string{"ecommerce@example.com": "commenter"}},
	} {
		ss, err := e.svc.Spreadsheets.Get(ids[name]).Fields("properties(title),sheets(properties(title))").Do()
		if err != nil {
			t.Fatal(err)
		}
		var tabs []string
		for _, sh := range ss.Sheets {
			tabs = append(tabs, sh.Properties.Title)
		}
		if ss.Properties.Title != want.title || strings.Join(tabs, ",") != want.tabs {
			t.Errorf("%s: spreadsheet %q with tabs %q, want %q with %q", name, ss.Properties.Title, tabs, want.title, want.tabs)
		}
		rows, _ := e.emu.Snapshot(ids[name], "Orders")
		if len(rows) != 1 || strings.Join(rows[0], ",") != want.header {
			t.Errorf("%s: Orders = %q, want the header %s", name, rows, want.header)
		}
		if a2, _ := e.emu.Cell(ids[name], meetingtabs.TodayTab, "A2"); !strings.Contains(a2.Formula, "TODAY()") {
			t.Errorf("%s: Today!A2 = %q, want today's rows", name, a2.Formula)
		}
		perms, err := e.emu.Permissions(ids[name])
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range perms {
			got[p.Email] = p.Role
			if p.Notified {
				t.Errorf("%s: %s was emailed, want no email without -notify", name, p.Email)
			}
		}
		want.people["safeview-d-"+name+"@shop.iam.gserviceaccount.com"] = "writer"
		if !maps.Equal(got, want.people) {
			t.Errorf("%s: shared with %v, want %v", name, got, want.people)
		}
	}
	if perms, _ := e.emu.Permissions(main); len(perms) != 1 || perms[0].Email != account {
		t.Errorf("the main spreadsheet's permissions = %+v, want the function's alone", perms)
	}

	e.emu.ResetStats()
	again := e.bootstrap(t, main, "-destinations", "all", "-destination-accounts", accounts, "-destination-spreadsheets", m[1])
	st := e.emu.Stats()
	if n, created := st.Writes, st.Requests[gsheetstest.MethodDrivePermissionsCreate]; n != 0 || created != 0 || strings.Contains(again, "created") || strings.Contains(again, "destination_spreadsheet_ids") {
		t.Errorf("second run: %d Sheets writes, %d new permissions, printed:\n%s\nwant nothing changed", n, created, again)
	}
	if !strings.Contains(again, `destination lyon: tab "Today": already set up`) || !strings.Contains(again, "destination online: already shared with ecommerce@example.com (commenter)") {
		t.Errorf("second run printed:\n%s\nwant every destination already set up", again)
	}
}

// -notify emails the people of each destination's share, never its
// service account, which reads no mail.
func TestBootstrapNotifiesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	main := e.emu.CreateSpreadsheet("shop", "Sheet1")
	lyon := e.emu.CreateSpreadsheet("Safeview – Lyon", "Orders")
	e.bootstrap(t, main, "-destinations", "lyon", "-notify",
		"-destination-accounts", `{"lyon": "safeview-d-lyon@shop.iam.gserviceaccount.com"}`, "-destination-spreadsheets", `{"lyon": "`+lyon+`"}`)
	perms, err := e.emu.Permissions(lyon)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range perms {
		got[p.Email] = p.Notified
	}
	if want := map[string]bool{"safeview-d-lyon@shop.iam.gserviceaccount.com": false, "manager.lyon@example.com": true}; !maps.Equal(got, want) {
		t.Errorf("emailed = %v, want %v", got, want)
	}
}
