// Package gsheetstest is an in-memory server that speaks the Google Sheets v4
// REST API well enough for the real google.golang.org/api/sheets/v4 client.
// Tests, the local development stack and the quota benchmark use it the way
// cloud.google.com/go/pubsub/pstest is used for Pub/Sub: point the real
// client at it and let a wrong call fail as it would against Google.
//
//	srv := gsheetstest.NewServer(t)                   // or Start(), or New() + Handler()
//	svc, _ := srv.Service(ctx)                       // option.WithEndpoint + WithoutAuthentication
//	id := srv.CreateSpreadsheet("Orders", "Orders")  // or svc.Spreadsheets.Create
//	rows, _ := srv.Snapshot(id, "Orders")            // what the UI would show
//
// # Methods
//
// spreadsheets: create, get (ranges, includeGridData), getByDataFilter and
// batchUpdate. spreadsheets.values: get, batchGet, update, append, clear,
// batchUpdate, batchClear, batchGetByDataFilter, batchUpdateByDataFilter and
// batchClearByDataFilter. spreadsheets.developerMetadata: get and search.
// The `fields` system parameter filters every response. sheets.copyTo
// answers 501 UNIMPLEMENTED; any other path answers 404 and a known path with
// the wrong HTTP method 405, so that a new call in the code under test fails
// loudly.
//
// batchUpdate applies addSheet, deleteSheet, updateSheetProperties,
// updateSpreadsheetProperties, insertDimension, appendDimension,
// deleteDimension, moveDimension, updateDimensionProperties, updateCells,
// appendCells, repeatCell, copyPaste, sortRange, insertRange, deleteRange,
// addProtectedRange, deleteProtectedRange, setBasicFilter, clearBasicFilter
// and create/update/deleteDeveloperMetadata. autoResizeDimensions and
// updateBorders are checked and ignored. Every other request type answers 501.
// A batchUpdate is atomic: if any request fails, the answer is Google's 400
// ("Invalid requests[1].updateCells: No grid with id: 123") and nothing is
// applied. values.batchUpdate and the by-data-filter writes are atomic too.
//
// # Fidelity
//
// Behaviour follows Google's reference and, where the reference is silent,
// behaviour reported from the real service (README.md says which is which).
// Ranges such as these resolve as in Google:
//
//	Sheet1!A1:B2  'My Tab'!A:A  'It''s'!1:1  A5:C  A:C5  Sheet1  A1:B2  Sheet1!R1C1:R2C3
//
// Notably:
//
//   - A1 notation as Google accepts it (examples below): a bare sheet name
//     is the whole sheet, a range without a sheet is on the first sheet, R1C1
//     and $ markers are accepted, and letters and sheet names are matched
//     case-insensitively. Ranges Google returns are clipped to the grid and
//     quote sheet names only when needed. Errors: "Unable to parse range: X"
//     (400), "Requested entity was not found." (404) for an unknown
//     spreadsheet, and "Range (X) exceeds grid limits. Max rows: N, max
//     columns: M" (400) for a range that starts outside the grid.
//   - Reads clip ranges to the grid. values.update and values.batchUpdate do
//     not grow the grid, as Google does not: writing past it answers "exceeds
//     grid limits", and writing past a bounded range answers "Requested
//     writing within range [X], but tried writing to row [N]". A single cell
//     range is an anchor the values may extend from. values.append grows the
//     grid as needed.
//   - valueInputOption is required. RAW stores strings exactly ("=1+1",
//     "0012"). USER_ENTERED reads input as an en_US user typing it: a leading
//     ' forces text, = starts a formula, TRUE/FALSE, numbers with grouping,
//     currency ($), percentages, scientific notation, ISO and US dates and
//     times become values, and the matching number format is applied as
//     Sheets does; a cell formatted as TEXT keeps the text. JSON null skips a
//     cell and "" clears its value. Formats are never touched by clears.
//   - Rendering: FORMATTED_VALUE, UNFORMATTED_VALUE and FORMULA, dateTime
//     SERIAL_NUMBER and FORMATTED_STRING, majorDimension ROWS and COLUMNS,
//     trailing empty rows and columns trimmed. Number format patterns support
//     0 # ? , . % E+ digit placeholders, grouping and scaling, quoted and
//     escaped literals, [$€] currency symbols, colours, up to four sections,
//     and date and time tokens (y, m, d, h, s, am/pm, a/p, fractional
//     seconds) on serial numbers counted from 1899-12-30. Types without a
//     pattern use en_US defaults (NUMBER #,##0.00, CURRENCY "$"#,##0.00,
//     DATE M/d/yyyy, ...). Literals between digit placeholders are dropped,
//     and patterns with conditions or elapsed time render the plain number.
//   - values.append finds the table as follows (Google documents no rule):
//     the block of consecutive rows holding values that contains the last
//     such row in the range, extended down and right past the range while the
//     next row or column holds values. Values go below it from its first
//     column. INSERT_ROWS inserts whole rows there.
//   - Formulas are stored, not evaluated: a formula's value, effective value
//     and formatted value are its text. copyPaste pastes them as written,
//     where Google shifts their relative references.
//   - A pivot table (updateCells with the pivotTable field) is stored in
//     its anchor cell as written and returned by spreadsheets.get with grid
//     data; it is not computed, so the cells it would fill stay empty. It is
//     checked as the reference describes it (pivot.go): a source on the
//     grid, groups and values reading columns of the source, enums of
//     summarize functions, sort orders, layouts and date-time rules, CUSTOM
//     only with a formula. A formula is accepted whatever it references, as
//     Google accepts it (a missing tab shows #REF! there, text here).
//   - Developer metadata sits on the spreadsheet, a sheet, or a single row
//     or column (the reference forbids spans). Ids are positive and unique.
//     Row and column metadata moves with inserted, deleted and moved rows and
//     columns and is deleted with them. Lookups match id, key, value,
//     visibility, locationType and metadataLocation with EXACT_LOCATION or
//     INTERSECTING_LOCATION (the default): a sheet intersects its rows and
//     columns, a row every column of its sheet, the spreadsheet only itself.
//     A metadata filter selects the whole row, column or sheet it is on.
//     Google's limits on metadata size are not enforced.
//   - sortRange orders numbers, then text (case-insensitively), then
//     booleans, with empty cells last in either order, stably. Cells move with
//     their formats and notes. Whether Google moves row metadata when sorting
//     is not documented: here, a sort spanning every column moves whole rows,
//     metadata included; a narrower sort moves cells only. Make the server
//     with WithSortLeavingRowMetadata to test code against the other reading.
//   - insertDimension copies the size and cell formats of the row (or
//     column) before the insertion when inheritFromBefore is set, which is
//     refused at index 0, and of the one after otherwise.
//   - Protected ranges and the basic filter are stored and follow inserted
//     and deleted rows; protection does not block writes, as for the owner of
//     a real spreadsheet. insertRange grows the grid rather than drop cells.
//   - Limits: 10,000,000 cells per spreadsheet, 18,278 columns per sheet and
//     50,000 characters per cell, with Google's messages.
//   - New sheets have 1000 rows and 26 columns. spreadsheets.create gives
//     the first sheet id 0 as Google does and later sheets random positive
//     ids; CreateSpreadsheet gives every tab a random id, so that code cannot
//     come to rely on 0. The locale is en_US and the time zone Etc/GMT.
//   - Request bodies are decoded strictly: an unknown or miscased field name
//     answers Google's "Invalid JSON payload received. Unknown name ..." and an
//     unknown query parameter or enum value is refused too.
//   - Not modelled: named ranges, charts, merges, conditional formats, data
//     validation, text runs, tables, filter views, grid data of effective
//     formats beyond the number format, and any locale other than en_US.
//
// # Quotas
//
// Quotas count requests per minute: reads (get, getByDataFilter,
// values.get, values.batchGet, values.batchGetByDataFilter,
// developerMetadata.get and search) and writes (everything else) separately,
// per user and per project, one per HTTP request however many edits it
// carries, as Google counts them. There are no quotas unless set with
// WithQuotas or SetQuotas; GoogleQuotas returns Google's defaults (60 per user
// and 300 per project per minute, for reads and for writes). A user is the
// quotaUser query parameter, else the value of the Authorization header (or
// the header named by WithQuotaUserHeader); ServiceAs makes a client for a
// named user. Windows are fixed minutes of the clock (WithClock, SetClock):
// the whole quota returns at the start of each minute. A refused request
// consumes no quota and answers 429 RESOURCE_EXHAUSTED with Google's message
// and details (ErrorInfo with reason RATE_LIMIT_EXCEEDED and quota metadata,
// and Help).
//
// # Faults, latency and hooks
//
// FailNext scripts faults for the next requests a Match selects (Writes,
// Reads, Methods(...), or nil for all); FailRandomly injects a fault with a
// probability. Faults are decided before a request is applied, so none
// applies part of a write: FaultInternal (500), FaultUnavailable (503) and
// FaultRateLimit (429) answer without applying; FaultDrop closes the
// connection unanswered and applies nothing; FaultLostResponse applies the
// request and then closes the connection, the ambiguous outcome a retrying
// writer must survive; FaultSlow holds the request for SetSlowDelay (a minute
// by default) and applies nothing if the client gives up first. WithLatency
// and SetLatency delay every request, fixed plus jitter, without holding any
// lock. WithRequestHook and SetRequestHook run a function with the method name
// as each request arrives, before latency, faults and quotas, so that a test
// can interleave a person's edits (Update, SetValues) deterministically.
//
// # Drive
//
// Under DrivePath the server speaks the part of the Drive API v3 that
// shares a spreadsheet (drive.go): files.create of a Google spreadsheet,
// files.get, permissions.list and permissions.create, with Drive's error
// shape; DriveService is the real drive/v3 client pointed at it and
// Permissions lists a file's grants and the emails Drive would have sent.
// WithAppliedHook calls a function once a write is applied, before its
// answer: when a reader starts seeing it.
//
// # Inspection
//
// Snapshot, Cell and Metadata read state without the client and without
// being counted; Update and SetValues change it as a person would. Stats
// counts requests per method, reads and writes, bytes each way, 429s and
// injected faults; ResetStats clears them. All methods are safe for
// concurrent use: writes work on a copy-on-write version of the spreadsheet
// that replaces the current one only when the whole write succeeded.
package gsheetstest
