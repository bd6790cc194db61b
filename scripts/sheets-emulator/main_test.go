package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/localstack"
)

// The emulator alone: READY names its endpoint and a spreadsheet with the
// configuration's tabs, the real client reads it, and the faults set by a
// flag apply until the admin endpoint changes them.
func TestEmulatorAlone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-config", "../../functions/webhook/safeview.yaml", "-rate500", "1"}, pw, io.Discard)
		pw.Close()
	}()
	var ready localstack.EmulatorReady
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
			if err := json.Unmarshal([]byte(line), &ready); err != nil {
				t.Fatalf("READY line is not JSON: %v", err)
			}
			break
		}
	}
	if ready.SheetsEndpoint == "" || ready.SpreadsheetID == "" || ready.ViewURL == "" {
		t.Fatalf("READY = %+v; run() = %v", ready, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	svc, err := sheets.NewService(ctx, option.WithEndpoint(ready.SheetsEndpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Spreadsheets.Get(ready.SpreadsheetID).Do()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != http.StatusInternalServerError {
		t.Fatalf("Get with -rate500 1 = %v, want 500", err)
	}
	resp, err := http.Post(ready.SheetsEndpoint+localstack.AdminPath[1:], "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ss, err := svc.Spreadsheets.Get(ready.SpreadsheetID).Do()
	if err != nil {
		t.Fatalf("Get once the admin endpoint cleared the faults = %v", err)
	}
	var tabs []string
	for _, sh := range ss.Sheets {
		tabs = append(tabs, sh.Properties.Title)
	}
	if strings.Join(tabs, ",") != "Orders,Bookings" {
		t.Errorf("tabs = %v, want Orders and Bookings, as the local stack's", tabs)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run() = %v", err)
	}
}

func TestParseRefusesBadRates(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-rate429", "2"}, {"-rate-lost", "-0.1"}, {"extra"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) = nil error", args)
		}
	}
}
