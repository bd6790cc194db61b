package gsheets_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/gsheets"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/view"
	"github.com/safeview/safeview/shared/view/viewtest"
)

// The Google Sheets destination keeps the contract of every destination.
func TestContract(t *testing.T) {
	viewtest.Contract(t, func(t *testing.T, tables []model.Table) (view.Destination, func() view.Destination) {
		emu := gsheetstest.NewServer(t)
		id := emu.CreateSpreadsheet("contract")
		svc, err := emu.Service(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		open := func() view.Destination {
			s, err := gsheets.New(svc, id, tables, gsheets.Options{
				Logger:                 slog.New(slog.NewTextHandler(io.Discard, nil)),
				WriteRequestsPerMinute: 60000, ReadRequestsPerMinute: 60000, BatchWindow: time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		return open(), open
	})
}

var _ view.Destination = (*gsheets.Sink)(nil)
