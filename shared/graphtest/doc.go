// Package graphtest is an in-memory Microsoft Graph for tests, the local
// stack and the benchmark: the workbook endpoints of drive items that the
// Excel destination uses (workbook sessions, tables, table columns and
// rows, worksheet ranges with values, formulas, number formats and hidden
// columns, sorting), $batch with dependsOn, the site and path look-ups of
// SharePoint, and the Microsoft identity platform's token endpoint, which
// checks client secrets and federated credentials (client assertions
// signed by a trusted issuer). The real HTTP client and azidentity talk
// to it over TLS.
//
// It behaves as Excel does where Safeview's guarantees depend on it: a
// string in values is read as typed input (formulas, booleans, numbers,
// dates, a leading apostrophe for text), a table keeps at least one data
// row, and a person's edits (sort, inserted rows and columns, renamed
// headers) can be made between two requests. It can throttle per app as
// Graph documents for the Excel service, add latency, lock the workbook
// (409, 423), and inject faults (429 with Retry-After, 503, answers lost
// after the change landed). Its root page is a read-only view of every
// table.
package graphtest
