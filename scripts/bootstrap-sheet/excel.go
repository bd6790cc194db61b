package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/model"
)

// workExcel prepares the workbook of the Excel destination -excel names:
// each of its named tables created with its header (on a worksheet of
// the table's name), or checked and completed as the function's first
// write would, with the function's identity (-service-account), or the
// destination's client secret.
func workExcel(ctx context.Context, o options, stdout io.Writer) error {
	cfg, err := config.Load(o.cloud.Config)
	if err != nil {
		return err
	}
	d := cfg.Destinations[o.excel]
	if d == nil || d.Kind != config.KindExcel {
		return fmt.Errorf("-excel %q: the configuration has no Excel destination of that name", o.excel)
	}
	var tables []excel.Table
	for _, t := range cfg.DestinationTables(d) {
		tables = append(tables, excel.Table{Table: model.Table{Tab: t.Tab, Key: t.Key, Headers: cfg.ColumnsFor(d, t)}, Name: d.NamedTable(t.Tab)})
	}
	if o.dryRun {
		for _, t := range tables {
			fmt.Fprintf(stdout, "named table %q (%s): header %s, and the hidden %s\n", t.Name, t.Tab, strings.Join(t.Headers, " | "), excel.VersionHeader)
		}
		fmt.Fprintln(stdout, "dry run: the configuration is valid; nothing was changed")
		return nil
	}
	res, release, err := o.cloud.OpenSecrets(ctx)
	if err != nil {
		return err
	}
	defer release()
	conn, err := o.cloud.Graph(res)(ctx, o.excel, d)
	if err != nil {
		return fmt.Errorf("destination %s: %w", o.excel, err)
	}
	wb := d.Excel.Workbook
	s, err := excel.New(conn.Client, conn.Endpoint, excel.Workbook{DriveID: wb.DriveID, ItemID: wb.ItemID, Site: wb.Site, Path: wb.Path}, tables, excel.Options{})
	if err != nil {
		return err
	}
	done, err := s.Prepare(ctx)
	if err != nil {
		return fmt.Errorf("destination %s: %w (docs/excel.md: the app registration and its permission on the workbook)", o.excel, err)
	}
	defer s.Close(ctx)
	got := s.Workbook()
	fmt.Fprintf(stdout, "workbook: drive_id %s, item_id %s\n", got.DriveID, got.ItemID)
	for _, p := range done {
		what := "checked"
		if p.Created {
			what = "created on worksheet " + p.Sheet
		}
		fmt.Fprintf(stdout, "named table %q (%s): %s; header %s\n", p.Name, p.Table, what, strings.Join(p.Header, " | "))
	}
	return nil
}
