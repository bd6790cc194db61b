package localstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/iamcredentialstest"
)

// AdminPath is where the emulator's faults are read (GET) and set (POST,
// a JSON gsheetstest.Faults), beside the API and the view.
const AdminPath = "/_admin/faults"

// EmulatorReady describes an emulator served alone; scripts/sheets-emulator
// prints it as its READY line, and scripts/dev takes its first two fields.
type EmulatorReady struct {
	SheetsEndpoint string `json:"sheets_endpoint"`
	SpreadsheetID  string `json:"spreadsheet_id"`
	ViewURL        string `json:"view_url"`
}

// Emulator is the Sheets emulator, the view and the admin endpoint of
// its faults, on one listener, with a spreadsheet prepared for a
// configuration: one tab per table, as the local stack's.
type Emulator struct {
	Ready  EmulatorReady
	Server *gsheetstest.Server
	// IAM is the IAM Credentials emulator, beside the Sheets one, through
	// which the function acts as each destination's service account.
	IAM *iamcredentialstest.Server
	// Destinations are cfg's destinations, each a spreadsheet prepared
	// by scripts/bootstrap-sheet's code (package sheetprep), shared
	// through the emulated Drive API; destEnv tells the function.
	Destinations map[string]ReadyDestination
	destEnv      map[string]string
	srv          *http.Server
}

// StartEmulator serves an emulator on addr (port 0 picks a free one),
// holding a spreadsheet with the tabs of cfg's tables.
func StartEmulator(cfg *config.Config, addr string, opts ...gsheetstest.Option) (*Emulator, error) {
	emu := gsheetstest.New(append([]gsheetstest.Option{gsheetstest.WithUnmeteredUser(viewUser)}, opts...)...)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sheets emulator: %w", err)
	}
	base := "http://" + ln.Addr().String() + "/"
	var tabs []string
	for _, t := range cfg.Tables {
		tabs = append(tabs, t.Tab)
	}
	id := emu.CreateSpreadsheet("Safeview (local)", tabs...)
	iam := iamcredentialstest.New()
	accounts := destinations(cfg, iam)
	v := &view{endpoint: base, spreadsheetID: id}
	mux := http.NewServeMux()
	mux.Handle("/v4/", emu.Handler())
	mux.Handle(gsheetstest.DrivePath, emu.Handler()) // the Drive API: who may open each spreadsheet
	mux.Handle("/v1/", iam.Handler())                // the IAM Credentials API: each destination's account
	mux.Handle(AdminPath, emu.AdminHandler())
	mux.Handle("/", v)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// No WriteTimeout: the emulator's slow fault holds a response on
		// purpose, for as long as a test asks.
		IdleTimeout: idleTimeout,
	}
	go func() { _ = srv.Serve(ln) }()
	e := &Emulator{Ready: EmulatorReady{SheetsEndpoint: base, SpreadsheetID: id, ViewURL: base}, Server: emu, IAM: iam, srv: srv}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dests, destEnv, err := prepareDestinations(ctx, cfg, emu, base, accounts, nil)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("preparing the destinations: %w", err)
	}
	e.Destinations, e.destEnv = dests, destEnv
	v.setDestinations(dests)
	return e, nil
}

// Close stops serving and ends the emulator's injected delays.
func (e *Emulator) Close() {
	e.srv.Close()
	e.Server.Close()
}
