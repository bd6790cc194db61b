package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/pubsubtest"
)

// The local stack in queued mode (go run ./scripts/dev -queue), end to
// end: signed deliveries are answered queued while the spreadsheet is
// away, fail their every push and become dead letters; replay counts them
// without moving them, then, once the spreadsheet is back, moves one, then
// the rest, and every order lands.
func TestReplayDeadLetters(t *testing.T) {
	ctx := t.Context()
	st, err := localstack.Start(ctx, localstack.Options{Addr: "127.0.0.1:0", Queue: true, NoDestinations: true,
		QueueOptions: localstack.QueueOptions{MaxAttempts: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, AckDeadline: 10 * time.Second, PushDeadline: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Ready.WriterURL == "" || st.Ready.PubSubHost == "" {
		t.Fatalf("READY = %+v, want the writer and the fake Pub/Sub", st.Ready)
	}
	pump := st.Queue.Pump
	send := func(id string) {
		t.Helper()
		s, err := demo.BuiltIn("shopify", demo.SampleOptions{OrderID: id, Status: "paid"})
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.Sign("shopify", st.Ready.Sources["shopify"].Secret, "", &s); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, st.Ready.WebhookBase+"/shopify", bytes.NewReader(s.Body))
		req.Header = s.Header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"result":"queued"`) {
			t.Fatalf("POST order %s = %d %s, want 200 queued", id, resp.StatusCode, body)
		}
	}
	waitFor := func(what string, done func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s: pump %+v", what, pump.Stats())
			}
		}
	}
	orders := func() int {
		rows, err := st.Emulator.Snapshot(st.Ready.SpreadsheetID, "Orders")
		if err != nil {
			t.Fatal(err)
		}
		return max(len(rows)-1, 0)
	}

	send("5001") // the tab is set up while the spreadsheet is there
	waitFor("the first order", func() bool { return orders() == 1 })
	st.Emulator.FailRandomly(gsheetstest.Writes, 1, gsheetstest.FaultUnavailable)
	for _, id := range []string{"5002", "5003", "5004"} {
		send(id)
	}
	waitFor("3 dead letters", func() bool { return pump.Stats().DeadLettered == 3 })

	replay := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		args = append([]string{"-project", pubsubtest.Project, "-wait", "500ms", "-subscription", localstack.DeadLetterSubscription, "-topic", localstack.Topic}, args...)
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatalf("replay %q: %v", args, err)
		}
		return out.String()
	}
	if out := replay("-dry-run"); !strings.HasPrefix(out, "3 dead letters (dry run: none moved)") || !strings.Contains(out, "row main Orders") {
		t.Errorf("replay -dry-run printed %q, want 3 counted, by kind, destination and table", out)
	}
	if out := replay("-dry-run"); !strings.HasPrefix(out, "3 dead letters") {
		t.Errorf("replay -dry-run again printed %q: the first dry run moved something", out)
	}
	// While the spreadsheet is still away, what a run moves comes back
	// dead after its attempts: the run stops at the first that does,
	// rather than move them again for ever (it waits 10 s for more).
	var again bytes.Buffer
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = run(actx, []string{"-project", pubsubtest.Project, "-wait", "10s", "-subscription", localstack.DeadLetterSubscription, "-topic", localstack.Topic}, &again, io.Discard)
	cancel()
	if err != nil || !strings.HasPrefix(again.String(), "3 dead letters moved") || !strings.Contains(again.String(), "came back dead") {
		t.Fatalf("replay while the spreadsheet is away = %v, printed %q; want 3 moved, then a stop when they come back", err, again.String())
	}
	waitFor("the 3 dead again", func() bool { return pump.Stats().DeadLettered == 6 })
	st.Emulator.ClearFaults()
	if out := replay("-max", "1"); !strings.HasPrefix(out, "1 dead letters moved") {
		t.Errorf("replay -max 1 printed %q, want 1 moved", out)
	}
	waitFor("the replayed order", func() bool { return orders() == 2 })
	if out := replay(); !strings.HasPrefix(out, "2 dead letters moved") {
		t.Errorf("replay printed %q, want the other 2 moved", out)
	}
	waitFor("every order", func() bool { return orders() == 4 })
	if out := replay(); !strings.HasPrefix(out, "0 dead letters moved") {
		t.Errorf("replay once more printed %q, want nothing left", out)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-project", "p"}, true},
		{[]string{"-project", "p", "-dry-run", "-max", "3"}, true},
		{[]string{"-project", ""}, false},
		{[]string{"-project", "p", "-batch", "0"}, false},
		{[]string{"-project", "p", "extra"}, false},
	} {
		if _, err := parse(tt.args, io.Discard); (err == nil) != tt.ok {
			t.Errorf("parse(%q) error = %v, want ok %v", tt.args, err, tt.ok)
		}
	}
}
