// Package excel is the Excel destination: it writes the rows of a
// configuration's tables to named tables of a workbook on OneDrive or
// SharePoint, through Microsoft Graph's workbook API, with the guarantees
// of every destination (view.Destination, proven by viewtest.Contract):
// one row per source and key, the newest version wins, duplicates and
// reordering harmless, a version the filter kept out never enters, and
// erasure and access requests by key, cell and source.
//
// What it owns in a table: the columns whose headers the configuration
// names, found by header inside the table (the team may add, move, sort
// and filter; a missing column is added at the table's end), and a hidden
// column _safeview_version holding "source:version" of each row. It never
// writes another cell; a write that a sort or an insert moved onto
// another row between the check and the write is put back as it was.
// Versions a filter kept out are remembered in the hidden table
// SafeviewMarks.
//
// Every text is sent behind an apostrophe, so that Excel's typed input
// stores it as text whatever it looks like (=HYPERLINK(…), +cmd, 0012);
// numbers are sent as numbers with their number format.
//
// A Sink is the one writer of its workbook in an instance: upserts join a
// group commit, flushed in two $batch round trips (verify, then write),
// in a persistent workbook session, paced under Graph's limit for the
// Excel service; 429 and 503 are waited out as Retry-After says, 409 and
// 423 (a person holding the file) and lost answers retried until the
// caller's deadline, after which the error wraps model.ErrUnavailable.
//
// Auth signs requests in with azidentity: a client assertion that is the
// function's Google ID token (a federated credential, no secret stored),
// or a client secret. docs/excel.md explains the choices and the Entra ID
// set-up.
package excel
