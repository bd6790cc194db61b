package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// The customer asking, and another one: neither's identity may show in
// anything dsar prints.
const (
	email      = "harriet.dsar.9c3@example.org"
	customerID = "917364528801"
	other      = "jane.dsar.41b@example.org"
	key        = "dsar-test-pseudonym-key-0123456789abcdef"
)

const cfgYAML = `
spreadsheet: {id: ""}
privacy: {pseudonym_key: safeview-pseudonym-key}
sources:
  shopify: {platform: shopify, secrets: [s]}
  dg1:
    platform: generic
    secrets: [d]
    signature: {header: X-Sig}
    fields: {booking.id: id, booking.store: venue, customer.email: email}
tables:
  - tab: Orders
    kind: order
    key: order_id
    columns:
      - {header: order_id, field: order.id}
      - {header: store, field: order.store}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
  - tab: Bookings
    kind: booking
    sources: [dg1]
    key: booking_id
    columns:
      - {header: booking_id, field: booking.id}
      - {header: store, field: booking.store}
      - {header: guest, field: customer.email, op: pseudonym}
destinations:
  lyon:
    spreadsheet: {id: LYON_ID}
    where: booking.store == "Lyon"
    tables: {Bookings: {}}
`

// env is a spreadsheet in the emulator that the function's sink filled
// from events, the configuration file, and the secrets file with the key.
type env struct {
	emu            *gsheetstest.Server
	id             string
	lyon           string // the destination's spreadsheet: the Lyon bookings
	config, secret string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{emu: gsheetstest.NewServer(t), config: filepath.Join(dir, "safeview.yaml"), secret: filepath.Join(dir, "secrets.yaml")}
	e.lyon = e.emu.CreateSpreadsheet("dsar lyon", "Bookings")
	if err := os.WriteFile(e.config, []byte(strings.Replace(cfgYAML, "LYON_ID", e.lyon, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.secret, []byte("safeview-pseudonym-key: "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.id = e.emu.CreateSpreadsheet("dsar", "Orders", "Bookings")
	cfg, err := config.Load(e.config)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := privacy.NewKeys([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	pipes, err := pipeline.Compile(cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := e.emu.Service(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sink, err := gsheets.New(svc, e.id, []model.Table{pipes["Orders"].SinkTable(), pipes["Bookings"].SinkTable()},
		gsheets.Options{Logger: slog.New(slog.DiscardHandler), WriteRequestsPerMinute: 6000, ReadRequestsPerMinute: 6000})
	if err != nil {
		t.Fatal(err)
	}
	lyon, err := gsheets.New(svc, e.lyon, []model.Table{pipes["Bookings"].SinkTable()},
		gsheets.Options{Logger: slog.New(slog.DiscardHandler), WriteRequestsPerMinute: 6000, ReadRequestsPerMinute: 6000})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, ev := range []*platform.Event{
		order("1001", platform.Customer{Email: strings.ToUpper(email)}, at),
		order("1002", platform.Customer{ID: customerID}, at), // a guest checkout: the id alone
		order("1003", platform.Customer{Email: other}, at),
		{Kind: platform.KindBooking, Platform: "generic", Version: 1, Customer: platform.Customer{Email: email},
			Booking: &platform.Booking{ID: "bk_1", Store: "Lyon", Created: at}},
		{Kind: platform.KindBooking, Platform: "generic", Version: 1, Customer: platform.Customer{Email: other},
			Booking: &platform.Booking{ID: "bk_2", Store: "Lyon", Created: at}},
	} {
		tab := "Orders"
		if ev.Kind == platform.KindBooking {
			tab = "Bookings"
		}
		out, err := pipes[tab].Run(pipeline.NewInput(ev, "shopify", nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sink.Upsert(t.Context(), tab, out.Row); err != nil {
			t.Fatal(err)
		}
		if tab == "Bookings" { // every booking is Lyon's
			if _, err := lyon.Upsert(t.Context(), tab, out.Row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.emu.SetValues(e.id, "Orders!F1:F2", [][]any{{"notes"}, {"asked for a refund"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func order(id string, c platform.Customer, at time.Time) *platform.Event {
	return &platform.Event{Kind: platform.KindOrder, Platform: "shopify", Version: at.UnixMicro(), Customer: c,
		Order: &platform.Order{ID: id, Store: "cafe.myshopify.com", Status: platform.StatusPaid, Created: at}}
}

// run runs dsar against the environment and returns what it printed.
func (e *env) run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs bytes.Buffer
	args = append(args, "-config", e.config, "-spreadsheet", e.id, "-sheets-endpoint", e.emu.URL(), "-secrets", "file:"+e.secret)
	err = run(context.Background(), args, strings.NewReader(stdin), &out, &errs)
	for _, secret := range []string{email, strings.ToUpper(email), customerID, other, key} {
		if strings.Contains(out.String()+errs.String(), secret) || (err != nil && strings.Contains(err.Error(), secret)) {
			t.Errorf("dsar %q printed %q", args[:3], secret)
		}
	}
	return out.String(), errs.String(), err
}

func TestAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keys, _ := privacy.NewKeys([]byte(key))
	ref := keys.Pseudonym(privacy.DomainCustomer, email)
	out, errs, err := e.run(t, email+"\n", "access", "-email", "-")
	if err != nil {
		t.Fatalf("dsar access = %v\n%s", err, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"tab", "order_id", "store", "status", "customer_ref", "_safeview_version", "notes", "booking_id", "guest"},
		{"Orders", "1001", "cafe.myshopify.com", "paid", ref, "shopify:1795168800000000", "asked for a refund", "", ""},
		{"Bookings", "", "Lyon", "", "", "shopify:1", "", "bk_1", ref},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("dsar access -email CSV mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(errs, "2 rows in Orders 1, Bookings 1") {
		t.Errorf("dsar access said %q, want the count", errs)
	}

	// By customer id: the guest order, whose customer_ref is shopify:<id>.
	out, _, err = e.run(t, "", "access", "-customer-id", customerID, "-platform", "shopify")
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll(); len(rows) != 2 || rows[1][1] != "1002" {
		t.Errorf("dsar access -customer-id = %q, want order 1002 alone", rows)
	}
}

func TestErase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before, _ := e.emu.Snapshot(e.id, "Orders")
	out, _, err := e.run(t, email, "erase", "-email", "-", "-dry-run")
	if err != nil || !strings.Contains(out, "would clear 2 rows (Orders 1, Bookings 1) of 2 found; nothing was changed") {
		t.Errorf("dsar erase -dry-run = %q, %v", out, err)
	}
	if after, _ := e.emu.Snapshot(e.id, "Orders"); !cmp.Equal(before, after) {
		t.Errorf("a dry run changed the sheet:\n%v\n%v", before, after)
	}
	lyonBefore, _ := e.emu.Snapshot(e.lyon, "Bookings")
	out, _, err = e.run(t, email, "erase", "-email", "-")
	if err != nil || !strings.Contains(out, "cleared 2 rows (Orders 1, Bookings 1)") || !strings.Contains(out, "destination lyon: cleared 1 rows (Bookings 1)") {
		t.Errorf("dsar erase = %q, %v, want the main spreadsheet's count and lyon's", out, err)
	}
	// The destination's copy of the booking lost its guest too; the
	// other guest's booking is as it was.
	lyonAfter, _ := e.emu.Snapshot(e.lyon, "Bookings")
	if len(lyonAfter) != 3 || lyonAfter[1][2] != "" || lyonBefore[1][2] == "" || !cmp.Equal(lyonAfter[2], lyonBefore[2]) {
		t.Errorf("lyon's Bookings after dsar erase = %q, was %q: want bk_1's guest cleared, bk_2 as it was", lyonAfter, lyonBefore)
	}
	orders, _ := e.emu.Snapshot(e.id, "Orders")
	want := [][]string{
		{"order_id", "store", "status", "customer_ref", "_safeview_version", "notes"},
		{"1001", "cafe.myshopify.com", "paid", "", "shopify:1795168800000000 erased", "asked for a refund"},
		before[2], before[3],
	}
	if diff := cmp.Diff(want, orders); diff != "" {
		t.Errorf("Orders after dsar erase mismatch (-want +got):\n%s", diff)
	}
	out, _, err = e.run(t, email, "erase", "-email", "-")
	if err != nil || !strings.Contains(out, "cleared 0 rows") {
		t.Errorf("dsar erase again = %q, %v, want nothing left to clear", out, err)
	}
	if out, _, _ := e.run(t, email, "access", "-email", "-"); strings.Count(out, "\n") != 1 {
		t.Errorf("dsar access after erase = %q, want the header alone", out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"look"}, "want access or erase"},
		{[]string{"access"}, "say who"},
		{[]string{"access", "-email", "-", "-phone", "-"}, "only one of -email, -phone"},
		{[]string{"access", "-customer-id", "7"}, "give -platform"},
		{[]string{"access", "-customer-id", "7", "-platform", "stripe"}, "no source of the configuration has that platform"},
		{[]string{"access", "-email", "a@example.com", "-dry-run"}, "-dry-run is for erase"},
		{[]string{"access", "-email", "-"}, "standard input is empty"},
	} {
		_, _, err := e.run(t, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("dsar %q error = %v, want %q", tt.args, err, tt.want)
		}
	}
}
