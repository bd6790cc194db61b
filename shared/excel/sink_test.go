package excel_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/compute/metadata"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/metadatatest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/view/viewtest"
)

var orders = viewtest.Orders

func order(id string, v int64, product string) model.Row {
	r := viewtest.Row("shop", id, v, "paid")
	r.Cells[2] = model.Cell{Text: product} // the status column stands for any text
	return r
}

// Graph reads every string as typed input: a formula, a number, a
// boolean, a date. Each text must be stored as the text it is.
func TestTextStaysText(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	texts := []string{`=HYPERLINK("http://x","y")`, "+cmd", "-2+3", "@SUM(A1)", "0012", "TRUE", "1/2/2024", "12%", "'=already neutralized", "plain"}
	for i, txt := range texts {
		// Without the apostrophe, the emulator's rules, which are
		// Excel's, would not keep it text: the test can fail.
		if v, f := graphtest.Text(txt); v == txt && f == "" && txt != "plain" && !strings.HasPrefix(txt, "'") {
			t.Errorf("graphtest.Text(%q) = %v, kept as text: the emulator does not evaluate it", txt, v)
		}
		if _, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, order(string(rune('a'+i)), 1, txt)); err != nil {
			t.Fatal(err)
		}
	}
	for i, txt := range texts {
		c, err := w.emu.CellAt(drive, item, "SafeviewOrders", i+1, "status") // row 0 is Excel's empty first row
		if err != nil {
			t.Fatal(err)
		}
		if c.Value != txt || c.Formula != "" {
			t.Errorf("cell of %q = %#v (formula %q), want the text itself", txt, c.Value, c.Formula)
		}
	}
}

// Numbers are numbers with their currency format, dates Excel dates.
func TestNumbersAndDates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	r := order("1001", 1, "paid")
	r.Cells[3] = model.Cell{Number: "1234.5", FormatType: "CURRENCY", FormatPattern: `#,##0.00 "EUR"`}
	r.Cells[1] = model.Cell{Number: "46349.6458333333", FormatType: "DATE_TIME", FormatPattern: "yyyy-mm-dd hh:mm"}
	if _, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, r); err != nil {
		t.Fatal(err)
	}
	total, _ := w.emu.CellAt(drive, item, "SafeviewOrders", 1, "total")
	if total.Value != 1234.5 || total.NumberFormat != `#,##0.00 "EUR"` || total.Text != "1,234.50 EUR" {
		t.Errorf("total = %#v, want the number 1234.5 shown 1,234.50 EUR", total)
	}
	date, _ := w.emu.CellAt(drive, item, "SafeviewOrders", 1, "store")
	if date.Value != 46349.6458333333 || date.Text != "2026-11-23 15:30" {
		t.Errorf("date = %#v, want the serial shown 2026-11-23 15:30", date)
	}
}

// The team adds columns inside the table, types in them, sorts it: rows
// are still found by key, and no team cell is written.
func TestTeamColumnsAndSort(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	ctx := ctxFor(t, 20*time.Second)
	for i, id := range []string{"3", "1", "2"} {
		if _, err := s.Upsert(ctx, orders.Tab, order(id, 1, "paid")); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := w.emu.InsertColumn(drive, item, "SafeviewOrders", 2, "note"); err != nil {
		t.Fatal(err)
	}
	for row := 1; row <= 3; row++ {
		if err := w.emu.Type(drive, item, "SafeviewOrders", row, "note", "team note"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.emu.SortTable(drive, item, "SafeviewOrders", "order_id", true); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1", "2", "3"} {
		if res, err := s.Upsert(ctx, orders.Tab, order(id, 2, "refunded "+id)); err != nil || res != model.Written {
			t.Fatalf("Upsert(%s v2) = %q, %v", id, res, err)
		}
	}
	got, _ := w.emu.Table(drive, item, "SafeviewOrders")
	for _, row := range got[1:] {
		if row[0] == "" {
			continue
		}
		if row[2] != "team note" || row[3] != "refunded "+row[0] {
			t.Errorf("row %v: want the team's note kept and refunded %s", row, row[0])
		}
	}
}

// A person sorts the table between the flush's check and its write: the
// write lands on other rows, is put back, and goes where it belongs.
func TestSortBetweenReadAndWrite(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	armed := 0
	var w *world
	w = newWorld(t, graphtest.WithRequestHook(func(op string) {
		mu.Lock()
		defer mu.Unlock()
		// The third range read after arming is the read of the row just
		// before its write: verification reads the header and the size.
		if armed > 0 && op == graphtest.OpRangeGet {
			if armed--; armed == 0 {
				_ = sortLater(w)
			}
		}
	}))
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	ctx := ctxFor(t, 20*time.Second)
	for _, id := range []string{"1", "2", "3"} {
		if _, err := s.Upsert(ctx, orders.Tab, order(id, 1, "paid")); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	armed = 3
	mu.Unlock()
	if res, err := s.Upsert(ctx, orders.Tab, order("1", 2, "refunded")); err != nil || res != model.Written {
		t.Fatalf("Upsert = %q, %v", res, err)
	}
	got, _ := w.emu.Table(drive, item, "SafeviewOrders")
	want := map[string]string{"1": "refunded", "2": "paid", "3": "paid"}
	for _, row := range got[1:] {
		if row[0] != "" && row[2] != want[row[0]] {
			t.Errorf("order %s shows %q, want %q (table %v)", row[0], row[2], want[row[0]], got)
		}
	}
	if s.Stats().Heals == 0 {
		t.Errorf("no heal counted: the sort did not land between the read and the write")
	}
}

// sortLater sorts from inside the emulator's hook: the server's lock is
// not held there, so the inspection call may take it.
func sortLater(w *world) error {
	return w.emu.SortTable(drive, item, "SafeviewOrders", "order_id", true)
}

// 429 with Retry-After is waited out; a workbook a person holds (423,
// 409) is retried until the deadline, then the platform is told to retry.
func TestThrottledAndLocked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	if _, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, order("1", 1, "paid")); err != nil {
		t.Fatal(err)
	}
	w.emu.FailNext(graphtest.Ops(graphtest.OpRangeUpdate), graphtest.FaultThrottle)
	start := time.Now()
	if res, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, order("1", 2, "refunded")); err != nil || res != model.Written {
		t.Fatalf("Upsert after a 429 = %q, %v", res, err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, want Retry-After's 1 s honoured", d)
	}
	if err := w.emu.Lock(drive, item, 423); err != nil {
		t.Fatal(err)
	}
	_, err := s.Upsert(ctxFor(t, 1500*time.Millisecond), orders.Tab, order("1", 3, "refunded"))
	if !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Upsert while locked = %v, want ErrUnavailable", err)
	}
	w.emu.Unlock(drive, item)
	if res, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, order("1", 3, "refunded")); err != nil || res != model.Written {
		t.Fatalf("Upsert after the lock = %q, %v", res, err)
	}
}

// An answer lost after the write landed: the retry finds the row, and
// neither adds it twice nor calls it unchanged.
func TestLostAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	ctx := ctxFor(t, 20*time.Second)
	if _, err := s.Upsert(ctx, orders.Tab, order("0", 1, "paid")); err != nil {
		t.Fatal(err)
	}
	w.emu.FailNext(graphtest.Envelopes, graphtest.FaultLostResponse)
	if res, err := s.Upsert(ctx, orders.Tab, order("1", 1, "paid")); err != nil || res != model.Written {
		t.Fatalf("Upsert with a lost answer = %q, %v", res, err)
	}
	w.wantOnce(t, "1")
}

// A burst is a few HTTP requests: new rows in one rows/add, all in one
// workbook session.
func TestBurstIsBatched(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{BatchWindow: 50 * time.Millisecond})
	ctx := ctxFor(t, 20*time.Second)
	if _, err := s.Upsert(ctx, orders.Tab, order("0", 1, "paid")); err != nil {
		t.Fatal(err)
	}
	before := w.emu.Stats()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if _, err := s.Upsert(ctx, orders.Tab, order(string(rune('A'+i/26))+string(rune('a'+i%26)), 1, "paid")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	after := w.emu.Stats()
	if n := after.Requests - before.Requests; n > 6 {
		t.Errorf("100 new rows took %d HTTP requests, want a few", n)
	}
	if n := after.Ops[graphtest.OpRowsAdd] - before.Ops[graphtest.OpRowsAdd]; n > 3 {
		t.Errorf("100 new rows took %d rows/add, want one or two", n)
	}
	if after.SessionsCreated != 1 {
		t.Errorf("%d workbook sessions, want 1", after.SessionsCreated)
	}
	_ = s.Close(context.Background())
	if w.emu.Sessions(drive, item) != 0 {
		t.Error("the session is still open after Close")
	}
}

// The version column is hidden, added at the end of the table.
func TestVersionColumnHidden(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	if _, err := s.Upsert(ctxFor(t, 10*time.Second), orders.Tab, order("1", 1, "paid")); err != nil {
		t.Fatal(err)
	}
	if !w.emu.HiddenColumn(drive, item, "SafeviewOrders", excel.VersionHeader) {
		t.Error("the version column is visible")
	}
	if !w.emu.SheetHidden(drive, item, excel.MarksSheet) {
		t.Error("the marks sheet is visible")
	}
}

// A workbook named by site and path is found once.
func TestSiteAndPath(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.emu.AddSite("contoso.sharepoint.com", "/sites/Finance", "Shared Documents/Orders.xlsx", drive, item)
	d, i, err := excel.Resolve(ctxFor(t, 10*time.Second), w.hc, w.emu.GraphEndpoint(), "contoso.sharepoint.com:/sites/Finance", "Shared Documents/Orders.xlsx")
	if err != nil || d != drive || i != item {
		t.Fatalf("Resolve = %q, %q, %v, want %q, %q", d, i, err, drive, item)
	}
}

// Entra accepts the Google ID token only from the federated subject; a
// client secret is the fallback.
func TestAuth(t *testing.T) {
	t.Parallel()
	emu := graphtest.NewServer(t)
	md := metadatatest.NewServer(t, "other@p.iam.gserviceaccount.com", "999")
	emu.RegisterApp(tenant, clientID, "s3cret")
	emu.AddFederatedCredential(tenant, clientID, graphtest.Federated{Issuer: metadatatest.Issuer, Subject: saID, Audience: excel.ExchangeAudience, Key: md.PublicKey()})
	emu.CreateWorkbook(drive, item, "x.xlsx")
	try := func(a excel.Auth) error {
		a.TenantID, a.ClientID, a.AuthorityHost, a.Transport = tenant, clientID, emu.URL()+"/", emu.Client()
		cred, err := a.Credential()
		if err != nil {
			return err
		}
		_, _, err = excel.Resolve(ctxFor(t, 10*time.Second), excel.NewHTTPClient(cred, emu.Client().Transport), emu.GraphEndpoint(), "x:/y", "z")
		return err
	}
	err := try(excel.Auth{Assertion: excel.GoogleIDToken(metadata.NewClient(md.Client()))})
	if err == nil || !strings.Contains(err.Error(), "AADSTS70021") {
		t.Errorf("another service account's token: %v, want AADSTS70021", err)
	}
	// With the secret, the call reaches Graph (which has no such site).
	if err := try(excel.Auth{Secret: "s3cret"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("client secret: %v, want Graph's 404", err)
	}
}

// Graph slower than a delivery may wait: once the index is loaded, the
// verification and the write take 2 round trips of 600 ms, and each
// delivery waits 1 s. A flush its callers left still ends, so that a
// platform's retry finds the row written (once); a flush cut by every
// caller's deadline would start again from the verification at each
// retry and never get to the write.
func TestSlowGraphOutlivesItsCallers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, graphtest.WithLatency(600*time.Millisecond, 0))
	s := w.sink(t, []excel.Table{w.table(t, orders, "SafeviewOrders")}, excel.Options{})
	var res model.Result
	var err error
	tries := 0
	for tries < 15 { // the first flush, cold, takes 7 or 8 round trips
		tries++
		res, err = s.Upsert(ctxFor(t, time.Second), orders.Tab, order("1", 1, "paid"))
		if err == nil {
			break
		}
		if !errors.Is(err, model.ErrUnavailable) {
			t.Fatalf("Upsert #%d = %v, want ErrUnavailable while Graph is slow", tries, err)
		}
	}
	if err != nil {
		t.Fatalf("after %d deliveries of 1 s the row is still not written: %v", tries, err)
	}
	if res != model.Written && res != model.Unchanged {
		t.Errorf("Upsert = %q, want written or unchanged", res)
	}
	w.wantOnce(t, "1")
	t.Logf("written after %d deliveries", tries)
}
