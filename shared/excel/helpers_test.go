package excel_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/compute/metadata"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/metadatatest"
	"github.com/safeview/safeview/shared/model"
)

const (
	tenant   = "tenant-1"
	clientID = "client-1"
	drive    = "b!drive"
	item     = "01ITEM"
	saID     = "109876543210987654321"
)

// world is an emulated Graph with a workbook, an app registration whose
// federated credential trusts the emulated metadata server's tokens, and
// the HTTP client the function would build.
type world struct {
	emu *graphtest.Server
	md  *metadatatest.Server
	hc  *http.Client
}

func newWorld(t *testing.T, opts ...graphtest.Option) *world {
	t.Helper()
	emu := graphtest.NewServer(t, opts...)
	md := metadatatest.NewServer(t, "safeview@p.iam.gserviceaccount.com", saID)
	emu.RegisterApp(tenant, clientID, "")
	emu.AddFederatedCredential(tenant, clientID, graphtest.Federated{Issuer: metadatatest.Issuer, Subject: saID, Audience: excel.ExchangeAudience, Key: md.PublicKey()})
	emu.CreateWorkbook(drive, item, "Orders.xlsx")
	cred, err := excel.Auth{TenantID: tenant, ClientID: clientID, AuthorityHost: emu.URL() + "/", Transport: emu.Client(),
		Assertion: excel.GoogleIDToken(metadata.NewClient(md.Client()))}.Credential()
	if err != nil {
		t.Fatal(err)
	}
	return &world{emu: emu, md: md, hc: excel.NewHTTPClient(cred, emu.Client().Transport)}
}

// table is the contract's table, in a named table of the workbook.
func (w *world) table(t *testing.T, mt model.Table, name string) excel.Table {
	t.Helper()
	if err := w.emu.AddTable(drive, item, mt.Tab, name, mt.Headers...); err != nil {
		t.Fatal(err)
	}
	return excel.Table{Table: mt, Name: name}
}

func (w *world) sink(t *testing.T, tables []excel.Table, opt excel.Options) *excel.Sink {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.BatchWindow == 0 {
		opt.BatchWindow = time.Millisecond
	}
	s, err := excel.New(w.hc, w.emu.GraphEndpoint(), excel.Workbook{DriveID: drive, ItemID: item}, tables, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantOnce fails t unless order id is on exactly one row of the table.
func (w *world) wantOnce(t *testing.T, id string) {
	t.Helper()
	got, _ := w.emu.Table(drive, item, "SafeviewOrders")
	n := 0
	for _, r := range got[1:] {
		if r[0] == id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("order %s is on %d rows, want 1: %v", id, n, got)
	}
}
