package view_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

const yaml = `
spreadsheet: {time_zone: Europe/Paris}
privacy: {pseudonym_key: pseudonym-key}
sheet: {write_requests_per_minute: 3000, read_requests_per_minute: 3000}
sources:
  shop: {platform: shopify, secrets: [shop-secret]}
tables:
  - tab: Orders
    kind: order
    key: order_id
    filter: order.status == "paid"
    columns:
      - {header: order_id, field: order.id}
      - {header: status, field: order.status}
      - {header: customer_ref, field: customer.ref, op: pseudonym}
  - tab: Totals
    kind: order
    key: number
    columns:
      - {header: number, path: name}
      - {header: total, field: order.total, op: amount}
`

func parse(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("safeview.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var keys = secrets.Map{"pseudonym-key": {strings.Repeat("k", 32)}}

// order is an event as a preset decodes it; a raw path column reads the
// number from its body.
func order(id, number, status string) *platform.Event {
	return &platform.Event{
		Kind: platform.KindOrder, Platform: "shopify", Version: 1_700_000_000_000_000,
		Order: &platform.Order{ID: id, Number: number, Status: platform.Status(status),
			Created: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
			Total:   platform.Money{Amount: "12.50", Currency: "EUR"}},
		Customer: platform.Customer{Email: "someone@example.invalid"},
		Body:     []byte(`{"name":"` + number + `"}`),
	}
}

// A View built without a client runs every table, in the order of the
// configuration, with the same pseudonym key as the one that writes.
func TestRunWithoutSheets(t *testing.T) {
	t.Parallel()
	v, err := view.New(context.Background(), view.Deps{Config: parse(t), Secrets: keys})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := v.Run("shop", order("1001", "#1001", "pending"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Table+":"+r.Row.Key)
		if r.Table == "Orders" && (r.Row.Insert || !r.Row.Update) {
			t.Errorf("Run(pending).Orders Insert, Update = %v, %v, want false, true", r.Row.Insert, r.Row.Update)
		}
	}
	if want := []string{"Orders:1001", "Totals:#1001"}; !cmp.Equal(got, want) {
		t.Errorf("Run() tables = %q, want %q", got, want)
	}
	ref := rows[0].Row.Cells[2].Text
	if !strings.HasPrefix(ref, "c_") || strings.Contains(ref, "someone") {
		t.Errorf("customer_ref = %q, want a pseudonym", ref)
	}
	if _, err := v.Write(context.Background(), "shop", order("1001", "#1001", "paid")); err == nil {
		t.Error("Write() without a Sheets client: nil error")
	}
}

func TestNewNeedsThePseudonymKey(t *testing.T) {
	t.Parallel()
	_, err := view.New(context.Background(), view.Deps{Config: parse(t), Secrets: secrets.Map{}})
	if !errors.Is(err, secrets.ErrNotFound) || !strings.Contains(err.Error(), "privacy.pseudonym_key") {
		t.Errorf("New() without the key = %v, want ErrNotFound naming privacy.pseudonym_key", err)
	}
}

// Write upserts table after table and says which table failed, and why.
func TestWrite(t *testing.T) {
	t.Parallel()
	emu := gsheetstest.NewServer(t)
	cfg := parse(t)
	cfg.Spreadsheet.ID = emu.CreateSpreadsheet("shop", "Orders", "Totals")
	svc, err := emu.Service(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := view.New(context.Background(), view.Deps{Config: cfg, Secrets: keys, Sheets: svc})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	outs, err := v.Write(ctx, "shop", order("1001", "#1001", "paid"))
	if err != nil {
		t.Fatal(err)
	}
	var got []model.Result
	for _, o := range outs {
		got = append(got, o.Result)
	}
	if want := []model.Result{model.Written, model.Written}; !cmp.Equal(got, want) {
		t.Errorf("Write() = %v, want %v", got, want)
	}
	if got := model.Combine([]model.Result{model.Filtered, model.Unchanged}); got != model.Unchanged {
		t.Errorf("Combine(filtered, unchanged) = %q, want unchanged", got)
	}

	// No number: Orders takes it, Totals refuses it.
	outs, err = v.Write(ctx, "shop", order("1002", "", "paid"))
	var te *view.Error
	if !errors.As(err, &te) || te.Table != "Totals" || !te.Rejected || len(outs) != 1 {
		t.Errorf("Write(no number) = %v, %v, want Orders written, then Totals rejected", outs, err)
	}

	emu.FailNext(gsheetstest.Writes, gsheetstest.FaultUnavailable, gsheetstest.FaultUnavailable, gsheetstest.FaultUnavailable)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = v.Write(short, "shop", order("1003", "#1003", "paid"))
	if !errors.As(err, &te) || te.Rejected || !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("Write(sheet down) = %v, want a table's ErrUnavailable", err)
	}
}
