// Package export reads the order exports of the platforms, and JSON lines of
// webhook bodies, into the canonical events of package platform, so that a
// backfill runs past orders through the same filter and privacy pipeline as
// live webhooks and lands them in the same rows.
//
// A Reader streams: it holds one order at a time, whatever the size of the
// file. Each Record carries its event and the lines of the file it came
// from. A record that cannot be read is returned as a *LineError that names
// its lines and a reason, never its content, and the Reader goes on with
// the next record. A Token marks where the next record starts, so that an
// interrupted run resumes without reading the records before it again.
//
// # Formats
//
//   - shopify-csv: Shopify admin › Orders › Export, "Plain CSV file". One
//     line per line item; the order's own columns are filled on its first
//     line. Keys (the Id column) are the live webhooks' order.id.
//   - woocommerce-csv: WooCommerce › Analytics › Orders › Download (core
//     WooCommerce, no plugin), or the Default and Default - One Row per Item
//     formats of the Customer / Order / Coupon Export extension. The layout
//     is recognized from the header.
//   - lightspeed-xseries-csv: Lightspeed Retail (X-Series) › Sales ledger ›
//     Export. It names no sale id: see Format.LiveKey.
//   - jsonl: one webhook body a line, decoded by the preset named in
//     Options.Platform exactly as a live delivery.
//
// docs/backfill.md says how to make each export, what maps to what, and what
// no export can give.
//
// # Versions
//
// Rows are upserted by version: an older version never overwrites a newer
// one (package gsheets). An export has no updated-at time, so a record's
// version is one microsecond before the latest time the export dates for
// the order (created, paid, fulfilled, cancelled, refunded). Every one of
// those events changed the order, so the order's updated-at, and with it the
// version of any live delivery of a state at least as new as the export,
// is at or after that time: the export never overwrites a newer live row,
// and a live delivery of the same second always wins over the export. The
// Lightspeed X-Series preset versions live sales by a counter that no time
// can be compared with, so its export records all take MinVersion: any
// live delivery wins.
package export
