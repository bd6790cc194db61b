// Package gsheets is the Google Sheets destination: it keeps one row per
// key in a tab of a Google Sheet, through the Sheets v4 API, while the
// team works in the same tab.
//
// # Columns
//
// Safeview owns its columns, found by their header in row 1 wherever the
// team moves them; it never writes a cell of a column it does not own. A
// missing owned column is added after the last header, in a fresh column
// when the tab holds data, never by moving the team's columns. A renamed
// owned header is a missing one: the renamed column becomes the team's and
// is never written again, and the owned column is added anew. The key
// column is the exception: a tab that holds rows but no key header is
// refused (model.ErrUnavailable, so the platform retries while someone renames
// it back) rather than given an empty key column under which every order
// would be added again. Each row carries its version in the hidden owned
// column VersionHeader, so that an older delivery never overwrites a
// newer one, across restarts. Values are written RAW.
//
// # Group commit
//
// One Sink is the one writer of its spreadsheet in an instance. Upsert
// queues the row and waits for the flush that carries it, so a nil error
// still means written. One flusher drains the queue: when a write token
// is due (a token bucket, WriteRequestsPerMinute, 55 by default, burst 2,
// so at most 57 write requests in any 60 seconds against Google's 60 per
// minute per user), it takes every pending row and sends them all in one
// spreadsheets.batchUpdate, after one verification read. Versions of one
// key pending together coalesce to the newest, and the other callers are
// answered model.Stale or model.Unchanged as if they had come after it; a key's rows
// are never split across flushes, so its order holds. A 429, a 5xx, a
// lost connection or a timeout puts the rows back in the queue behind an
// exponential backoff with jitter; a caller whose deadline passes gets
// model.ErrUnavailable. Each write is one atomic request: nothing is half
// written. A write whose answer was lost may have landed: the next read
// finds an update's version already there (model.Written), and reads the rows
// an insert would have added, so that it is not added twice.
//
// # Finding rows: a verified cache of the key column
//
// Each instance reads the key and version columns once (one request for
// every tab, O(rows) bytes; whenever a tab needs indexing, every tab not
// yet indexed is indexed with it) and keeps the row of each key in memory;
// each column is read with its header cell, so that a column the team
// moves while the index is read is noticed and the index read again. A flush then
// costs one read of the header and of the rows it updates, O(1) requests
// and bytes whatever the tab's size, to check that nothing moved; if the
// team sorted, inserted or deleted rows, or moved a column, the check
// fails and the index is read again before anything is written.
//
// Why not developer metadata on each row, which Google keeps on its row
// through inserts and deletes? Measured (TestRowMetadataAlternative):
// an update located by metadata needs values.batchUpdateByDataFilter,
// and a new row needs spreadsheets.batchUpdate, so a flush with both is
// two write requests where the sink sends one, halving the rows per
// minute the quota allows; the value write selects the whole row and
// writes from column A, so the owned columns must still be located by
// their header; and whether a sort moves row metadata is not documented:
// when it does not, a metadata-addressed update silently overwrites
// another order's row, where the verified cache notices. The tab itself
// carries developer metadata (TabTagKey), which is documented to stay
// with its sheet, so that a renamed tab is still found after a restart.
//
// # The round trip Sheets leaves open
//
// Sheets has no conditional write: an edit landing between a flush's
// verification read and its write (one round trip) can move the row the
// write addresses. The sink closes what it can. Inside the same atomic
// batchUpdate it first copies the cells it is about to overwrite to a
// hidden tab (UndoTab), and it asks for the touched rows and headers in
// the write's answer. When the answer shows a row that no longer holds
// its key, or a header that moved, the overwritten cells are pasted back
// from the copy (values, formats, notes), rows whose columns merely moved
// are rewritten where they now are, and the other keys are written again
// after a fresh index. What stays open: a second edit in the round trip
// between that write and its undo, which makes the undo land on the rows
// the second edit moved there (TestTwoEditsInARowEscapeTheUndo shows it);
// a misplaced write whose answer was lost, which nobody sees; and two
// writers at once (a Cloud Run rollover, a backfill), whose
// read-then-write can interleave so that an older version overwrites a
// newer one, or both add a new key. Each writer knows the rows of its own
// index only; before adding a key it does not know, the verification
// read looks at the row below the last keyed row, where the other writer
// adds its rows, and a key there makes it index the tab again, so that it
// updates the other's row instead of adding the order twice. That leaves
// two writers adding the same key within one round trip. (A tab filled
// to the last row of its grid has no row below to read: its size is read
// again before rows are appended to it, since another writer may have
// grown it, and the append adds a blank row below, so that this happens
// once.) Rows sharing a key are merged when a
// tab is indexed: the row the team annotated is kept, the newest owned
// cells are copied into it and the others are deleted in one request; a
// duplicate the team annotated too is left for a person. The other
// writer may have merged the same duplicates first, moving other rows up
// into their places: the rows must still hold their key when read for the
// merge, and the merge's write is refused if another merge landed since
// the tab was listed (MergeTokenKey); the tab is then indexed again.
// docs/sheet.md has the arithmetic and the figures.
//
// # Erasure and access requests
//
// Apply serves a data subject's or a shop's request: it counts, reads,
// clears (the columns of model.Table.Personal) or deletes the rows a selection
// picks, as one turn of the group commit, between the upserts queued
// before it and those queued after it. Finding the rows is one read of
// the columns compared (O(rows) bytes, for a request a shop gets a few
// times a year); a clear or a deletion is one write whatever the number
// of rows, checked by its own answer and repaired from that read if a
// team edit moved rows under it. A cleared row is marked in its version
// cell, and later upserts of its key keep its personal cells empty.
package gsheets
